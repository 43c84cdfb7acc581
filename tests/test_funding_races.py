"""Races and crashes: concurrent pledges never pass the cap or a limit; a close killed halfway settles each pledge once."""
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.timeutil import as_utc
from app.funding.gateway import Payment
from app.funding.limits import room
from app.funding.models import Pledge, Round
from app.funding.pledging import PledgeRefused, reserve_pledge
from tests.fixtures.core import is_postgres
from tests.fixtures.funding import WEBHOOK_SECRET, ledger_violations, pledge
from tests.fixtures.users import make_user

ROOT = Path(__file__).resolve().parents[1]
pg_only = pytest.mark.skipif(not is_postgres(), reason="row-level concurrency is checked in the PostgreSQL run")


def _concurrently(app, n: int, action) -> list:
    """Run action(i) in n threads, each in its own app context and session, released together."""
    from app.extensions import db

    barrier, outcomes, lock = threading.Barrier(n), [], threading.Lock()

    def worker(i):
        with app.app_context():
            try:
                barrier.wait(timeout=60)
                result = action(i)
                with lock:
                    outcomes.append(result)
            except Exception as exc:  # noqa: BLE001 - the test reads them
                db.session.rollback()
                with lock:
                    outcomes.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pg_only
def test_a_hundred_concurrent_pledges_never_pass_the_cap(app, db, create_round, payments):
    from app.extensions import db as _db

    round_ = create_round(target_amount=100_000, cap_amount=500_000, unit_price=10_000)
    backers = [make_user().id for _ in range(100)]
    round_id = round_.id

    def pledge_one(i):
        from app.auth.models import User

        return pledge(_db.session.get(Round, round_id), _db.session.get(User, backers[i]), units=1 + i % 3)

    outcomes = _concurrently(app, 100, pledge_one)
    refused = [o for o in outcomes if isinstance(o, PledgeRefused)]
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, PledgeRefused)]
    assert unexpected == []
    assert refused and {o.code for o in refused} == {"over_cap"}
    db.session.refresh(round_)
    paid = db.session.scalar(sa.select(sa.func.sum(Pledge.amount)).where(Pledge.round_id == round_id,
                                                                         Pledge.status == "succeeded"))
    assert round_.raised_amount == paid <= round_.cap_amount
    assert round_.cap_amount - paid < 30_000  # full but for less than the largest pledge
    assert round_.committed_amount == paid
    assert ledger_violations() == []


@pg_only
def test_one_backer_pledging_ten_times_at_once_stays_under_the_limit(app, db, create_round, payments):
    from app.auth.models import User
    from app.extensions import db as _db

    round_ = create_round(target_amount=1_000_000, cap_amount=50_000_000, unit_price=1_000_000)
    backer_id, round_id = make_user().id, round_.id
    outcomes = _concurrently(app, 10, lambda _i: pledge(_db.session.get(Round, round_id),
                                                        _db.session.get(User, backer_id), units=1))
    assert sum(1 for o in outcomes if isinstance(o, Pledge)) == 5  # 5,000,000 won: a general investor's limit
    assert {o.code for o in outcomes if isinstance(o, Exception)} == {"over_limit"}
    db.session.refresh(round_)
    assert (round_.raised_amount, round_.backer_count) == (5_000_000, 1)
    assert ledger_violations() == []


@pg_only
def test_a_backers_lock_leaves_rows_that_only_refer_to_the_backer_free(app, db):
    """The lock that serializes one backer's pledges must not block a foreign-key check on the user (FOR KEY SHARE).

    It did (FOR UPDATE): one pledge being booked (round row locked, then a holding or ledger row inserted that
    refers to the backer) waited for the next pledge, which held the backer and waited for the round: a deadlock,
    seen as an OperationalError when one backer pledged ten times at once.
    """
    from app.funding.pledging import _lock_backer

    backer = make_user()
    backer_id = backer.id
    db.session.commit()
    _lock_backer(backer_id)  # this session now holds the backer, as a pledge being reserved does
    try:
        with db.engine.connect() as other:
            other.execute(sa.text("SET lock_timeout = '2s'"))
            # what an INSERT referring to the user checks: never blocked by the backer's lock
            assert other.execute(sa.text("SELECT id FROM users WHERE id = :id FOR KEY SHARE"),
                                 {"id": backer_id}).scalar() == backer_id
            with pytest.raises(sa.exc.OperationalError):  # another pledge of the same backer waits (here: times out)
                other.execute(sa.text("SELECT id FROM users WHERE id = :id FOR NO KEY UPDATE"), {"id": backer_id})
    finally:
        db.session.rollback()


def _cli_env(app, payments) -> dict:
    return {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "test",
            "GOPS_ENV": "production", "STRIPE_SECRET_KEY": "sk_test_gops", "STRIPE_API_BASE": payments,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "INSTANCE_DIR": app.config["INSTANCE_DIR"],
            "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"], "FLASK_APP": "wsgi.py",
            "REFUND_BATCH": "3"}  # small batches, so the kill lands between two


def test_a_close_killed_halfway_then_rerun_refunds_each_pledge_once(app, db, create_round, place, payments):
    from app.funding.gateway import gateway

    round_ = create_round(target_amount=10_000_000, cap_amount=20_000_000, unit_price=10_000)
    pledges = [place(round_, make_user(), units=1) for _ in range(24)]
    when = (as_utc(round_.closes_at) + timedelta(seconds=1)).isoformat()
    command = [sys.executable, "-m", "flask", "rounds", "close-due", "--now", when]
    env = _cli_env(app, payments)
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    refunded = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        db.session.expire_all()
        refunded = db.session.scalar(sa.select(sa.func.count(Pledge.id)).where(Pledge.status == "refunded"))
        if refunded >= 5:
            proc.send_signal(signal.SIGKILL)  # no cleanup: as if the machine went down
            break
        time.sleep(0.01)
    proc.wait(timeout=30)
    db.session.expire_all()
    left = db.session.scalar(sa.select(sa.func.count(Pledge.id)).where(Pledge.status != "refunded"))
    assert proc.returncode == -signal.SIGKILL and left > 0, "the close finished before it could be killed"
    rerun = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    db.session.expire_all()
    assert set(db.session.scalars(sa.select(Pledge.status))) == {"refunded"}
    for p in pledges:
        made = gateway().fetch(p.payment_intent_id)
        assert len(made.refunds) == 1 and made.refunded_amount == p.amount  # refunded once, at the processor too
    assert ledger_violations() == []
    check = subprocess.run([sys.executable, "-m", "flask", "ledger", "check"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr


# Properties: hypothesis draws the numbers; the rules must hold for all of them.
amounts = st.integers(min_value=1, max_value=20_000_000)


@given(limits=st.one_of(st.none(), st.tuples(st.integers(0, 20_000_000), st.integers(0, 40_000_000))),
       pledges=st.lists(st.tuples(amounts, st.booleans()), max_size=30))
def test_accepted_pledges_never_pass_either_limit(limits, pledges):
    """Pledges to one issuer (True) or others, accepted by `room()`: the sums stay within the limits."""
    issuer_used = year_used = 0
    for amount, same_issuer in pledges:
        r = room("general", issuer_used if same_issuer else 0, year_used, limits)
        if r.allows(amount):
            year_used += amount
            issuer_used += amount if same_issuer else 0
            if limits is not None:
                assert year_used <= limits[1]
                assert not same_issuer or issuer_used <= limits[0]
        else:
            assert limits is not None and r.which(amount) in ("issuer", "year")
    assert room("professional", issuer_used, year_used, None).left is None


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.integers(1, 12), st.sampled_from(["paid", "failed", "pending"])),
                      min_size=1, max_size=10))
def test_the_cap_holds_whatever_pledges_come_and_go(app, db, steps):
    """Any sequence of reservations, paid or failed or left pending, never commits more than the cap, and the
    round's totals always equal its pledges."""
    from app.funding.pledging import record_payment
    from tests.fixtures.funding import make_round

    db.session.rollback()
    round_ = make_round(target_amount=50_000, cap_amount=100_000, unit_price=5_000)
    for units, outcome in steps:
        try:
            p = reserve_pledge(round_, make_user(), units, investor_category="general", risk_acknowledged=True)
        except PledgeRefused as refused:
            db.session.rollback()
            assert refused.code == "over_cap"
            continue
        db.session.commit()
        if outcome != "pending":  # the processor's answer, as the gateway reports it
            record_payment(p, Payment(id=f"pi_prop_{p.id}_{p.reference}", status="succeeded" if outcome == "paid"
                                      else "failed", amount=p.amount, currency="krw",
                                      metadata={"pledge": p.reference}))
            db.session.commit()
        db.session.refresh(round_)
        live = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Pledge.amount), 0)).where(
            Pledge.round_id == round_.id, Pledge.status.in_(("created", "succeeded"))))
        assert round_.committed_amount == live <= round_.cap_amount
    assert ledger_violations() == []
