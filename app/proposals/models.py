"""Experts' applications, organizations and memberships, proposals with their teams and terms."""
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.auth.models import User
from app.core.parties import is_party
from app.core.timeutil import as_utc, utcnow
from app.extensions import db
from app.ideas.models import Idea, Municipality
from app.proposals.states import (
    EXPERT_APPLICATION, INVITATION, MEMBERSHIP, MILESTONE, PROPOSAL, ApplicationStatus, InvitationStatus,
    MembershipStatus, MilestoneStatus, Stage,
)

BP = 10_000  # basis points in a whole


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class ExpertApplication(db.Model):
    """A user asks to be verified as an expert; a steward approves or declines with a reason."""

    __tablename__ = "expert_applications"
    __table_args__ = (sa.CheckConstraint(f"status IN ({_in(s.value for s in ApplicationStatus)})", name="status_known"),
                      sa.Index("ix_expert_applications_status_created", "status", "created_at"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    fields: so.Mapped[str] = so.mapped_column(sa.String(200))
    affiliation: so.Mapped[str] = so.mapped_column(sa.String(200))
    evidence: so.Mapped[str] = so.mapped_column(sa.Text)
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default=ApplicationStatus.PENDING.value)
    reason: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)

    @property
    def status_label(self) -> str:
        """The status in the current language."""
        return EXPERT_APPLICATION.label(self.status)


class Organization(db.Model):
    """A municipality, company, university, research institute, ... that can join proposals."""

    __tablename__ = "organizations"
    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({_in(['municipality', 'public_institution', 'company', 'startup', 'university', 'research_institute', 'citizen_group'])})",
                           name="kind_known"),
        sa.CheckConstraint("kind <> 'municipality' OR municipality_id IS NOT NULL", name="municipality_has_place"),
        sa.UniqueConstraint("name"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    kind: so.Mapped[str] = so.mapped_column(sa.String(30), index=True)
    #: the place: for a municipality, the one it is
    municipality_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("municipalities.id"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    municipality: so.Mapped[Municipality | None] = so.relationship(lazy="joined")

    @staticmethod
    def represented_by(organization_id: int, user) -> bool:
        """Whether the user is a confirmed representative of the organization."""
        if not (user and user.is_authenticated):
            return False
        return db.session.scalar(sa.select(Membership.id).where(
            Membership.user_id == user.id, Membership.organization_id == organization_id,
            Membership.confirmed_at.is_not(None))) is not None


class Membership(db.Model):
    """A user who represents an organization, once a steward confirms it."""

    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("user_id", "organization_id"),
                      sa.CheckConstraint(f"status IN ({_in(s.value for s in MembershipStatus)})", name="status_known"),
                      sa.CheckConstraint("(status = 'confirmed') = (confirmed_at IS NOT NULL)", name="confirmed_when"),
                      sa.Index("ix_memberships_status_created", "status", "created_at"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default=MembershipStatus.PENDING.value,
                                              server_default="pending")
    #: the title or role the user says they hold there, and what proves it (shown to the steward only)
    title: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    evidence: so.Mapped[str | None] = so.mapped_column(sa.Text)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    organization_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"),
                                                       index=True)
    confirmed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    confirmed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)
    organization: so.Mapped[Organization] = so.relationship(lazy="joined", innerjoin=True)

    @property
    def status_label(self) -> str:
        """The status in the current language."""
        return MEMBERSHIP.label(self.status)


class Proposal(db.Model):
    """A testbed proposal an expert develops, with a team, from an adopted idea."""

    __tablename__ = "proposals"
    __table_args__ = (
        sa.CheckConstraint(f"stage IN ({_in(s.value for s in Stage)})", name="stage_known"),
        sa.CheckConstraint("budget_amount >= 0", name="budget_nonnegative"),
        sa.Index("ix_proposals_stage_created", "stage", "created_at", "id"),
        sa.Index("ix_proposals_created", "created_at", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: one proposal per idea: the database refuses a second adoption
    idea_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ideas.id", ondelete="RESTRICT"), unique=True)
    lead_expert_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(120))
    problem: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    solution: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    site: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    municipality_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("municipalities.id"), index=True)
    budget_amount: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    expected_impact: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    risks: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    stage: so.Mapped[str] = so.mapped_column(sa.String(20), default=Stage.DRAFTING.value)
    review_approved_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    last_update_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))

    idea: so.Mapped[Idea] = so.relationship(lazy="joined", innerjoin=True)
    lead_expert: so.Mapped[User] = so.relationship(lazy="joined", innerjoin=True)
    municipality: so.Mapped[Municipality] = so.relationship(lazy="joined", innerjoin=True)

    @property
    def stage_label(self) -> str:
        """The stage in the current language."""
        return PROPOSAL.label(self.stage)

    @property
    def proposer(self) -> User:
        """The idea's author, credited as the proposer."""
        return self.idea.author

    def is_lead(self, user) -> bool:
        """Whether the user is this proposal's lead expert."""
        return bool(user and user.is_authenticated and user.id == self.lead_expert_id)

    def can_edit(self, user) -> bool:
        """Only the lead expert edits, and not once the proposal is closed."""
        return self.is_lead(user) and not user.is_restricted and self.stage != Stage.CLOSED.value

    def can_approve_review(self, user) -> bool:
        """Only stewards approve a proposal in review, and none who is a party to it."""
        return bool(user and user.is_authenticated and user.has_role("steward") and self.stage == Stage.REVIEW.value
                    and not is_party(self, user))

    def can_post_update(self, user) -> bool:
        """The lead expert, an accepted person, or a representative of an accepted organization."""
        if not (user and user.is_authenticated) or user.is_restricted:
            return False
        if self.is_lead(user):
            return True
        rows = db.session.execute(sa.select(TeamMember.user_id, TeamMember.organization_id).where(
            TeamMember.proposal_id == self.id, TeamMember.accepted_at.is_not(None))).all()
        return any(uid == user.id or (oid and Organization.represented_by(oid, user)) for uid, oid in rows)

    def is_stale(self, now=None) -> bool:
        """No update from the team for 90 days (counting from adoption when there is none)."""
        since = as_utc(self.last_update_at or self.created_at)
        return ((now or utcnow()) - since).days >= 90 and self.stage not in (Stage.CLOSED.value,)


class TeamMember(db.Model):
    """An organization (through a representative) or a person on a proposal's team, once accepted."""

    __tablename__ = "team_members"
    __table_args__ = (
        sa.CheckConstraint("organization_id IS NOT NULL OR user_id IS NOT NULL", name="someone"),
        sa.CheckConstraint(f"status IN ({_in(s.value for s in InvitationStatus)})", name="status_known"),
        sa.CheckConstraint("(status = 'accepted') = (accepted_at IS NOT NULL)", name="accepted_when"),
        sa.UniqueConstraint("proposal_id", "organization_id", "user_id", "role"),
        sa.Index("ix_team_members_proposal", "proposal_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    proposal_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"))
    organization_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: so.Mapped[str] = so.mapped_column(sa.String(30))
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default=InvitationStatus.INVITED.value,
                                              server_default="invited")
    invited_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    accepted_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    accepted_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    organization: so.Mapped[Organization | None] = so.relationship(lazy="joined")
    user: so.Mapped[User | None] = so.relationship(foreign_keys=[user_id], lazy="joined")
    proposal: so.Mapped["Proposal"] = so.relationship(lazy="select")

    @property
    def status_label(self) -> str:
        """The status in the current language."""
        return INVITATION.label(self.status)

    def can_answer(self, user) -> bool:
        """A person answers their own invitation; an organization's, its confirmed representative."""
        if self.user_id is not None:
            return bool(user and user.is_authenticated and user.id == self.user_id)
        return Organization.represented_by(self.organization_id, user)


class Milestone(db.Model):
    """A step of the testbed plan with its due date and the evidence it was reached."""

    __tablename__ = "milestones"
    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_in(s.value for s in MilestoneStatus)})", name="status_known"),
        sa.Index("ix_milestones_proposal_due", "proposal_id", "due_on"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    proposal_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    due_on: so.Mapped[date] = so.mapped_column(sa.Date)
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default=MilestoneStatus.PLANNED.value)
    evidence: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    proposal: so.Mapped["Proposal"] = so.relationship(lazy="select")

    @property
    def status_label(self) -> str:
        """The status in the current language."""
        return MILESTONE.label(self.status)


class ProposalUpdate(db.Model):
    """A progress update the team posts; backers and supporters are told."""

    __tablename__ = "proposal_updates"
    __table_args__ = (sa.Index("ix_proposal_updates_proposal_created", "proposal_id", "created_at"),
                      sa.CheckConstraint("length(body) > 0", name="body_nonempty"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    proposal_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"))
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    author: so.Mapped[User] = so.relationship(lazy="joined", innerjoin=True)


class Contribution(db.Model):
    """Influence points the lead expert records for a contributor, who confirms them."""

    __tablename__ = "contributions"
    __table_args__ = (sa.CheckConstraint("points > 0", name="points_positive"),
                      sa.CheckConstraint("points <= 1000", name="points_capped"),
                      sa.Index("ix_contributions_proposal_user", "proposal_id", "user_id"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    proposal_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    points: so.Mapped[int] = so.mapped_column()
    description: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    recorded_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    confirmed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)
    proposal: so.Mapped["Proposal"] = so.relationship(lazy="select")

    @property
    def is_self_credit(self) -> bool:
        """The person who recorded the points is the one credited."""
        return self.user_id == self.recorded_by_id

    def can_confirm(self, user) -> bool:
        """The contributor confirms; a self-credit needs another accepted team member or a steward."""
        if not (user and user.is_authenticated) or self.confirmed_at is not None:
            return False
        if not self.is_self_credit:
            return user.id == self.user_id
        if user.id == self.user_id:
            return False
        from app.proposals.queries import team_user_ids

        return user.has_role("steward") or user.id in team_user_ids(self.proposal)


class ShareTerms(db.Model):
    """How reported revenue is shared, in basis points; frozen before the first round opens."""

    __tablename__ = "share_terms"
    __table_args__ = (
        *(sa.CheckConstraint(f"{c} BETWEEN 0 AND 10000", name=f"{c}_range")
          for c in ("community_share_bp", "proposer_bp", "contributors_bp", "backers_bp", "commons_bp")),
        sa.CheckConstraint("proposer_bp + contributors_bp + backers_bp + commons_bp = 10000", name="pool_whole"),
        sa.CheckConstraint("backers_cap_multiple_bp IS NULL OR backers_cap_multiple_bp >= 10000", name="cap_at_least_1x"),
    )

    proposal_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"),
                                                   primary_key=True)
    community_share_bp: so.Mapped[int] = so.mapped_column()
    proposer_bp: so.Mapped[int] = so.mapped_column()
    contributors_bp: so.Mapped[int] = so.mapped_column()
    backers_bp: so.Mapped[int] = so.mapped_column()
    commons_bp: so.Mapped[int] = so.mapped_column()
    backers_cap_multiple_bp: so.Mapped[int | None] = so.mapped_column()
    frozen_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    @property
    def is_frozen(self) -> bool:
        """Frozen terms never change again."""
        return self.frozen_at is not None


class ReplicationRequest(db.Model):
    """Another municipality asks to run a proposal in testbed or market stage; the lead expert accepts."""

    __tablename__ = "replication_requests"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "municipality_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    proposal_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"))
    municipality_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("municipalities.id"))
    requested_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    note: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    accepted_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    municipality: so.Mapped[Municipality] = so.relationship(lazy="joined", innerjoin=True)
