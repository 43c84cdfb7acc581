"""Payouts: never over the balance (even twice at once), decided by a steward who is no party, the number masked."""
import threading

import pytest
import sqlalchemy as sa

from app.core.errors import Conflict, InvalidInput, PermissionDenied
from app.distribution.models import Payout
from app.distribution.payouts import cancel_payout, mark_paid, mask, reject_payout, request_payout, wallet_balance
from app.distribution.queries import statement
from app.ledger.queries import balance, find_account
from tests.fixtures.core import is_postgres
from tests.fixtures.distribution import file_report, pay_and_distribute
from tests.fixtures.funding import ledger_violations

BANK = {"method": "bank", "bank_code": "011", "account_number": "302-1234-5678-91", "holder_name": "김시민"}


@pytest.fixture
def paid_backer(db, earning):
    """A backer whose wallet holds 75,000 won from one distribution."""
    proposal, (backer,), _h = earning(backers=((4,),), contributors=())  # 40,000 invested: capped at 80,000
    pay_and_distribute(file_report(proposal, revenue_amount=1_500_000))
    assert wallet_balance(backer) == 75_000
    return backer


def test_masking_keeps_the_last_four_digits():
    assert mask("302-1234-5678-91") == "***-****-**78-91"
    assert mask("1234567890") == "******7890"


def test_a_payout_is_held_then_paid_with_a_reference_and_the_number_erased(db, paid_backer, steward):
    payout = request_payout(paid_backer, 50_000, **BANK)
    db.session.commit()
    assert wallet_balance(paid_backer) == 25_000 and payout.account_masked == "***-****-**78-91"
    mark_paid(payout, steward, "NH 20261202-0001")
    db.session.commit()
    db.session.refresh(payout)
    assert (payout.status, payout.account_number, payout.reference) == ("paid", None, "NH 20261202-0001")
    assert wallet_balance(paid_backer) == 25_000
    assert ledger_violations() == []


def test_a_rejected_payout_leaves_the_money_in_the_wallet(db, paid_backer, steward):
    payout = request_payout(paid_backer, 75_000, **BANK)
    db.session.commit()
    reject_payout(payout, steward, "예금주 이름이 계정 이름과 다릅니다.")
    db.session.commit()
    assert payout.status == "rejected" and payout.account_number is None
    assert wallet_balance(paid_backer) == 75_000
    assert ledger_violations() == []


def test_a_payout_over_the_balance_is_refused_and_nothing_is_held(db, paid_backer):
    with pytest.raises(Conflict) as refused:
        request_payout(paid_backer, 75_001, **BANK)
    assert refused.value.code == "over_balance"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Payout.id))) == 0 and wallet_balance(paid_backer) == 75_000


@pytest.mark.parametrize("changes, field", [
    ({"bank_code": "999"}, "bank_code"), ({"account_number": "12-34"}, "account_number"),
    ({"account_number": "12345678901234567890"}, "account_number"), ({"holder_name": ""}, "holder_name"),
    ({"method": "cash"}, "method"),
])
def test_bad_bank_details_are_refused(db, paid_backer, changes, field):
    with pytest.raises(InvalidInput) as refused:
        request_payout(paid_backer, 20_000, **{**BANK, **changes})
    assert field in refused.value.fields


def test_below_the_minimum_is_refused(db, paid_backer):
    with pytest.raises(InvalidInput) as refused:
        request_payout(paid_backer, 9_999, **BANK)
    assert "amount" in refused.value.fields


def test_nobody_decides_their_own_payout_or_cancels_anothers(db, paid_backer, create_user):
    from app.auth.operations import grant_role
    from app.core.security import Role

    payout = request_payout(paid_backer, 20_000, **BANK)
    db.session.commit()
    grant_role(paid_backer, Role("steward"))
    db.session.commit()
    with pytest.raises(PermissionDenied):
        mark_paid(payout, paid_backer, "self")
    with pytest.raises(PermissionDenied):
        cancel_payout(payout, create_user())
    cancel_payout(payout, paid_backer)
    db.session.commit()
    assert wallet_balance(paid_backer) == 75_000
    with pytest.raises(Conflict):
        cancel_payout(payout, paid_backer)


def test_statements_equal_the_ledger(db, earning):
    proposal, (backer,), (helper,) = earning(backers=((2,),), contributors=(7,))
    from datetime import date

    for quarter, revenue in ((1, 1_000_000), (2, 2_345_678)):
        pay_and_distribute(file_report(proposal, revenue_amount=revenue, start=date(2026, 3 * quarter - 2, 1),
                                       end=date(2026, 3 * quarter, 28)))
    for person in (backer, helper, proposal.idea.author):
        rows = statement(person.id)
        assert sum(r.line.net_amount for r in rows) == wallet_balance(person)
    rows = statement(backer.id)
    assert rows[0].received_total_amount == sum(r.line.gross_amount for r in rows)  # newest first, cumulative
    assert ledger_violations() == []


@pytest.mark.skipif(not is_postgres(), reason="row-level concurrency is checked in the PostgreSQL run")
def test_two_payouts_asked_at_once_never_overdraw(app, db, paid_backer):
    from app.auth.models import User
    from app.extensions import db as _db

    backer_id, outcomes, barrier = paid_backer.id, [], threading.Barrier(6)

    def ask():
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                request_payout(_db.session.get(User, backer_id), 40_000, **BANK)
                _db.session.commit()
                outcomes.append("ok")
            except Conflict as exc:
                _db.session.rollback()
                outcomes.append(exc.code)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + ["over_balance"] * 5
    assert wallet_balance(paid_backer) == 35_000
    assert ledger_violations() == []


@pytest.fixture
def connect(app, payments):
    """FakeStripeConnect (tests/fakes/stripe_connect.py): localstripe has no Connect, so its two transfer endpoints
    are served by a small local fake, reached through the same gateway."""
    from flask import current_app

    from tests.fakes.stripe_connect import serve

    url, fake, stop = serve()
    for each in (app, current_app._get_current_object()):
        each.config["STRIPE_CONNECT_BASE"] = url
        each.extensions.pop("gops_gateway", None)
    yield fake
    stop()


def test_a_connect_payout_is_one_transfer_even_when_sent_twice(db, paid_backer, steward, connect):
    from app.distribution.workflows import pay_by_transfer

    payout = request_payout(paid_backer, 30_000, method="connect", connected_account="acct_1GopsCitizen")
    db.session.commit()
    pay_by_transfer(payout, steward)
    assert payout.status == "paid" and payout.reference.startswith("tr_")
    (transfer,) = connect.transfers.values()
    assert (transfer["amount"], transfer["destination"], transfer["metadata"]) == (
        30_000, "acct_1GopsCitizen", {"payout": str(payout.id)})
    with pytest.raises(Conflict):
        pay_by_transfer(payout, steward)
    assert len(connect.transfers) == 1
    assert wallet_balance(paid_backer) == 45_000
    assert ledger_violations() == []


def test_a_refused_transfer_leaves_the_payout_waiting(db, paid_backer, steward, connect, app):
    from app.distribution.workflows import TransferFailed, pay_by_transfer

    payout = request_payout(paid_backer, 30_000, method="connect", connected_account="acct_1GopsCitizen")
    db.session.commit()
    payout.connected_account = "not_an_account"  # the processor will refuse this destination
    db.session.commit()
    with pytest.raises(TransferFailed):
        pay_by_transfer(payout, steward)
    db.session.rollback()
    db.session.refresh(payout)
    assert payout.status == "requested" and connect.transfers == {}
    assert ledger_violations() == []


def test_an_unverified_person_cannot_ask_for_a_payout(db, paid_backer):
    paid_backer.verified_at = None
    db.session.commit()
    with pytest.raises(PermissionDenied):
        request_payout(paid_backer, 20_000, **BANK)
