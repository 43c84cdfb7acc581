"""The machines of funding: rounds, pledges, matching pools and investor-category requests."""
import enum

from flask_babel import lazy_gettext as _l

from app.core.errors import PermissionDenied
from app.core.parties import refuse_party, register_parties
from app.core.states import Machine, anyone
from app.funding.signals import round_cancelled, round_failed, round_opened, round_succeeded


class RoundStatus(str, enum.Enum):
    """Where a funding round stands (all or nothing)."""

    DRAFT = "draft"
    APPROVED = "approved"
    OPEN = "open"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


def _lead(round_, user) -> None:
    if not round_.proposal.can_edit(user):
        raise PermissionDenied(_l("Only the lead expert can do this."), code="not_lead")


def _steward(row, user) -> None:
    """A steward who is not a party to the round's proposal."""
    if not (user and getattr(user, "is_authenticated", False) and user.has_role("steward")):
        raise PermissionDenied(_l("Only stewards can do this."), code="not_steward")
    refuse_party(row, user)


def _lead_or_steward(round_, user) -> None:
    if user is None:  # the platform's own schedule (`flask rounds open-due`)
        return
    if round_.proposal.can_edit(user):
        return
    _steward(round_, user)


R = RoundStatus
ROUND = Machine("round", RoundStatus, {
    (R.DRAFT, R.APPROVED): _steward,
    (R.APPROVED, R.DRAFT): _lead_or_steward,     # back to work: the terms change
    (R.APPROVED, R.OPEN): _lead_or_steward,       # at opens_at (checked by the operation)
    (R.OPEN, R.SUCCEEDED): anyone,                # closing decides, by the numbers
    (R.OPEN, R.FAILED): anyone,
    (R.DRAFT, R.CANCELLED): _lead_or_steward,
    (R.APPROVED, R.CANCELLED): _lead_or_steward,
    (R.OPEN, R.CANCELLED): _steward,              # every pledge is refunded
}, {R.DRAFT: _l("Draft"), R.APPROVED: _l("Approved, opening soon"), R.OPEN: _l("Open for pledges"),
    R.SUCCEEDED: _l("Funded"), R.FAILED: _l("Not funded"), R.CANCELLED: _l("Cancelled")},
    events={R.OPEN: round_opened, R.SUCCEEDED: round_succeeded, R.FAILED: round_failed, R.CANCELLED: round_cancelled})


class PledgeStatus(str, enum.Enum):
    """A backer's pledge: charged into escrow at once, then refunded or settled."""

    CREATED = "created"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUND_PENDING = "refund_pending"
    REFUNDED = "refunded"
    SETTLED = "settled"


P = PledgeStatus
#: pledges are a backer's own money: their moves are not in the public log (the round's are, and the
#: ledger holds every won); each state keeps its own time on the row instead
PLEDGE = Machine("pledge", PledgeStatus, {
    (P.CREATED, P.SUCCEEDED): anyone,
    (P.CREATED, P.FAILED): anyone,
    (P.SUCCEEDED, P.REFUND_PENDING): anyone,     # cancelled by the backer, or the round failed
    (P.SUCCEEDED, P.SETTLED): anyone,            # the round succeeded: escrow to the treasury
    (P.REFUND_PENDING, P.REFUNDED): anyone,
}, {P.CREATED: _l("Processing"), P.SUCCEEDED: _l("Paid into escrow"), P.FAILED: _l("Payment failed"),
    P.REFUND_PENDING: _l("Refund pending"), P.REFUNDED: _l("Refunded"), P.SETTLED: _l("Invested")},
    audited=False)

#: pledges that hold room under the round's cap and count against the backer's limits
LIVE = (P.CREATED.value, P.SUCCEEDED.value, P.REFUND_PENDING.value, P.SETTLED.value)
#: pledges whose money is in the round's escrow
IN_ESCROW = (P.SUCCEEDED.value,)


class PoolStatus(str, enum.Enum):
    """A matching pool: waiting for its deposit, matching, then closed with the round."""

    AWAITING_DEPOSIT = "awaiting_deposit"
    ACTIVE = "active"
    CLOSED = "closed"
    CANCELLED = "cancelled"


M = PoolStatus
MATCHING_POOL = Machine("matching_pool", PoolStatus, {
    (M.AWAITING_DEPOSIT, M.ACTIVE): _steward,     # the deposit arrived
    (M.AWAITING_DEPOSIT, M.CANCELLED): anyone,    # by its organization, or the round closed first
    (M.ACTIVE, M.CLOSED): anyone,                 # the round closed: what is left goes back
}, {M.AWAITING_DEPOSIT: _l("Waiting for the deposit"), M.ACTIVE: _l("Matching"), M.CLOSED: _l("Closed"),
    M.CANCELLED: _l("Cancelled")})


class VerificationStatus(str, enum.Enum):
    """A backer's request to count as a qualified or professional investor."""

    PENDING = "pending"
    VERIFIED = "verified"
    DECLINED = "declined"


V = VerificationStatus
INVESTOR_VERIFICATION = Machine("investor_verification", VerificationStatus, {
    (V.PENDING, V.VERIFIED): _steward, (V.PENDING, V.DECLINED): _steward,
}, {V.PENDING: _l("Waiting for a steward"), V.VERIFIED: _l("Verified"), V.DECLINED: _l("Declined")})


def _round_parties(round_, user) -> bool:
    from app.core.parties import is_party

    return is_party(round_.proposal, user)


def _pool_parties(pool, user) -> bool:
    from app.proposals.models import Organization

    return user.id == pool.created_by_id or Organization.represented_by(pool.organization_id, user) \
        or _round_parties(pool.round, user)


#: the parties: a round's are its proposal's (lead expert, proposer, team); a pool's, its organization's
#: representatives and the round's; a pledge's, its backer; a category request's, the backer
register_parties("round", _round_parties)
register_parties("matching_pool", _pool_parties)
register_parties("pledge", lambda pledge, user: pledge.backer_id == user.id)
register_parties("investor_profile", lambda profile, user: profile.user_id == user.id)
