"""Every machine, pair by pair: a move succeeds exactly when its table has the pair, and writes one audit entry."""
from itertools import product

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEvent, subject_type
from app.core.errors import Conflict, DomainError
from app.core.timeutil import utcnow
from app.ideas.states import IDEA, IdeaStatus
from app.distribution.states import PAYOUT, REPORT
from app.funding.states import INVESTOR_VERIFICATION, MATCHING_POOL, ROUND
from app.proposals.models import Membership
from app.proposals.states import (
    EXPERT_APPLICATION, INVITATION, MEMBERSHIP, MILESTONE, PROPOSAL, MembershipStatus,
)
from tests.fixtures.core import at_once, is_postgres
from tests.fixtures.ideas import make_idea
from tests.fixtures.proposals import (
    make_application, make_invitation, make_membership, make_milestone, make_proposal, municipal_org,
)
from tests.fixtures.states import candidates, choose_actor, path, prepare, reach
from tests.fixtures.funding import make_round
from tests.fixtures.users import make_user

#: each machine with a factory for a new object in the state where objects start
MACHINES = {
    "idea": (IDEA, make_idea),
    "proposal": (PROPOSAL, make_proposal),
    "expert_application": (EXPERT_APPLICATION, make_application),
    "membership": (MEMBERSHIP, make_membership),
    "invitation of a person": (INVITATION, make_invitation),
    "invitation of a city": (INVITATION, lambda: make_invitation(organization=municipal_org("suwon"))),
    "milestone": (MILESTONE, make_milestone),
    "round": (ROUND, lambda: make_round(status="draft")),
    "matching_pool": (MATCHING_POOL, lambda: make_pool()),
    "investor_verification": (INVESTOR_VERIFICATION, lambda: make_category_request()),
    "revenue_report": (REPORT, lambda: make_report()),
    "payout": (PAYOUT, lambda: make_payout()),
}


def make_pool():
    """A committed matching offer of 성남시 for a draft round, awaiting its deposit."""
    from app.funding.matching import create_pool
    from app.extensions import db
    from tests.fixtures.proposals import representative

    city = municipal_org("seongnam")
    pool = create_pool(make_round(status="draft"), city, representative(city), factor_bp=10_000,
                       pledge_cap_amount=10_000, round_cap_amount=50_000)
    db.session.commit()
    return pool


def make_category_request():
    """A committed request to count as a qualified investor."""
    from app.extensions import db
    from app.funding.operations import request_category

    profile = request_category(make_user(), "qualified", "근로소득 원천징수영수증(2025년, 1억 원 이상)을 냈습니다.")
    db.session.commit()
    return profile


def make_report():
    """A committed revenue report of a proposal on the market (reached through its stages)."""
    from datetime import date

    from tests.fixtures.distribution import file_report

    return file_report(make_proposal("market"), revenue_amount=1_000_000, start=date(2026, 7, 1),
                       end=date(2026, 9, 30))


def make_payout():
    """A committed payout request of a person whose wallet holds 50,000 won (credited through the ledger)."""
    from app.distribution.payouts import request_payout
    from app.extensions import db
    from app.ledger.operations import account, post

    user = make_user()
    post("test.credit", f"user:{user.id}", f"test-credit-{user.id}",
         [(account("bank"), -50_000), (account("wallet", "user", user.id), 50_000)])
    payout = request_payout(user, 30_000, method="bank", bank_code="004", account_number="123456-01-234567",
                            holder_name="김시민")
    db.session.commit()
    return payout
def _new(name, make, state):
    """A new object, created as a draft when the state wanted is the draft ideas start in."""
    return make(status="draft") if name == "idea" and state == IdeaStatus.DRAFT else make()


def _reachable(machine, state) -> bool:
    """Whether some state a new row may start in (`machine.initial`) leads to `state`."""
    for start in machine.initial:
        try:
            path(machine, start.value, state)
        except ValueError:
            continue
        return True
    return False


def _cases() -> list:
    cases = []
    for name, (machine, _make) in MACHINES.items():
        for frm, to in product(machine.states, machine.states):
            marks = [] if _reachable(machine, frm) else [pytest.mark.skip(
                reason=f"no operation puts a {machine.name} in {frm.value}: see test_every_state_can_be_reached")]
            cases.append(pytest.param(name, frm, to, id=f"{name}:{frm.value}->{to.value}", marks=marks))
    return cases


def _values(machine, to, actor) -> dict | None:
    """What the operation making this move writes with the state, in the same flush (the database ties
    `accepted_at` and `confirmed_at` to the state; a merged idea points at the idea it joined)."""
    now = utcnow()
    if (machine.name, to.value) == ("idea", "merged"):
        return {"merged_into_id": make_idea().id}
    if (machine.name, to.value) == ("invitation", "accepted"):
        return {"accepted_at": now, "accepted_by_id": actor.id}
    if (machine.name, to.value) == ("membership", "confirmed"):
        return {"confirmed_at": now, "confirmed_by_id": actor.id}
    if machine.name == "expert_application":
        return {"decided_at": now, "decided_by_id": actor.id, "reason": "심사 기준에 따라 판단했습니다."}
    if machine.name == "payout" and to.value != "requested":
        return {"account_number": None}  # the number is kept only while a payout waits (a CHECK holds it)
    return None


def _events(db, after: int) -> list[AuditEvent]:
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id > after).order_by(AuditEvent.id)).all()


def _last_event_id(db) -> int:
    return db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0


@pytest.mark.parametrize("name, frm, to", _cases())
def test_a_move_succeeds_exactly_when_the_table_has_it(db, name, frm, to):
    machine, make = MACHINES[name]
    obj = _new(name, make, frm)
    prepare(machine, obj, to)  # the guard's own conditions hold, so a refusal below is the table's
    reach(machine, obj, frm)
    if machine.allows(frm, to):
        actor = choose_actor(machine, obj, to)
        values = _values(machine, to, actor)
        before = _last_event_id(db)  # choosing may have made people (a confirmed representative writes entries)
        assert machine.move(obj, to, actor, values=values) == frm
        db.session.commit()
        db.session.expire_all()
        assert machine.state(obj) == to
        (event,) = _events(db, before)
        assert (event.action, event.data) == (f"{machine.name}.{to.value}", {"from": frm.value, "to": to.value})
        assert (event.subject_type, event.subject_id, event.actor_id) == (subject_type(obj), obj.id,
                                                                          getattr(actor, "id", None))
    else:
        for candidate in candidates(machine, obj):
            actor = candidate()
            before = _last_event_id(db)
            with pytest.raises(DomainError) as refused:
                machine.move(obj, to, actor)
            assert refused.value.code == "invalid_transition"
            db.session.commit()
            db.session.expire_all()
            assert machine.state(obj) == frm and _events(db, before) == []


@pytest.mark.parametrize("name", MACHINES)
def test_every_state_can_be_reached(db, name):
    """Each state is on some path from where new objects start: none is declared but dead."""
    machine, _make = MACHINES[name]
    assert [s for s in machine.states if not _reachable(machine, s)] == []


@pytest.mark.parametrize("name", MACHINES)
def test_reach_walks_every_state_through_the_operations(db, name):
    """The helper the other tests rely on gets each machine's objects into every reachable state."""
    machine, make = MACHINES[name]
    for state in machine.states:
        if _reachable(machine, state):
            obj = reach(machine, _new(name, make, state), state)
            db.session.expire_all()
            assert machine.state(obj) == state


def test_a_stale_copy_loses_the_compare_and_set(app, db):
    """move_if moves only the row still in the state the caller saw; the loser changes nothing."""
    membership = make_membership()
    first, second = make_user(roles=["steward"]), make_user(roles=["steward"])
    assert membership.status == "pending"  # this session now holds a copy that will go stale
    assert at_once(app, _confirm_or_lose, [first.id], membership.id, model=Membership) == ["ok"]
    before = _last_event_id(db)
    assert MEMBERSHIP.move_if(membership, MembershipStatus.DECLINED, second) is False
    db.session.commit()
    assert membership.status == "confirmed" and membership.confirmed_by_id == first.id
    assert _events(db, before) == []


@pytest.mark.skipif(not is_postgres(), reason="row-level concurrency is checked in the PostgreSQL run")
def test_two_stewards_deciding_at_once_exactly_one_wins(app, db):
    membership = make_membership()
    stewards = [make_user(roles=["steward"]).id for _ in range(2)]
    outcomes = [o if o == "ok" else o.code for o in at_once(app, _confirm_or_lose, stewards, membership.id,
                                                                model=Membership)]
    assert sorted(outcomes) == ["lost_race", "ok"]
    actions = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.subject_type == "membership", AuditEvent.subject_id == membership.id)).all()
    assert actions == ["membership.confirmed"]


def _confirm_or_lose(membership, steward) -> None:
    if not MEMBERSHIP.move_if(membership, MembershipStatus.CONFIRMED, steward,
                              values={"confirmed_at": utcnow(), "confirmed_by_id": steward.id}):
        raise Conflict(code="lost_race")
