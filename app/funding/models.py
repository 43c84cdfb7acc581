"""Rounds, pledges, the cap table, investor profiles, matching pools and the payment events received.

Every amount is integer won (`BigInteger`). The database holds the money rules it can: a round's
committed money never passes its cap, a pool's reserved money never passes its cap, a pledge's
amount is positive and whole units, a payment intent and a webhook event are recorded once.
"""
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.auth.models import User
from app.core.timeutil import as_utc, utcnow
from app.extensions import db
from app.funding.states import (
    INVESTOR_VERIFICATION, MATCHING_POOL, PLEDGE, ROUND, PledgeStatus, PoolStatus, RoundStatus, VerificationStatus,
)
from app.proposals.models import Organization, Proposal


def _in(enum_) -> str:
    return ", ".join(f"'{s.value}'" for s in enum_)


INVESTOR_CATEGORIES = ("general", "qualified", "professional")


class Round(db.Model):
    """A funding round of a proposal: target, cap and unit price in won, open from `opens_at` to `closes_at`."""

    __tablename__ = "rounds"
    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_in(RoundStatus)})", name="status_known"),
        sa.CheckConstraint("target_amount > 0", name="target_positive"),
        sa.CheckConstraint("cap_amount >= target_amount", name="cap_at_least_target"),
        sa.CheckConstraint("unit_price > 0", name="unit_price_positive"),
        sa.CheckConstraint("min_units >= 1", name="min_units_positive"),
        sa.CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        sa.CheckConstraint("committed_amount >= 0 AND committed_amount <= cap_amount", name="committed_within_cap"),
        sa.CheckConstraint("raised_amount >= 0 AND raised_amount <= committed_amount", name="raised_within_committed"),
        sa.CheckConstraint("matched_amount >= 0 AND matched_amount <= raised_amount", name="matched_within_raised"),
        sa.CheckConstraint("backer_count >= 0", name="backer_count_nonnegative"),
        sa.CheckConstraint("fee_amount >= 0", name="fee_nonnegative"),
        sa.Index("ix_rounds_status_closes", "status", "closes_at"),
        sa.Index("ix_rounds_status_opens", "status", "opens_at"),
        sa.Index("ix_rounds_proposal", "proposal_id", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    proposal_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("proposals.id", ondelete="RESTRICT"))
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default=RoundStatus.DRAFT.value)
    target_amount: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    cap_amount: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    unit_price: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    min_units: so.Mapped[int] = so.mapped_column(default=1)
    opens_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
    closes_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
    offering_summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    risk_statement: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: raised by one each time the risk statement changes; a backer acknowledges a version
    risk_version: so.Mapped[int] = so.mapped_column(default=1)
    #: won held by live pledges and their matches (reserved before any charge): never above the cap
    committed_amount: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    #: won paid into escrow (citizens' pledges and matches), less refunds
    raised_amount: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    #: the part of `raised_amount` that matching pools added
    matched_amount: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    #: people with money in the round now
    backer_count: so.Mapped[int] = so.mapped_column(default=0)
    #: the platform fee taken at settlement (0 until then)
    fee_amount: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    approved_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    opened_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    closed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    #: set when a succeeded round's escrow has moved to the treasury and its units are issued
    settled_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    proposal: so.Mapped[Proposal] = so.relationship(lazy="joined", innerjoin=True)

    @property
    def status_label(self) -> str:
        """The status in the current language."""
        return ROUND.label(self.status)

    @property
    def is_open(self) -> bool:
        """Whether the round takes pledges now (open, and its time not up)."""
        now = utcnow()
        return (self.status == RoundStatus.OPEN.value and as_utc(self.opens_at) <= now < as_utc(self.closes_at))

    @property
    def room_amount(self) -> int:
        """Won still available under the cap."""
        return max(self.cap_amount - self.committed_amount, 0)

    @property
    def days(self) -> int:
        """How many days the round runs."""
        return (as_utc(self.closes_at) - as_utc(self.opens_at)).days

    def cancel_cutoff(self, hours: int) -> datetime:
        """The last moment a backer may cancel: `hours` before the round closes."""
        return as_utc(self.closes_at) - timedelta(hours=hours)

    def percent_of_target(self) -> int:
        """Raised money as a whole percentage of the target (may pass 100)."""
        return self.raised_amount * 100 // self.target_amount

    def can_edit(self, user) -> bool:
        """The lead expert edits a round while it is a draft."""
        return self.status == RoundStatus.DRAFT.value and self.proposal.can_edit(user)

    def can_approve(self, user) -> bool:
        """A steward who is not a party approves a draft."""
        return ROUND.can(self, RoundStatus.APPROVED, user)

    def can_pledge(self, user) -> bool:
        """A verified, unrestricted user who is not on the team may pledge while the round is open."""
        from app.core.parties import is_party

        return bool(self.is_open and user and user.is_authenticated and user.can_participate()
                    and not is_party(self, user))

    def can_close(self, user) -> bool:
        """Stewards close a round whose time is up (the CLI does it for every due round)."""
        return bool(user and user.is_authenticated and user.has_role("steward") and self.status == "open"
                    and as_utc(self.closes_at) <= utcnow())

    def __repr__(self) -> str:
        return f"<Round {self.id} {self.status}>"


class Pledge(db.Model):
    """A backer's whole units of a round, charged at once into the round's escrow."""

    __tablename__ = "pledges"
    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_in(PledgeStatus)})", name="status_known"),
        sa.CheckConstraint("units > 0", name="units_positive"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint(f"investor_category IN ({', '.join(repr(c) for c in INVESTOR_CATEGORIES)})",
                           name="investor_category_known"),
        sa.CheckConstraint("(status = 'succeeded') <= (succeeded_at IS NOT NULL)", name="succeeded_when"),
        sa.CheckConstraint("(status = 'failed') <= (failed_at IS NOT NULL)", name="failed_when"),
        sa.CheckConstraint("(status = 'refunded') <= (refunded_at IS NOT NULL)", name="refunded_when"),
        sa.CheckConstraint("(status = 'settled') <= (settled_at IS NOT NULL)", name="settled_when"),
        sa.Index("ix_pledges_round_status", "round_id", "status", "id"),
        sa.Index("ix_pledges_backer_created", "backer_id", "created_at"),
        sa.Index("ix_pledges_status_id", "status", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rounds.id", ondelete="RESTRICT"))
    backer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    #: the proposal (the issuer), copied from the round so limits per issuer read one index
    proposal_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("proposals.id", ondelete="RESTRICT"), index=True)
    units: so.Mapped[int] = so.mapped_column()
    amount: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    #: random and unique: names the pledge to the payment processor (metadata, idempotency keys), so two
    #: databases sharing one processor account (staging and production, test runs) never mix their pledges
    reference: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=PledgeStatus.CREATED.value)
    #: the category whose limits applied when the pledge was made
    investor_category: so.Mapped[str] = so.mapped_column(sa.String(20), default="general")
    #: the payment processor's PaymentIntent, once it answered; unique: one pledge per payment
    payment_intent_id: so.Mapped[str | None] = so.mapped_column(sa.String(80), unique=True)
    refund_id: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    #: why the money goes back: "cancelled", "round_failed", "round_cancelled", "late_payment", "outside"
    refund_reason: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    refund_attempts: so.Mapped[int] = so.mapped_column(default=0)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    succeeded_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    failed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    cancel_requested_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    refunded_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    settled_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))

    round: so.Mapped[Round] = so.relationship(lazy="joined", innerjoin=True)
    backer: so.Mapped[User] = so.relationship(lazy="select")

    @property
    def status_label(self) -> str:
        """The status in the current language."""
        return PLEDGE.label(self.status)

    def key(self, operation: str) -> str:
        """The idempotency key of one operation on this pledge ("charge", "refund", ...)."""
        return f"gops-pledge-{self.id}-{self.reference}-{operation}"

    def is_backer(self, user) -> bool:
        """Whether the user made this pledge."""
        return bool(user and user.is_authenticated and user.id == self.backer_id)

    def __repr__(self) -> str:
        return f"<Pledge {self.id} {self.status} {self.amount}>"


class Holding(db.Model):
    """The cap table: units of a proposal held by a person or (matched units) an organization."""

    __tablename__ = "holdings"
    __table_args__ = (
        sa.CheckConstraint("(user_id IS NULL) <> (organization_id IS NULL)", name="one_holder"),
        sa.CheckConstraint("units >= 0", name="units_nonnegative"),
        sa.CheckConstraint("invested_amount >= 0", name="invested_nonnegative"),
        sa.Index("uq_holdings_proposal_user", "proposal_id", "user_id", unique=True,
                 sqlite_where=sa.text("user_id IS NOT NULL"), postgresql_where=sa.text("user_id IS NOT NULL")),
        sa.Index("uq_holdings_proposal_organization", "proposal_id", "organization_id", unique=True,
                 sqlite_where=sa.text("organization_id IS NOT NULL"),
                 postgresql_where=sa.text("organization_id IS NOT NULL")),
        sa.Index("ix_holdings_user", "user_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    proposal_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("proposals.id", ondelete="RESTRICT"))
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    organization_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"))
    units: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    #: won paid for the units (what a repayment cap multiplies)
    invested_amount: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    organization: so.Mapped[Organization | None] = so.relationship(lazy="select")


class InvestorProfile(db.Model):
    """A backer's request to count as a qualified or professional investor, with the evidence for a steward."""

    __tablename__ = "investor_profiles"
    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_in(VerificationStatus)})", name="status_known"),
        sa.CheckConstraint("requested_category IN ('qualified', 'professional')", name="requested_known"),
        sa.Index("ix_investor_profiles_status_created", "status", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    requested_category: so.Mapped[str] = so.mapped_column(sa.String(20))
    #: what proves it (an income or asset statement, a licence number): shown to stewards only
    evidence: so.Mapped[str] = so.mapped_column(sa.Text)
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default=VerificationStatus.PENDING.value)
    reason: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)

    @property
    def status_label(self) -> str:
        """The status in the current language."""
        return INVESTOR_VERIFICATION.label(self.status)


class RiskAcknowledgement(db.Model):
    """A backer read and accepted a version of a round's risk statement, at a time."""

    __tablename__ = "risk_acknowledgements"
    __table_args__ = (sa.UniqueConstraint("user_id", "round_id", "version"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    version: so.Mapped[int] = so.mapped_column()
    acknowledged_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class MatchingPool(db.Model):
    """An organization's promise to match citizens' pledges in a round, from a deposit paid in first."""

    __tablename__ = "matching_pools"
    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_in(PoolStatus)})", name="status_known"),
        sa.CheckConstraint("factor_bp > 0 AND factor_bp <= 100000", name="factor_in_range"),
        sa.CheckConstraint("pledge_cap_amount > 0", name="pledge_cap_positive"),
        sa.CheckConstraint("round_cap_amount >= pledge_cap_amount", name="round_cap_at_least_pledge_cap"),
        sa.CheckConstraint("reserved_amount >= 0 AND reserved_amount <= round_cap_amount", name="reserved_within_cap"),
        sa.CheckConstraint("matched_amount >= 0 AND matched_amount <= reserved_amount", name="matched_within_reserved"),
        sa.UniqueConstraint("round_id", "organization_id"),
        sa.Index("ix_matching_pools_status_created", "status", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rounds.id", ondelete="RESTRICT"), index=True)
    organization_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"))
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    #: won matched per won pledged, in basis points (10000 = 1:1)
    factor_bp: so.Mapped[int] = so.mapped_column()
    pledge_cap_amount: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    #: the most the pool gives the round; also the deposit asked for
    round_cap_amount: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default=PoolStatus.AWAITING_DEPOSIT.value)
    #: won held for matches of live pledges (reserved with the pledge) and the part paid into escrow
    reserved_amount: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    matched_amount: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    deposit_reference: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    deposited_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    deposit_recorded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    organization: so.Mapped[Organization] = so.relationship(lazy="joined", innerjoin=True)
    round: so.Mapped[Round] = so.relationship(lazy="joined", innerjoin=True)

    @property
    def status_label(self) -> str:
        """The status in the current language."""
        return MATCHING_POOL.label(self.status)

    @property
    def left_amount(self) -> int:
        """Won the pool can still promise."""
        return self.round_cap_amount - self.reserved_amount


class Match(db.Model):
    """The part of a pledge a matching pool adds: reserved with the pledge, paid with it, reversed with it."""

    __tablename__ = "matches"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("units > 0", name="units_positive"),
        sa.CheckConstraint("status IN ('reserved', 'paid', 'released', 'reversed', 'settled')", name="status_known"),
        sa.Index("ix_matches_pool_status", "pool_id", "status"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    pledge_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("pledges.id", ondelete="RESTRICT"), unique=True)
    pool_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("matching_pools.id", ondelete="RESTRICT"))
    units: so.Mapped[int] = so.mapped_column()
    amount: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    #: reserved (with a pledge being charged), paid (into escrow), released (the charge failed),
    #: reversed (the pledge was refunded), settled (the round succeeded)
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="reserved")
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    pool: so.Mapped[MatchingPool] = so.relationship(lazy="joined", innerjoin=True)


class PaymentEvent(db.Model):
    """A webhook event from the payment processor, stored by its id and applied once."""

    __tablename__ = "payment_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[str] = so.mapped_column(sa.String(100), unique=True)
    type: so.Mapped[str] = so.mapped_column(sa.String(60))
    payment_intent_id: so.Mapped[str | None] = so.mapped_column(sa.String(80), index=True)
    received_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    processed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    #: what applying it did ("pledge 4 succeeded", "nothing to do")
    outcome: so.Mapped[str | None] = so.mapped_column(sa.String(200))


class RoundQuestion(db.Model):
    """A backer's public question to the team, and the team's answer."""

    __tablename__ = "round_questions"
    __table_args__ = (sa.Index("ix_round_questions_round", "round_id", "id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    answer: so.Mapped[str | None] = so.mapped_column(sa.Text)
    answered_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    author: so.Mapped[User] = so.relationship(foreign_keys=[author_id], lazy="joined", innerjoin=True)
    answered_by: so.Mapped[User | None] = so.relationship(foreign_keys=[answered_by_id], lazy="joined")
