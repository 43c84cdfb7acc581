"""Investor limits: how much more a backer may pledge, to a proposal and over any 12 months.

`room()` is the rule as a pure function of the sums (hypothesis checks it in tests); `backer_room()`
reads the sums from the backer's live pledges. Live pledges are those holding money or about to:
created, succeeded, refund pending and settled (a refund pending still counts until it is done).
"""
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from app.core.timeutil import utcnow
from app.extensions import db
from app.funding.models import Pledge
from app.funding.parameters import limits_for
from app.funding.states import LIVE


@dataclass(frozen=True)
class Room:
    """What a backer may still pledge: per proposal, per 12 months, and the smaller (None: no limit)."""

    category: str
    issuer_limit: int | None
    year_limit: int | None
    issuer_used: int
    year_used: int

    @property
    def issuer_left(self) -> int | None:
        """Won left under the per-proposal limit."""
        return None if self.issuer_limit is None else max(self.issuer_limit - self.issuer_used, 0)

    @property
    def year_left(self) -> int | None:
        """Won left under the 12-month limit."""
        return None if self.year_limit is None else max(self.year_limit - self.year_used, 0)

    @property
    def left(self) -> int | None:
        """Won the backer may still pledge to this proposal now; None for no limit."""
        parts = [v for v in (self.issuer_left, self.year_left) if v is not None]
        return min(parts) if parts else None

    def allows(self, amount: int) -> bool:
        """Whether a pledge of `amount` won fits."""
        return self.left is None or amount <= self.left

    def which(self, amount: int) -> str | None:
        """The limit a pledge of `amount` would pass ("issuer" or "year"), or None if it fits."""
        if self.issuer_left is not None and amount > self.issuer_left:
            return "issuer"
        if self.year_left is not None and amount > self.year_left:
            return "year"
        return None


def room(category: str, issuer_used: int, year_used: int, limits: tuple[int, int] | None) -> Room:
    """The rule: the category's limits less what the backer has live with the issuer and in the last 12 months."""
    issuer_limit, year_limit = limits if limits is not None else (None, None)
    return Room(category, issuer_limit, year_limit, issuer_used, year_used)


def used(backer_id: int, proposal_id: int, now=None) -> tuple[int, int]:
    """(won live with this proposal, won live in the 12 months before `now`), from the backer's pledges."""
    since = (now or utcnow()) - timedelta(days=365)
    live = sa.and_(Pledge.backer_id == backer_id, Pledge.status.in_(LIVE))
    issuer, year = db.session.execute(sa.select(
        sa.func.coalesce(sa.func.sum(sa.case((Pledge.proposal_id == proposal_id, Pledge.amount), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((Pledge.created_at > since, Pledge.amount), else_=0)), 0),
    ).where(live)).one()
    return int(issuer), int(year)


def backer_room(user, proposal_id: int, now=None) -> Room:
    """What the user may still pledge to the proposal, under their verified category's limits."""
    category = user.investor_category or "general"
    issuer_used, year_used = used(user.id, proposal_id, now)
    return room(category, issuer_used, year_used, limits_for(category))
