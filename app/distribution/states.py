"""The machines of distribution: revenue reports and payouts."""
import enum

from flask_babel import lazy_gettext as _l

from app.core.errors import PermissionDenied
from app.core.parties import refuse_party, register_parties
from app.core.states import Machine, anyone


def _steward(row, user) -> None:
    """A steward who is not a party to the matter."""
    if not (user and getattr(user, "is_authenticated", False) and user.has_role("steward")):
        raise PermissionDenied(_l("Only stewards can do this."), code="not_steward")
    refuse_party(row, user)


class ReportStatus(str, enum.Enum):
    """A revenue report: filed, its pool paid in, distributed (or rejected by a steward)."""

    REPORTED = "reported"
    POOL_PAID = "pool_paid"
    DISTRIBUTED = "distributed"
    REJECTED = "rejected"


R = ReportStatus
REPORT = Machine("revenue_report", ReportStatus, {
    (R.REPORTED, R.POOL_PAID): _steward,      # a steward who is not a party records the team's transfer
    (R.POOL_PAID, R.DISTRIBUTED): anyone,     # the platform splits it, by the frozen terms
    (R.REPORTED, R.REJECTED): _steward,       # wrong figures or evidence: the team files again
}, {R.REPORTED: _l("Reported, pool not paid in yet"), R.POOL_PAID: _l("Pool paid in"),
    R.DISTRIBUTED: _l("Distributed"), R.REJECTED: _l("Rejected")})


class PayoutStatus(str, enum.Enum):
    """A request to pay out wallet money to a bank account (or a connected Stripe account)."""

    REQUESTED = "requested"
    PAID = "paid"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


def _owner(payout, user) -> None:
    if not (user and getattr(user, "is_authenticated", False) and user.id == payout.user_id):
        raise PermissionDenied(_l("Only its owner can cancel a payout."), code="not_owner")


Q = PayoutStatus
PAYOUT = Machine("payout", PayoutStatus, {
    (Q.REQUESTED, Q.PAID): _steward,
    (Q.REQUESTED, Q.REJECTED): _steward,
    (Q.REQUESTED, Q.CANCELLED): _owner,
}, {Q.REQUESTED: _l("Requested"), Q.PAID: _l("Paid"), Q.REJECTED: _l("Rejected"), Q.CANCELLED: _l("Cancelled")})


def _report_parties(report, user) -> bool:
    from app.core.parties import is_party

    return is_party(report.proposal, user)


#: a report's parties are its proposal's (lead expert, proposer, team); a payout's, the person paid
register_parties("revenue_report", _report_parties)
register_parties("payout", lambda payout, user: payout.user_id == user.id)
