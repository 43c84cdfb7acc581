"""Distribution's checks in `flask ledger check`: pools, lines, wallets and payout holds agree with the ledger.

- a report's pool account holds its pool while paid in, and nothing once distributed (or before);
- a distributed report's lines sum exactly to its pool, and each line has exactly one ledger transaction;
- every wallet's distribution credits equal the person's net lines (statements equal the ledger);
- each payout's hold holds its amount while requested, and nothing once decided.
"""
import sqlalchemy as sa

from app.distribution.models import DistributionLine, Payout, RevenueReport
from app.extensions import db
from app.ledger.checks import register_check
from app.ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction


@register_check
def revenue_pools_hold_what_they_should() -> list[str]:
    """Pool balance: the pool when paid in, 0 otherwise."""
    pools = (sa.select(LedgerAccount.owner_id.label("report_id"), LedgerAccount.balance)
             .where(LedgerAccount.kind == "revenue_pool").subquery())
    held = sa.func.coalesce(pools.c.balance, 0)
    expected = sa.case((RevenueReport.status == "pool_paid", RevenueReport.pool_amount), else_=0)
    rows = db.session.execute(sa.select(RevenueReport.id, RevenueReport.status, held, expected)
                              .outerjoin(pools, pools.c.report_id == RevenueReport.id).where(held != expected))
    return [f"revenue report {rid} ({status}) has {h} won in its pool, not {e}" for rid, status, h, e in rows]


@register_check
def distributions_sum_to_their_pools() -> list[str]:
    """A distributed report's lines sum to its pool; each line is booked once."""
    violations = []
    sums = dict(db.session.execute(sa.select(DistributionLine.report_id, sa.func.sum(DistributionLine.gross_amount))
                                   .group_by(DistributionLine.report_id)).all())
    for rid, pool in db.session.execute(sa.select(RevenueReport.id, RevenueReport.pool_amount)
                                        .where(RevenueReport.status == "distributed")):
        if sums.get(rid, 0) != pool:
            violations.append(f"revenue report {rid}'s lines sum to {sums.get(rid, 0)}, its pool is {pool}")
    booked = dict(db.session.execute(sa.select(LedgerTransaction.reference, sa.func.count(LedgerTransaction.id))
                                     .where(LedgerTransaction.kind.like("revenue.%"),
                                            LedgerTransaction.kind != "revenue.pool_paid")
                                     .group_by(LedgerTransaction.reference)).all())
    lines = dict(db.session.execute(sa.select(DistributionLine.report_id, sa.func.count(DistributionLine.id))
                                    .group_by(DistributionLine.report_id)).all())
    for rid, n in lines.items():
        if booked.get(f"revenue_report:{rid}", 0) != n:
            violations.append(f"revenue report {rid} has {n} lines but {booked.get(f'revenue_report:{rid}', 0)} "
                              f"ledger transactions")
    return violations


@register_check
def wallets_equal_statements() -> list[str]:
    """Each person's wallet credits from distributions equal their statement's net lines."""
    credits = dict(db.session.execute(
        sa.select(LedgerAccount.owner_id, sa.func.sum(LedgerEntry.amount))
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerAccount.kind == "wallet", LedgerTransaction.kind.in_(
            ("revenue.proposer", "revenue.contributor", "revenue.backer")))
        .group_by(LedgerAccount.owner_id)).all())
    lines = dict(db.session.execute(sa.select(DistributionLine.user_id, sa.func.sum(DistributionLine.net_amount))
                                    .where(DistributionLine.user_id.is_not(None))
                                    .group_by(DistributionLine.user_id)).all())
    return [f"user {uid}'s wallet got {credits.get(uid, 0)} won from distributions, their statement says "
            f"{lines.get(uid, 0)}" for uid in sorted(set(credits) | set(lines)) if credits.get(uid, 0) != lines.get(uid, 0)]


@register_check
def payout_holds_match_requests() -> list[str]:
    """A requested payout's hold holds its amount; a decided one holds nothing."""
    holds = (sa.select(LedgerAccount.owner_id.label("payout_id"), LedgerAccount.balance)
             .where(LedgerAccount.kind == "payout_hold").subquery())
    held = sa.func.coalesce(holds.c.balance, 0)
    expected = sa.case((Payout.status == "requested", Payout.amount), else_=0)
    rows = db.session.execute(sa.select(Payout.id, Payout.status, held, expected)
                              .outerjoin(holds, holds.c.payout_id == Payout.id).where(held != expected))
    return [f"payout {pid} ({status}) holds {h} won, not {e}" for pid, status, h, e in rows]
