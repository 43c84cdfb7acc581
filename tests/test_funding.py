"""Rounds and pledges against a real localstripe: charge into escrow, decline, cap, limits, cancel, close."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.errors import Conflict, DomainError, InvalidInput, PermissionDenied
from app.core.timeutil import as_utc
from app.funding.models import Holding, Pledge
from app.funding.pledging import PledgeRefused
from app.ledger.queries import balance, find_account
from tests.fixtures.funding import DECLINED, close_at_end, ledger_violations


def escrow_of(round_) -> int:
    return balance(find_account("round_escrow", "round", round_.id))


def test_a_pledge_is_charged_into_escrow(db, create_round, place, create_user):
    round_ = create_round(unit_price=10_000)
    backer = create_user()
    pledge = place(round_, backer, units=3)
    assert (pledge.status, pledge.amount) == ("succeeded", 30_000)
    assert pledge.payment_intent_id.startswith("pi_") and pledge.succeeded_at is not None
    db.session.refresh(round_)
    assert (round_.raised_amount, round_.committed_amount, round_.backer_count) == (30_000, 30_000, 1)
    assert escrow_of(round_) == 30_000
    assert balance(find_account("processor")) == -30_000
    assert ledger_violations() == []


def test_a_declined_card_leaves_a_failed_pledge_and_no_entry(db, create_round, place, create_user):
    round_ = create_round()
    with pytest.raises(PledgeRefused) as refused:
        place(round_, create_user(), units=2, card=DECLINED)
    assert refused.value.code == "card_declined"
    pledge = db.session.scalar(sa.select(Pledge))
    assert pledge.status == "failed" and pledge.failed_at is not None and pledge.last_error
    db.session.refresh(round_)
    assert (round_.raised_amount, round_.committed_amount) == (0, 0)
    assert find_account("round_escrow", "round", round_.id) is None
    assert ledger_violations() == []


@pytest.mark.parametrize("units, code", [(0, "validation_failed"), (-1, "validation_failed"),
                                         (1.5, "validation_failed"), (True, "validation_failed"),
                                         (201, "over_cap")])
def test_bad_units_are_refused_and_nothing_moves(db, create_round, place, create_user, units, code):
    round_ = create_round(cap_amount=2_000_000, unit_price=10_000)
    with pytest.raises(DomainError) as refused:
        place(round_, create_user(), units=units)
    assert refused.value.code == code
    assert db.session.scalar(sa.select(sa.func.count(Pledge.id))) == 0
    assert find_account("processor") is None


def test_the_general_investor_limit_per_proposal(db, create_round, place, create_user):
    round_ = create_round(target_amount=5_000_000, cap_amount=20_000_000, unit_price=100_000)
    backer = create_user()
    place(round_, backer, units=50)  # 5,000,000 won: the whole limit
    with pytest.raises(PledgeRefused) as refused:
        place(round_, backer, units=1)
    assert refused.value.code == "over_limit"
    assert db.session.scalar(sa.select(sa.func.count(Pledge.id))) == 1
    assert ledger_violations() == []


def test_an_unverified_category_does_not_count(db, create_round, place, create_user):
    round_ = create_round()
    with pytest.raises(PledgeRefused) as refused:
        place(round_, create_user(), units=1, category="professional")
    assert refused.value.code == "category_not_verified"


def test_the_team_cannot_back_its_own_round(db, create_round, place):
    round_ = create_round()
    with pytest.raises(PermissionDenied):
        place(round_, round_.proposal.lead_expert, units=1)
    with pytest.raises(PermissionDenied):
        place(round_, round_.proposal.proposer, units=1)


def test_a_round_not_open_takes_no_pledge(db, create_round, place, create_user):
    round_ = create_round(status="approved")
    with pytest.raises(PledgeRefused) as refused:
        place(round_, create_user(), units=1)
    assert refused.value.code == "round_not_open"


def test_cancel_refunds_through_stripe_once(db, create_round, place, create_user):
    from app.funding.workflows import cancel

    round_ = create_round()
    backer = create_user()
    pledge = place(round_, backer, units=4)
    cancel(pledge, backer)
    assert pledge.status == "refunded" and pledge.refund_id.startswith("re_") and pledge.refund_reason == "cancelled"
    db.session.refresh(round_)
    assert (round_.raised_amount, round_.committed_amount, round_.backer_count) == (0, 0, 0)
    assert escrow_of(round_) == 0 and balance(find_account("processor")) == 0
    with pytest.raises(Conflict) as twice:
        cancel(pledge, backer)
    assert twice.value.code == "already_cancelled"
    assert ledger_violations() == []


def test_someone_else_cannot_cancel(db, create_round, place, create_user):
    from app.funding.workflows import cancel

    round_ = create_round()
    pledge = place(round_, create_user(), units=1)
    with pytest.raises(PermissionDenied):
        cancel(pledge, create_user())
    assert pledge.status == "succeeded"


def test_cancelling_stops_48_hours_before_closing(db, create_round, place, create_user):
    from app.funding.pledging import cancel_pledge

    round_ = create_round()
    backer = create_user()
    pledge = place(round_, backer, units=1)
    with pytest.raises(Conflict) as late:
        cancel_pledge(pledge, backer, now=as_utc(round_.closes_at) - timedelta(hours=47))
    assert late.value.code == "past_cutoff"
    cancel_pledge(pledge, backer, now=as_utc(round_.closes_at) - timedelta(hours=49))
    assert pledge.status == "refund_pending"


def test_a_round_that_reaches_its_target_settles_to_the_treasury_less_the_fee(db, create_round, place, create_user):
    round_ = create_round(target_amount=100_000, cap_amount=300_000, unit_price=10_000)
    first, second = create_user(), create_user()
    place(round_, first, units=6)
    place(round_, second, units=3)
    place(round_, first, units=2)
    assert close_at_end(round_) == "succeeded"
    assert round_.settled_at is not None and round_.fee_amount == 110_000 * 500 // 10_000
    assert escrow_of(round_) == 0
    assert balance(find_account("proposal_treasury", "proposal", round_.proposal_id)) == 110_000 - 5_500
    assert balance(find_account("fees")) == 5_500
    held = {h.user_id: (h.units, h.invested_amount) for h in db.session.scalars(sa.select(Holding))}
    assert held == {first.id: (8, 80_000), second.id: (3, 30_000)}
    assert set(db.session.scalars(sa.select(Pledge.status))) == {"settled"}
    assert close_at_end(round_) == "succeeded"  # again: nothing changes
    assert balance(find_account("fees")) == 5_500
    assert ledger_violations() == []


def test_a_round_below_target_refunds_every_pledge(db, create_round, place, create_user):
    round_ = create_round(target_amount=1_000_000, unit_price=10_000)
    for units in (3, 5, 7):
        place(round_, create_user(), units=units)
    assert close_at_end(round_) == "failed"
    pledges = db.session.scalars(sa.select(Pledge)).all()
    assert {p.status for p in pledges} == {"refunded"} and {p.refund_reason for p in pledges} == {"round_failed"}
    assert escrow_of(round_) == 0 and balance(find_account("processor")) == 0
    assert db.session.scalar(sa.select(sa.func.count(Holding.id))) == 0
    assert ledger_violations() == []


def test_a_round_is_not_closed_before_its_time(db, create_round):
    from app.funding.workflows import close

    round_ = create_round()
    with pytest.raises(Conflict) as early:
        close(round_)
    assert early.value.code == "not_due"


def test_drafting_checks_the_numbers(db, create_proposal):
    from app.core.timeutil import utcnow
    from app.funding.operations import draft_round
    from tests.fixtures.proposals import make_proposal

    proposal = make_proposal("funding")
    now = utcnow()
    with pytest.raises(InvalidInput) as bad:
        draft_round(proposal, proposal.lead_expert, {
            "target_amount": 100, "cap_amount": 50, "unit_price": 0, "opens_at": now - timedelta(days=3),
            "closes_at": now + timedelta(days=90), "offering_summary": "", "risk_statement": "x"})
    assert {"cap_amount", "unit_price", "opens_at", "offering_summary"} <= set(bad.value.fields)
