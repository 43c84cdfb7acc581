"""Proposal verbs: adopt, edit, move through stages, build the team, plan, report, replicate."""
import re
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core.errors import Conflict, InvalidInput, PermissionDenied
from app.core.timeutil import utcnow
from app.extensions import db
from app.ideas.models import Idea
from app.ideas.queries import municipality_by_code
from app.ideas.states import IDEA, IdeaStatus
from app.proposals.experts import represents
from app.proposals.models import Milestone, Organization, Proposal, ProposalUpdate, ReplicationRequest, TeamMember
from app.proposals.signals import proposal_update_posted, team_invited
from app.proposals.states import (
    INVITATION, MILESTONE, PROPOSAL, TEAM_ROLES, InvitationStatus, MilestoneStatus, Stage, lead_only,
)


def adopt_idea(idea: Idea, expert) -> Proposal:
    """A verified expert adopts a shortlisted idea and becomes the lead expert of its proposal.

    Two experts adopting at once: the machine's compare-and-set lets exactly one through (the
    other sees no shortlisted row), and the unique idea_id on proposals is the database's backstop.
    """
    if not (expert and expert.is_authenticated and expert.has_role("expert") and not expert.is_restricted):
        raise PermissionDenied(_l("Only verified experts adopt ideas."), code="not_expert")
    if idea.status == IdeaStatus.ADOPTED.value:
        raise Conflict(_l("Another expert has already adopted this idea."), code="already_adopted")
    if idea.status != IdeaStatus.SHORTLISTED.value:
        raise Conflict(_l("Only shortlisted ideas can be adopted."), code="not_shortlisted")
    if not IDEA.move_if(idea, IdeaStatus.ADOPTED, expert):
        raise Conflict(_l("Another expert has already adopted this idea."), code="already_adopted")
    now = utcnow()
    problem, solution = starting_text(idea)
    proposal = Proposal(idea_id=idea.id, lead_expert_id=expert.id, title=idea.title, problem=problem, solution=solution,
                        municipality_id=idea.municipality_id, created_at=now, stage=Stage.DRAFTING.value,
                        budget_amount=0)
    db.session.add(proposal)
    db.session.flush()
    db.session.add(TeamMember(proposal_id=proposal.id, user_id=expert.id, role="lead_expert", invited_by_id=expert.id,
                              status=InvitationStatus.ACCEPTED.value, accepted_at=now, accepted_by_id=expert.id))
    audit.record(expert, "proposal.adopted", proposal, data={"idea_id": idea.id, "to": Stage.DRAFTING.value}, at=now)
    db.session.flush()
    return proposal


#: headings an idea's body uses for its parts (the idea form asks for "the problem, the idea, who benefits")
PROBLEM_HEADINGS = {"문제", "문제점", "현황", "problem", "the problem"}
SOLUTION_HEADINGS = {"제안", "해결", "해결책", "해결 방안", "아이디어", "solution", "the idea", "idea", "proposal"}
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _sections(body: str) -> dict[str, str]:
    """The text under each Markdown heading of `body`, by the heading's words in lower case."""
    marks = list(_HEADING.finditer(body or ""))
    return {m.group(1).strip().rstrip(":").lower(): body[m.end():marks[i + 1].start() if i + 1 < len(marks) else None].strip()
            for i, m in enumerate(marks)}


def starting_text(idea: Idea) -> tuple[str, str]:
    """The proposal's first problem and solution, each from the idea once: its "problem" and "proposal" parts
    when the body has them, else the summary as the problem (the idea's page keeps the whole text)."""
    parts = _sections(idea.body)
    problem = next((text for name, text in parts.items() if name in PROBLEM_HEADINGS and text), "")
    solution = next((text for name, text in parts.items() if name in SOLUTION_HEADINGS and text), "")
    return (problem or idea.summary), solution


#: ten trillion won: more than any testbed, less than the database's 64-bit integers
MAX_BUDGET = 10**13
EDITABLE = ("title", "problem", "solution", "site", "budget_amount", "expected_impact", "risks")


def edit_proposal(proposal: Proposal, user, *, municipality: str | None = None, **fields) -> None:
    """The lead expert changes the proposal's text, site and budget."""
    lead_only(proposal, user)
    budget = fields.get("budget_amount")
    if budget is not None and (not isinstance(budget, int) or isinstance(budget, bool) or not 0 <= budget <= MAX_BUDGET):
        msg = _l("The budget is a whole number of won, zero or more.")
        raise InvalidInput(msg, code="validation_failed", fields={"budget_amount": [str(msg)]})
    for name in EDITABLE:
        if fields.get(name) is not None:
            setattr(proposal, name, fields[name].strip() if isinstance(fields[name], str) else fields[name])
    if municipality:
        proposal.municipality_id = municipality_by_code(municipality).id
    proposal.updated_at = utcnow()
    db.session.flush()


def transition_proposal(proposal: Proposal, user, to: str, reason: str | None = None) -> None:
    """Move the proposal to another stage, if the table allows it and its guard passes."""
    try:
        target = Stage(to)
    except ValueError:
        msg = _l("Unknown stage.")
        raise InvalidInput(msg, code="invalid_stage", fields={"to": [str(msg)]}) from None
    approved = target == Stage.FUNDING and proposal.stage == Stage.REVIEW.value
    PROPOSAL.move(proposal, target, user, reason=reason, values={"review_approved_at": utcnow()} if approved else None)


def invite_member(proposal: Proposal, lead, *, role: str, organization: Organization | None = None,
                  user=None) -> TeamMember:
    """The lead expert invites an organization or a person; they join when they accept."""
    lead_only(proposal, lead)
    if role not in TEAM_ROLES or role == "lead_expert":
        msg = _l("Choose one of the listed options.")
        raise InvalidInput(msg, code="invalid_role", fields={"role": [str(msg)]})
    if (organization is None) == (user is None):
        raise InvalidInput(_l("Invite either an organization or a person."), code="invalid_invitee")
    if role == "municipality_partner" and (organization is None or organization.kind != "municipality"):
        msg = _l("The municipality partner must be one of the 31 cities and counties.")
        raise InvalidInput(msg, code="invalid_role", fields={"role": [str(msg)]})
    same = TeamMember.organization_id == organization.id if organization else TeamMember.user_id == user.id
    member = db.session.scalar(sa.select(TeamMember).where(
        TeamMember.proposal_id == proposal.id, TeamMember.role == role, same))
    if member is not None and member.status != InvitationStatus.DECLINED.value:
        raise Conflict(_l("This invitation exists already."), code="already_invited")
    if member is not None:  # declined before: ask again
        INVITATION.move(member, InvitationStatus.INVITED, lead)
    else:
        member = TeamMember(proposal_id=proposal.id, role=role, invited_by_id=lead.id,
                            organization_id=organization.id if organization else None,
                            user_id=user.id if user else None, status=InvitationStatus.INVITED.value)
        db.session.add(member)
        db.session.flush()
    team_invited.send(member, proposal=proposal, actor=lead)
    return member


def answer_invitation(member: TeamMember, user, accept: bool) -> None:
    """Accept (join the team) or decline."""
    if member.status == InvitationStatus.ACCEPTED.value:
        raise Conflict(_l("This invitation was already accepted."), code="already_accepted")
    if accept:
        INVITATION.move(member, InvitationStatus.ACCEPTED, user,
                        values={"accepted_at": utcnow(), "accepted_by_id": user.id})
    else:
        INVITATION.move(member, InvitationStatus.DECLINED, user)


def add_milestone(proposal: Proposal, user, *, title: str, due_on: date) -> Milestone:
    """The lead expert plans a milestone; its due date may not be in the past."""
    lead_only(proposal, user)
    if due_on < utcnow().date():
        msg = _l("The due date is in the past.")
        raise InvalidInput(msg, code="validation_failed", fields={"due_on": [str(msg)]})
    milestone = Milestone(proposal_id=proposal.id, title=title.strip(), due_on=due_on)
    db.session.add(milestone)
    db.session.flush()
    return milestone


def update_milestone(milestone: Milestone, proposal: Proposal, user, *, status: str, evidence: str = "") -> None:
    """The lead expert records progress; "done" needs evidence."""
    lead_only(proposal, user)
    try:
        target = MilestoneStatus(status)
    except ValueError:
        raise InvalidInput(code="invalid_status") from None
    if target == MilestoneStatus.DONE and not evidence.strip():
        msg = _l("Say what shows the milestone is reached.")
        raise InvalidInput(msg, code="validation_failed", fields={"evidence": [str(msg)]})
    milestone.evidence = evidence.strip()
    if target.value != milestone.status:
        MILESTONE.move(milestone, target, user)
    db.session.flush()


def post_update(proposal: Proposal, user, body: str) -> ProposalUpdate:
    """The team reports progress; the idea's supporters and its author are told."""
    if not proposal.can_post_update(user):
        raise PermissionDenied(_l("Only the team posts updates."), code="not_team")
    now = utcnow()
    update = ProposalUpdate(proposal_id=proposal.id, author_id=user.id, body=body.strip(), created_at=now)
    db.session.add(update)
    proposal.last_update_at = now
    db.session.flush()
    proposal_update_posted.send(update, proposal=proposal, actor=user)
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
    lead_only(proposal, user)
    if request.accepted_at is not None:
        raise Conflict(_l("This request was already accepted."), code="already_accepted")
    request.accepted_at = utcnow()
    audit.record(user, "proposal.replicated", proposal, data={"municipality": request.municipality.code})
    db.session.flush()
