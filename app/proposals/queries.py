"""Reads shared by the proposal pages and the API."""
import functools

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.auth.models import User
from app.core.audit import AuditEvent
from app.extensions import db
from app.ideas.models import Idea, Municipality
from app.proposals.models import (
    Contribution, ExpertApplication, Membership, Milestone, Organization, Proposal, ProposalUpdate,
    ReplicationRequest, ShareTerms, TeamMember,
)
from app.proposals.states import ApplicationStatus, InvitationStatus, MembershipStatus


def share_terms_of(proposal: Proposal) -> ShareTerms | None:
    """The proposal's share terms, if set."""
    return db.session.get(ShareTerms, proposal.id)


def has_municipal_partner(proposal: Proposal) -> bool:
    """Whether an accepted municipality partner is on the team."""
    return db.session.scalar(sa.select(TeamMember.id).where(
        TeamMember.proposal_id == proposal.id, TeamMember.role == "municipality_partner",
        TeamMember.status == InvitationStatus.ACCEPTED.value)) is not None


def team_user_ids(proposal: Proposal) -> set[int]:
    """Everyone on the accepted team: members in person and confirmed representatives of member organizations."""
    people = sa.select(TeamMember.user_id).where(
        TeamMember.proposal_id == proposal.id, TeamMember.status == InvitationStatus.ACCEPTED.value,
        TeamMember.user_id.is_not(None))
    representatives = sa.select(Membership.user_id).join(
        TeamMember, TeamMember.organization_id == Membership.organization_id).where(
        TeamMember.proposal_id == proposal.id, TeamMember.status == InvitationStatus.ACCEPTED.value,
        Membership.status == MembershipStatus.CONFIRMED.value)
    return set(db.session.scalars(sa.union(people, representatives)))


def running_cities(proposal: Proposal) -> list[Municipality]:
    """Every city that runs the proposal: its own, then those that replicated it."""
    others = db.session.scalars(sa.select(Municipality).join(
        ReplicationRequest, ReplicationRequest.municipality_id == Municipality.id).where(
        ReplicationRequest.proposal_id == proposal.id, ReplicationRequest.accepted_at.is_not(None))
        .order_by(ReplicationRequest.accepted_at)).all()
    return [proposal.municipality, *others]


def confirmed_points(proposal: Proposal) -> list[tuple[int, str, int]]:
    """(user id, name, confirmed points) per contributor, in user id order (the allocation's tie-break)."""
    return [tuple(r) for r in db.session.execute(
        sa.select(Contribution.user_id, User.display_name, sa.func.sum(Contribution.points))
        .join(User, User.id == Contribution.user_id)
        .where(Contribution.proposal_id == proposal.id, Contribution.confirmed_at.is_not(None))
        .group_by(Contribution.user_id, User.display_name).order_by(Contribution.user_id))]


def team_of(proposal: Proposal) -> list[TeamMember]:
    """The team and open invitations, in the order they were made."""
    return db.session.scalars(sa.select(TeamMember).where(TeamMember.proposal_id == proposal.id)
                              .order_by(TeamMember.id)).all()


def milestones_of(proposal: Proposal) -> list[Milestone]:
    """The plan, by due date."""
    return db.session.scalars(sa.select(Milestone).where(Milestone.proposal_id == proposal.id)
                              .order_by(Milestone.due_on, Milestone.id)).all()


def updates_of(proposal: Proposal) -> list[ProposalUpdate]:
    """Progress updates, newest first."""
    return db.session.scalars(sa.select(ProposalUpdate).where(ProposalUpdate.proposal_id == proposal.id)
                              .order_by(ProposalUpdate.created_at.desc(), ProposalUpdate.id.desc())).all()


def contributions_of(proposal: Proposal) -> list[Contribution]:
    """Every recorded contribution, confirmed or not."""
    return db.session.scalars(sa.select(Contribution).where(Contribution.proposal_id == proposal.id)
                              .order_by(Contribution.id)).all()


def open_replications(proposal: Proposal) -> list[ReplicationRequest]:
    """Cities asking to run the proposal, not yet welcomed."""
    return db.session.scalars(sa.select(ReplicationRequest).where(
        ReplicationRequest.proposal_id == proposal.id, ReplicationRequest.accepted_at.is_(None))).all()


def timeline(proposal: Proposal) -> list[AuditEvent]:
    """The proposal's public timeline: its entries in the audit log, oldest first."""
    return db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.subject_type == "proposal", AuditEvent.subject_id == proposal.id)
        .order_by(AuditEvent.id)).all()


def proposals_query(stage: str | None = None) -> sa.Select:
    """Proposals, newest first, optionally at one stage."""
    stmt = sa.select(Proposal).order_by(Proposal.created_at.desc(), Proposal.id.desc())
    return stmt.where(Proposal.stage == stage) if stage else stmt


@functools.cache
def _list_statement(at_stage: bool) -> sa.Select:
    """The list's query, built once per process (building it costs more than running it); `stage` is bound later."""
    lead, proposer = so.aliased(User), so.aliased(User)
    stmt = (sa.select(Proposal.id, Proposal.title, Proposal.stage, Proposal.site, Proposal.budget_amount,
                      Municipality.name_ko.label("municipality_ko"), Municipality.name_en.label("municipality_en"),
                      lead.display_name.label("lead_expert"), proposer.display_name.label("proposer"))
            .join(Municipality, Municipality.id == Proposal.municipality_id)
            .join(lead, lead.id == Proposal.lead_expert_id)
            .join(Idea, Idea.id == Proposal.idea_id)
            .join(proposer, proposer.id == Idea.author_id)
            .order_by(Proposal.created_at.desc(), Proposal.id.desc())
            .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))
    return stmt.where(Proposal.stage == sa.bindparam("stage")) if at_stage else stmt


def proposal_list(stage: str | None, page: int, per_page: int) -> tuple[list[sa.Row], bool]:
    """One page of the proposal list, newest first, and whether another page follows.

    One query whatever the number of proposals: the page's rows only (one more to know if a next page
    exists, never a count of all), with the few columns a line shows rather than whole rows and their
    relations. It walks an index on (created_at, id), or (stage, created_at) at one stage, and stops.
    """
    params = {"limit": per_page + 1, "offset": (page - 1) * per_page} | ({"stage": stage} if stage else {})
    rows = db.session.execute(_list_statement(bool(stage)), params).all()
    return rows[:per_page], len(rows) > per_page


def proposal_of_idea(idea_id: int) -> Proposal | None:
    """The proposal an idea became, if any."""
    return db.session.scalar(sa.select(Proposal).where(Proposal.idea_id == idea_id))


def my_organizations(user, *, kind: str | None = None) -> list[Organization]:
    """Organizations the user is a confirmed representative of."""
    if not (user and user.is_authenticated):
        return []
    stmt = (sa.select(Organization).join(Membership, Membership.organization_id == Organization.id)
            .where(Membership.user_id == user.id, Membership.status == MembershipStatus.CONFIRMED.value)
            .order_by(Organization.name))
    return db.session.scalars(stmt.where(Organization.kind == kind) if kind else stmt).all()


def invitations_for(user) -> list[tuple[TeamMember, Proposal]]:
    """Open invitations the user can answer: to them, or to an organization they represent."""
    if not (user and user.is_authenticated):
        return []
    org_ids = [o.id for o in my_organizations(user)]
    rows = db.session.execute(sa.select(TeamMember, Proposal).join(Proposal, Proposal.id == TeamMember.proposal_id)
                              .where(TeamMember.status == InvitationStatus.INVITED.value,
                                     sa.or_(TeamMember.user_id == user.id, TeamMember.organization_id.in_(org_ids)))
                              .order_by(TeamMember.id)).all()
    return [tuple(r) for r in rows]


def pending_applications() -> list[ExpertApplication]:
    """Expert applications waiting for a steward, oldest first."""
    return db.session.scalars(sa.select(ExpertApplication).where(
        ExpertApplication.status == ApplicationStatus.PENDING.value).order_by(ExpertApplication.created_at)).all()


def decided_applications(limit: int = 30) -> list[ExpertApplication]:
    """The latest decisions."""
    return db.session.scalars(sa.select(ExpertApplication).where(
        ExpertApplication.status != ApplicationStatus.PENDING.value)
        .order_by(ExpertApplication.decided_at.desc()).limit(limit)).all()


def pending_memberships() -> list[Membership]:
    """Requests to represent an organization, waiting for a steward."""
    return db.session.scalars(sa.select(Membership).where(Membership.status == MembershipStatus.PENDING.value)
                              .order_by(Membership.created_at)).all()


def applications_of(user) -> list[ExpertApplication]:
    """A user's own expert applications, newest first."""
    return db.session.scalars(sa.select(ExpertApplication).where(ExpertApplication.user_id == user.id)
                              .order_by(ExpertApplication.created_at.desc())).all()
