"""Proposal verbs: adopt, edit, move through stages, build the team, plan, report, replicate."""
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.core.errors import Conflict, InvalidInput, PermissionDenied
from app.core.timeutil import utcnow
from app.extensions import db
from app.ideas.models import Idea, Municipality
from app.ideas.states import IdeaStatus, allowed
from app.notifications.models import Kind
from app.notifications.operations import notify_followers
from app.proposals.experts import represents
from app.proposals.models import (
    Milestone, Organization, Proposal, ProposalEvent, ProposalUpdate, ReplicationRequest, ShareTerms, TeamMember,
)
from app.proposals.states import TEAM_ROLES, TRANSITIONS, Stage


class InvalidStageTransition(Conflict):
    """The proposal cannot move from its stage to the one asked for."""

    code = "invalid_transition"


def _lead(proposal: Proposal, user) -> None:
    if not proposal.can_edit(user):
        raise PermissionDenied(_l("Only the lead expert can do this."), code="not_lead")


def _event(proposal, user, kind, *, from_stage=None, to_stage=None, note=None) -> None:
    db.session.add(ProposalEvent(proposal_id=proposal.id, kind=kind, from_stage=from_stage, to_stage=to_stage,
                                 actor_id=user.id, note=note, created_at=utcnow()))


def adopt_idea(idea: Idea, expert) -> Proposal:
    """A verified expert adopts a shortlisted idea and becomes the lead expert of its proposal.

    Two experts adopting at once: the conditional UPDATE lets exactly one through (the other sees
    no shortlisted row), and the unique idea_id on proposals is the database's backstop.
    """
    if not (expert and expert.is_authenticated and expert.has_role("expert") and not expert.is_restricted):
        raise PermissionDenied(_l("Only verified experts adopt ideas."), code="not_expert")
    if idea.status != IdeaStatus.SHORTLISTED.value or not allowed(IdeaStatus.SHORTLISTED, IdeaStatus.ADOPTED):
        if idea.status == IdeaStatus.ADOPTED.value:
            raise Conflict(_l("Another expert has already adopted this idea."), code="already_adopted")
        raise Conflict(_l("Only shortlisted ideas can be adopted."), code="not_shortlisted")
    won = db.session.execute(sa.update(Idea).where(Idea.id == idea.id, Idea.status == IdeaStatus.SHORTLISTED.value)
                             .values(status=IdeaStatus.ADOPTED.value)).rowcount
    if won != 1:
        raise Conflict(_l("Another expert has already adopted this idea."), code="already_adopted")
    db.session.refresh(idea, ["status"])
    now = utcnow()
    proposal = Proposal(idea_id=idea.id, lead_expert_id=expert.id, title=idea.title, problem=idea.body,
                        municipality_id=idea.municipality_id, created_at=now, stage=Stage.DRAFTING.value,
                        budget_amount=0)
    db.session.add(proposal)
    db.session.flush()
    db.session.add(TeamMember(proposal_id=proposal.id, user_id=expert.id, role="lead_expert", invited_by_id=expert.id,
                              accepted_at=now, accepted_by_id=expert.id))
    _event(proposal, expert, "adopted", to_stage=Stage.DRAFTING.value)
    notify_followers(idea, Kind.ADOPTED, now=now)
    db.session.flush()
    return proposal


EDITABLE = ("title", "problem", "solution", "site", "budget_amount", "expected_impact", "risks")


def edit_proposal(proposal: Proposal, user, *, municipality: str | None = None, **fields) -> None:
    """The lead expert changes the proposal's text, site and budget."""
    _lead(proposal, user)
    budget = fields.get("budget_amount")
    if budget is not None and (not isinstance(budget, int) or budget < 0):
        msg = _l("The budget is a whole number of won, zero or more.")
        raise InvalidInput(msg, code="validation_failed", fields={"budget_amount": [str(msg)]})
    for name in EDITABLE:
        if fields.get(name) is not None:
            setattr(proposal, name, fields[name].strip() if isinstance(fields[name], str) else fields[name])
    if municipality:
        place = db.session.scalar(sa.select(Municipality).where(Municipality.code == municipality))
        if place is None:
            msg = _l("Choose one of the listed options.")
            raise InvalidInput(msg, code="unknown_municipality", fields={"municipality": [str(msg)]})
        proposal.municipality_id = place.id
    proposal.updated_at = utcnow()
    db.session.flush()


def has_municipal_partner(proposal: Proposal) -> bool:
    """Whether an accepted municipality partner is on the team."""
    return db.session.scalar(sa.select(TeamMember.id).where(
        TeamMember.proposal_id == proposal.id, TeamMember.role == "municipality_partner",
        TeamMember.accepted_at.is_not(None))) is not None


def transition_proposal(proposal: Proposal, user, to: str) -> None:
    """Move the proposal to another stage, if the table allows it and its conditions hold."""
    try:
        current, target = Stage(proposal.stage), Stage(to)
    except ValueError:
        msg = _l("Unknown stage.")
        raise InvalidInput(msg, code="invalid_stage", fields={"to": [str(msg)]}) from None
    who = TRANSITIONS.get((current, target))
    if who is None:
        raise InvalidStageTransition(_l("A proposal cannot move from this stage to that one."))
    if who == "lead":
        _lead(proposal, user)
    elif not proposal.can_approve_review(user):
        raise PermissionDenied(_l("Only a steward approves a proposal for funding."), code="not_steward")
    if target == Stage.REVIEW and not has_municipal_partner(proposal):
        raise Conflict(_l("Review needs a partner municipality on the team."), code="no_municipal_partner")
    if target == Stage.FUNDING:
        terms = db.session.get(ShareTerms, proposal.id)
        if terms is None or not terms.is_frozen:
            raise Conflict(_l("Funding needs published, frozen share terms."), code="terms_not_frozen")
        proposal.review_approved_at = utcnow()
    proposal.stage = target.value
    _event(proposal, user, "stage", from_stage=current.value, to_stage=target.value)
    notify_followers(proposal.idea, Kind.PROPOSAL_STAGE)
    db.session.flush()


def invite_member(proposal: Proposal, lead, *, role: str, organization: Organization | None = None,
                  user=None) -> TeamMember:
    """The lead expert invites an organization or a person; they join when they accept."""
    _lead(proposal, lead)
    if role not in TEAM_ROLES or role == "lead_expert":
        msg = _l("Choose one of the listed options.")
        raise InvalidInput(msg, code="invalid_role", fields={"role": [str(msg)]})
    if (organization is None) == (user is None):
        raise InvalidInput(_l("Invite either an organization or a person."), code="invalid_invitee")
    if role == "municipality_partner" and (organization is None or organization.kind != "municipality"):
        msg = _l("The municipality partner must be one of the 31 cities and counties.")
        raise InvalidInput(msg, code="invalid_role", fields={"role": [str(msg)]})
    same = TeamMember.organization_id == organization.id if organization else TeamMember.user_id == user.id
    exists = db.session.scalar(sa.select(TeamMember.id).where(
        TeamMember.proposal_id == proposal.id, TeamMember.role == role, same))
    if exists is not None:
        raise Conflict(_l("This invitation exists already."), code="already_invited")
    member = TeamMember(proposal_id=proposal.id, role=role, invited_by_id=lead.id,
                        organization_id=organization.id if organization else None, user_id=user.id if user else None)
    db.session.add(member)
    db.session.flush()
    return member


def answer_invitation(member: TeamMember, user, accept: bool) -> None:
    """Accept (join the team) or decline (the invitation goes)."""
    if not member.can_answer(user):
        raise PermissionDenied(_l("Only the invited person, or a confirmed representative, can answer."),
                               code="not_invitee")
    if member.accepted_at is not None:
        raise Conflict(_l("This invitation was already accepted."), code="already_accepted")
    if accept:
        member.accepted_at, member.accepted_by_id = utcnow(), user.id
    else:
        db.session.delete(member)
    db.session.flush()


def add_milestone(proposal: Proposal, user, *, title: str, due_on: date) -> Milestone:
    """The lead expert plans a milestone; its due date may not be in the past."""
    _lead(proposal, user)
    if due_on < utcnow().date():
        msg = _l("The due date is in the past.")
        raise InvalidInput(msg, code="validation_failed", fields={"due_on": [str(msg)]})
    milestone = Milestone(proposal_id=proposal.id, title=title.strip(), due_on=due_on)
    db.session.add(milestone)
    db.session.flush()
    return milestone


def update_milestone(milestone: Milestone, proposal: Proposal, user, *, status: str, evidence: str = "") -> None:
    """The lead expert records progress; "done" needs evidence."""
    _lead(proposal, user)
    if status not in ("planned", "in_progress", "done", "missed"):
        raise InvalidInput(code="invalid_status")
    if status == "done" and not evidence.strip():
        msg = _l("Say what shows the milestone is reached.")
        raise InvalidInput(msg, code="validation_failed", fields={"evidence": [str(msg)]})
    milestone.status, milestone.evidence = status, evidence.strip()
    db.session.flush()


def post_update(proposal: Proposal, user, body: str) -> ProposalUpdate:
    """The team reports progress; the idea's supporters and its author are told."""
    if not proposal.can_post_update(user):
        raise PermissionDenied(_l("Only the team posts updates."), code="not_team")
    now = utcnow()
    update = ProposalUpdate(proposal_id=proposal.id, author_id=user.id, body=body.strip(), created_at=now)
    db.session.add(update)
    proposal.last_update_at = now
    notify_followers(proposal.idea, Kind.PROPOSAL_UPDATE, now=now)
    db.session.flush()
    return update


def request_replication(proposal: Proposal, user, organization: Organization, note: str = "") -> ReplicationRequest:
    """A municipality's representative asks to run a proposal that is in testbed or on the market."""
    if organization.kind != "municipality" or not represents(user, organization.id):
        raise PermissionDenied(_l("Only a confirmed representative of a city or county can ask."),
                               code="not_municipal_representative")
    if proposal.stage not in (Stage.TESTBED.value, Stage.MARKET.value):
        raise Conflict(_l("Only proposals in testbed or on the market can be replicated."), code="not_replicable")
    if organization.municipality_id == proposal.municipality_id:
        raise Conflict(_l("This city already runs the proposal."), code="already_running")
    if db.session.scalar(sa.select(ReplicationRequest.id).where(
            ReplicationRequest.proposal_id == proposal.id,
            ReplicationRequest.municipality_id == organization.municipality_id)) is not None:
        raise Conflict(_l("This city has already asked."), code="already_requested")
    request = ReplicationRequest(proposal_id=proposal.id, municipality_id=organization.municipality_id,
                                 requested_by_id=user.id, note=note.strip()[:500])
    db.session.add(request)
    db.session.flush()
    return request


def accept_replication(request: ReplicationRequest, proposal: Proposal, user) -> None:
    """The lead expert welcomes another city."""
    _lead(proposal, user)
    if request.accepted_at is not None:
        raise Conflict(_l("This request was already accepted."), code="already_accepted")
    request.accepted_at = utcnow()
    _event(proposal, user, "replicated", note=request.municipality.name_ko)
    db.session.flush()


def running_cities(proposal: Proposal) -> list[Municipality]:
    """Every city that runs the proposal: its own, then those that replicated it."""
    others = db.session.scalars(sa.select(Municipality).join(
        ReplicationRequest, ReplicationRequest.municipality_id == Municipality.id).where(
        ReplicationRequest.proposal_id == proposal.id, ReplicationRequest.accepted_at.is_not(None))
        .order_by(ReplicationRequest.accepted_at)).all()
    return [proposal.municipality, *others]
