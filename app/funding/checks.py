"""Funding's checks in `flask ledger check`: escrows match their pledges, each payment is booked exactly once.

- each round's escrow holds exactly its paid pledges (succeeded, or refund pending) and paid matches;
- every pledge that was paid has exactly one charge transaction, and no other pledge has one;
- every refunded pledge has exactly one refund transaction, and no other pledge has one;
- a succeeded round that settled moved its raised money out of escrow once;
- a round's cached totals equal its pledges and matches while it is open.
"""
import sqlalchemy as sa

from app.extensions import db
from app.funding.models import Match, MatchingPool, Pledge, Round
from app.funding.states import PledgeStatus, RoundStatus
from app.ledger.checks import register_check
from app.ledger.models import LedgerAccount, LedgerTransaction

P = PledgeStatus
PAID = (P.SUCCEEDED.value, P.REFUND_PENDING.value, P.REFUNDED.value, P.SETTLED.value)


@register_check
def escrows_hold_their_pledges() -> list[str]:
    """Escrow balance = paid pledges still held + paid matches, per round."""
    pledged = (sa.select(Pledge.round_id, sa.func.sum(Pledge.amount).label("won"))
               .where(Pledge.status.in_((P.SUCCEEDED.value, P.REFUND_PENDING.value))).group_by(Pledge.round_id)
               .subquery())
    matched = (sa.select(MatchingPool.round_id, sa.func.sum(Match.amount).label("won"))
               .join(MatchingPool, MatchingPool.id == Match.pool_id).where(Match.status == "paid")
               .group_by(MatchingPool.round_id).subquery())
    escrow = (sa.select(LedgerAccount.owner_id.label("round_id"), LedgerAccount.balance)
              .where(LedgerAccount.kind == "round_escrow").subquery())
    expected = sa.func.coalesce(pledged.c.won, 0) + sa.func.coalesce(matched.c.won, 0)
    held = sa.func.coalesce(escrow.c.balance, 0)
    rows = db.session.execute(sa.select(Round.id, held, expected)
                              .outerjoin(pledged, pledged.c.round_id == Round.id)
                              .outerjoin(matched, matched.c.round_id == Round.id)
                              .outerjoin(escrow, escrow.c.round_id == Round.id)
                              .where(held != expected).order_by(Round.id))
    return [f"round {rid}'s escrow holds {h} won but its paid pledges and matches come to {e}" for rid, h, e in rows]


def _booked(kind: str, wanted_states: tuple[str, ...], what: str) -> list[str]:
    """Pledges in `wanted_states` have exactly one transaction of `kind`; others none."""
    count = (sa.select(LedgerTransaction.reference, sa.func.count(LedgerTransaction.id).label("n"))
             .where(LedgerTransaction.kind == kind).group_by(LedgerTransaction.reference).subquery())
    reference = sa.literal("pledge:") + sa.cast(Pledge.id, sa.String)
    n = sa.func.coalesce(count.c.n, 0)
    should = sa.case((Pledge.status.in_(wanted_states), 1), else_=0)
    rows = db.session.execute(sa.select(Pledge.id, Pledge.status, n).outerjoin(count, count.c.reference == reference)
                              .where(n != should).order_by(Pledge.id))
    return [f"pledge {pid} ({status}) has {k} {what} transaction(s), not {1 if status in wanted_states else 0}"
            for pid, status, k in rows]


@register_check
def each_paid_pledge_charged_once() -> list[str]:
    """One charge per paid pledge; none for a pledge never paid."""
    return _booked("pledge.charge", PAID, "charge")


@register_check
def each_refunded_pledge_refunded_once() -> list[str]:
    """One refund per refunded pledge; none for any other."""
    return _booked("pledge.refund", (P.REFUNDED.value,), "refund")


@register_check
def settled_rounds_settled_once() -> list[str]:
    """A settled round has one settlement of its raised money; an unsettled round none."""
    violations = []
    settlements = dict(db.session.execute(
        sa.select(LedgerTransaction.reference, sa.func.count(LedgerTransaction.id))
        .where(LedgerTransaction.kind == "round.settle").group_by(LedgerTransaction.reference)).all())
    for rid, settled_at, raised in db.session.execute(sa.select(Round.id, Round.settled_at, Round.raised_amount)
                                                      .where(Round.status == RoundStatus.SUCCEEDED.value)):
        n = settlements.get(f"round:{rid}", 0)
        wanted = 1 if settled_at is not None and raised > 0 else 0
        if n != wanted:
            violations.append(f"round {rid} has {n} settlement transaction(s), not {wanted}")
    return violations


@register_check
def open_round_totals_match_pledges() -> list[str]:
    """While a round is open, its raised and committed won equal its pledges' and matches'."""
    violations = []
    for round_ in db.session.scalars(sa.select(Round).where(Round.status == RoundStatus.OPEN.value)):
        paid = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Pledge.amount), 0)).where(
            Pledge.round_id == round_.id, Pledge.status == P.SUCCEEDED.value))
        live = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Pledge.amount), 0)).where(
            Pledge.round_id == round_.id, Pledge.status.in_((P.CREATED.value, P.SUCCEEDED.value))))
        matched = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Match.amount), 0))
                                    .join(MatchingPool, MatchingPool.id == Match.pool_id)
                                    .where(MatchingPool.round_id == round_.id, Match.status == "paid"))
        reserved = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Match.amount), 0))
                                     .join(MatchingPool, MatchingPool.id == Match.pool_id)
                                     .where(MatchingPool.round_id == round_.id, Match.status.in_(("reserved", "paid"))))
        if round_.raised_amount != paid + matched:
            violations.append(f"round {round_.id} shows {round_.raised_amount} won raised, its pledges and matches "
                              f"{paid + matched}")
        if round_.committed_amount != live + reserved:
            violations.append(f"round {round_.id} shows {round_.committed_amount} won committed, its live pledges and "
                              f"matches {live + reserved}")
        if round_.matched_amount != matched:
            violations.append(f"round {round_.id} shows {round_.matched_amount} won matched, its matches {matched}")
    return violations
