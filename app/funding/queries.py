"""Funding reads shared by pages and the API. None of them writes."""
import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.funding.limits import backer_room, room, used
from app.funding.models import Holding, InvestorProfile, Match, MatchingPool, Pledge, Round, RoundQuestion
from app.funding.parameters import limits_for
from app.funding.states import PledgeStatus, PoolStatus, RoundStatus, VerificationStatus
from app.proposals.models import Proposal

P = PledgeStatus
PUBLIC_ROUND = (RoundStatus.APPROVED.value, RoundStatus.OPEN.value, RoundStatus.SUCCEEDED.value,
                RoundStatus.FAILED.value, RoundStatus.CANCELLED.value)


def round_visible_to(round_: Round | None, user) -> bool:
    """Drafts are seen by the proposal's lead expert and stewards; the rest by everyone."""
    if round_ is None:
        return False
    if round_.status in PUBLIC_ROUND:
        return True
    return bool(user and user.is_authenticated and (round_.proposal.is_lead(user) or user.has_role("steward")))


def rounds_of(proposal: Proposal) -> list[Round]:
    """A proposal's rounds, newest first."""
    return db.session.scalars(sa.select(Round).where(Round.proposal_id == proposal.id)
                              .order_by(Round.id.desc())).all()


def current_round(proposal_id: int) -> Round | None:
    """The proposal's latest round that is announced, open or closed (drafts aside)."""
    return db.session.scalar(sa.select(Round).where(Round.proposal_id == proposal_id, Round.status.in_(PUBLIC_ROUND))
                             .order_by(Round.id.desc()).limit(1))


def rounds_query(status: str | None = None) -> sa.Select:
    """Public rounds: open first by closing time, then the rest newest first; `status` narrows them. Never drafts,
    whatever is asked: a caller that checked its viewer reads them with `draft_rounds_query`."""
    stmt = sa.select(Round).where(Round.status.in_(PUBLIC_ROUND))
    if status:
        return stmt.where(Round.status == status).order_by(Round.closes_at, Round.id)
    return stmt.order_by(Round.status != RoundStatus.OPEN.value, Round.closes_at.desc(), Round.id.desc())


def rounds_awaiting_approval() -> list[Round]:
    """Drafts a steward could approve, oldest first."""
    return db.session.scalars(sa.select(Round).where(Round.status == RoundStatus.DRAFT.value)
                              .order_by(Round.created_at, Round.id)).all()


def pools_of(round_: Round) -> list[MatchingPool]:
    """The round's matching pools, in the order they match."""
    return db.session.scalars(sa.select(MatchingPool).where(MatchingPool.round_id == round_.id)
                              .order_by(MatchingPool.id)).all()


def active_pools(round_: Round) -> list[MatchingPool]:
    """The pools matching the round's pledges now."""
    return [p for p in pools_of(round_) if p.status == PoolStatus.ACTIVE.value]


def pools_awaiting_deposit() -> list[MatchingPool]:
    """Offers whose deposit a steward has yet to record, oldest first."""
    return db.session.scalars(sa.select(MatchingPool).where(
        MatchingPool.status == PoolStatus.AWAITING_DEPOSIT.value).order_by(MatchingPool.created_at)).all()


def questions_of(round_: Round) -> list[RoundQuestion]:
    """The round's questions and answers, oldest first."""
    return db.session.scalars(sa.select(RoundQuestion).where(RoundQuestion.round_id == round_.id)
                              .order_by(RoundQuestion.id)).all()


def pledges_of(user, round_: Round | None = None) -> list[Pledge]:
    """A backer's pledges (in one round, or all), newest first."""
    stmt = sa.select(Pledge).where(Pledge.backer_id == user.id)
    if round_ is not None:
        stmt = stmt.where(Pledge.round_id == round_.id)
    return db.session.scalars(stmt.options(so.joinedload(Pledge.round).joinedload(Round.proposal))
                              .order_by(Pledge.id.desc())).unique().all()


def room_for(user, round_: Round):
    """The backer's limits and what is left of them for this round's proposal (None when not logged in)."""
    if not (user and user.is_authenticated):
        return None
    return backer_room(user, round_.proposal_id)


def year_room(user):
    """The backer's limits and what is left of them over the last 12 months, whatever the proposal (the API's
    /me/investor; the per-proposal part reads as nothing used)."""
    category = user.investor_category or "general"
    _issuer, year = used(user.id, 0, None)  # no proposal has id 0
    return room(category, 0, year, limits_for(category))


def questions_query(round_: Round) -> sa.Select:
    """The round's questions and answers, oldest first, as a SELECT to page through."""
    return sa.select(RoundQuestion).where(RoundQuestion.round_id == round_.id).order_by(RoundQuestion.id)


def draft_rounds_query() -> sa.Select:
    """Drafts (for stewards, who approve them), oldest first."""
    return sa.select(Round).where(Round.status == RoundStatus.DRAFT.value).order_by(Round.created_at, Round.id)


def holdings_of(user) -> list[Holding]:
    """A person's units per proposal."""
    return db.session.scalars(sa.select(Holding).where(Holding.user_id == user.id, Holding.units > 0)
                              .order_by(Holding.proposal_id)).all()


def cap_table(proposal_id: int) -> list[Holding]:
    """Every holding of a proposal, largest first (pages show counts and organizations, never people)."""
    return db.session.scalars(sa.select(Holding).where(Holding.proposal_id == proposal_id, Holding.units > 0)
                              .order_by(Holding.units.desc(), Holding.id)).all()


def units_outstanding(proposal_id: int) -> int:
    """All units issued for a proposal."""
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Holding.units), 0))
                             .where(Holding.proposal_id == proposal_id))


def portfolio(user) -> list[dict]:
    """Per proposal the backer has pledged to: units held, won invested, refunded and pending, and the pledges."""
    pledges = pledges_of(user)
    holdings = {h.proposal_id: h for h in holdings_of(user)}
    rows: dict[int, dict] = {}
    for pledge in pledges:
        row = rows.setdefault(pledge.proposal_id, {
            "proposal": pledge.round.proposal, "units": 0, "invested_amount": 0, "refunded_amount": 0,
            "in_escrow_amount": 0, "pledges": []})
        row["pledges"].append(pledge)
        if pledge.status == P.REFUNDED.value:
            row["refunded_amount"] += pledge.amount
        elif pledge.status in (P.SUCCEEDED.value, P.REFUND_PENDING.value):
            row["in_escrow_amount"] += pledge.amount
    for proposal_id, row in rows.items():
        holding = holdings.get(proposal_id)
        if holding is not None:
            row["units"], row["invested_amount"] = holding.units, holding.invested_amount
    return list(rows.values())


def pending_verifications() -> list[InvestorProfile]:
    """Category requests waiting for a steward, oldest first."""
    return db.session.scalars(sa.select(InvestorProfile).where(
        InvestorProfile.status == VerificationStatus.PENDING.value).order_by(InvestorProfile.created_at)).all()


def verification_of(user) -> InvestorProfile | None:
    """The user's latest category request."""
    return db.session.scalar(sa.select(InvestorProfile).where(InvestorProfile.user_id == user.id)
                             .order_by(InvestorProfile.id.desc()).limit(1))


def backers_of(proposal_id: int) -> list[int]:
    """Ids of everyone with money in or units of a proposal (for telling them its news)."""
    return list(db.session.scalars(sa.select(Pledge.backer_id).where(
        Pledge.proposal_id == proposal_id, Pledge.status.in_((P.SUCCEEDED.value, P.SETTLED.value))).distinct()))


def matches_in(round_: Round) -> list[Match]:
    """The round's paid or settled matches."""
    return db.session.scalars(sa.select(Match).join(MatchingPool, MatchingPool.id == Match.pool_id).where(
        MatchingPool.round_id == round_.id, Match.status.in_(("paid", "settled")))).all()


# reads for the pages
def backers_select(proposal_id: int) -> sa.Select:
    """The ids `backers_of` returns, as a SELECT (to notify a crowd in one INSERT ... SELECT)."""
    return sa.select(Pledge.backer_id).where(
        Pledge.proposal_id == proposal_id, Pledge.status.in_((P.SUCCEEDED.value, P.SETTLED.value))).distinct()


def round_backers_select(round_id: int) -> sa.Select:
    """Ids of everyone with money in a round now (paid, being refunded, or settled), each once."""
    return sa.select(Pledge.backer_id).where(
        Pledge.round_id == round_id,
        Pledge.status.in_((P.SUCCEEDED.value, P.REFUND_PENDING.value, P.SETTLED.value))).distinct()


def round_for_proposal_page(proposal: Proposal, user) -> Round | None:
    """The round a proposal's page shows this viewer: the latest public one, or a draft to its lead and stewards."""
    latest = db.session.scalar(sa.select(Round).where(Round.proposal_id == proposal.id)
                               .order_by(Round.id.desc()).limit(1))
    if latest is not None and round_visible_to(latest, user):
        return latest
    return current_round(proposal.id)


def has_active_round(proposal_id: int) -> bool:
    """Whether the proposal has a round in preparation or open (a new one cannot be drafted then)."""
    return db.session.scalar(sa.select(Round.id).where(
        Round.proposal_id == proposal_id,
        Round.status.in_((RoundStatus.DRAFT.value, RoundStatus.APPROVED.value, RoundStatus.OPEN.value)))
        .limit(1)) is not None
