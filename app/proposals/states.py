"""The machines of proposals: stages, expert applications, memberships, team invitations, milestones."""
import enum

from flask_babel import lazy_gettext as _l

from app.core.errors import Conflict, PermissionDenied
from app.core.parties import refuse_party, register_parties
from app.core.states import Machine


class Stage(str, enum.Enum):
    """Where a proposal stands."""

    DRAFTING = "drafting"
    REVIEW = "review"
    FUNDING = "funding"
    TESTBED = "testbed"
    MARKET = "market"
    CLOSED = "closed"


S = Stage
#: (from, to) -> who may move it: "lead" (the lead expert) or "steward"
WHO: dict[tuple[Stage, Stage], str] = {
    (S.DRAFTING, S.REVIEW): "lead",       # needs a partner municipality on the team
    (S.REVIEW, S.DRAFTING): "lead",       # back to work
    (S.REVIEW, S.FUNDING): "steward",     # the steward's approval; needs frozen share terms
    (S.FUNDING, S.TESTBED): "lead",
    (S.TESTBED, S.MARKET): "lead",
    (S.DRAFTING, S.CLOSED): "lead",
    (S.REVIEW, S.CLOSED): "lead",
    (S.FUNDING, S.CLOSED): "lead",
    (S.TESTBED, S.CLOSED): "lead",
    (S.MARKET, S.CLOSED): "lead",
}

LABELS = {
    S.DRAFTING: _l("Drafting"), S.REVIEW: _l("In review"), S.FUNDING: _l("Funding"),
    S.TESTBED: _l("Testbed"), S.MARKET: _l("On the market"), S.CLOSED: _l("Closed"),
}


def lead_only(proposal, user) -> None:
    """Guard: the proposal's lead expert (not restricted, proposal not closed)."""
    if not proposal.can_edit(user):
        raise PermissionDenied(_l("Only the lead expert can do this."), code="not_lead")


def steward_only(row, user) -> None:
    """Guard: a steward who is not a party to the matter."""
    if not (user and user.is_authenticated and user.has_role("steward")):
        raise PermissionDenied(_l("Only stewards can do this."), code="not_steward")
    refuse_party(row, user)


def _to_review(proposal, user) -> None:
    from app.proposals.queries import has_municipal_partner

    lead_only(proposal, user)
    if not has_municipal_partner(proposal):
        raise Conflict(_l("Review needs a partner municipality on the team."), code="no_municipal_partner")


def _to_funding(proposal, user) -> None:
    from app.proposals.queries import share_terms_of

    if not (user and user.is_authenticated and user.has_role("steward")):
        raise PermissionDenied(_l("Only a steward approves a proposal for funding."), code="not_steward")
    refuse_party(proposal, user)
    terms = share_terms_of(proposal)
    if terms is None or not terms.is_frozen:
        raise Conflict(_l("Funding needs published, frozen share terms."), code="terms_not_frozen")


def _proposal_parties(proposal, user) -> bool:
    from app.proposals.queries import team_user_ids

    return user.id in (proposal.lead_expert_id, proposal.idea.author_id) or user.id in team_user_ids(proposal)


#: the parties: the applicant; the member; the lead expert, the proposer and everyone on the team
register_parties("expert_application", lambda application, user: application.user_id == user.id)
register_parties("membership", lambda membership, user: membership.user_id == user.id)
register_parties("proposal", _proposal_parties)


PROPOSAL = Machine("proposal", Stage, {
    pair: _to_review if pair[1] == S.REVIEW else _to_funding if pair[1] == S.FUNDING else lead_only
    for pair in WHO
}, LABELS, attr="stage")


class ApplicationStatus(str, enum.Enum):
    """An expert application."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


A = ApplicationStatus
EXPERT_APPLICATION = Machine("expert_application", ApplicationStatus, {
    (A.PENDING, A.APPROVED): steward_only, (A.PENDING, A.DECLINED): steward_only,
}, {A.PENDING: _l("Waiting for a steward"), A.APPROVED: _l("Approved"), A.DECLINED: _l("Declined")})


class MembershipStatus(str, enum.Enum):
    """A user's request to represent an organization."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


M = MembershipStatus
MEMBERSHIP = Machine("membership", MembershipStatus, {
    (M.PENDING, M.CONFIRMED): steward_only, (M.PENDING, M.DECLINED): steward_only,
}, {M.PENDING: _l("Waiting for a steward"), M.CONFIRMED: _l("Confirmed"), M.DECLINED: _l("Declined")})


class InvitationStatus(str, enum.Enum):
    """A place on a proposal's team, offered to an organization or a person."""

    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"


def _invitee(member, user) -> None:
    if not member.can_answer(user):
        raise PermissionDenied(_l("Only the invited person, or a confirmed representative, can answer."),
                               code="not_invitee")
    if member.organization_id is not None:  # nobody on the proposal answers for a partner joining it
        refuse_party(member.proposal, user)


def _reinvite(member, user) -> None:
    lead_only(member.proposal, user)


I = InvitationStatus  # noqa: E741 - the table reads better with one letter
INVITATION = Machine("invitation", InvitationStatus, {
    (I.INVITED, I.ACCEPTED): _invitee, (I.INVITED, I.DECLINED): _invitee, (I.DECLINED, I.INVITED): _reinvite,
}, {I.INVITED: _l("Invited"), I.ACCEPTED: _l("Accepted"), I.DECLINED: _l("Declined")})


class MilestoneStatus(str, enum.Enum):
    """A step of the testbed plan."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    MISSED = "missed"


def _milestone_lead(milestone, user) -> None:
    lead_only(milestone.proposal, user)


MS = MilestoneStatus
MILESTONE = Machine("milestone", MilestoneStatus, {
    (MS.PLANNED, MS.IN_PROGRESS): _milestone_lead, (MS.PLANNED, MS.DONE): _milestone_lead,
    (MS.PLANNED, MS.MISSED): _milestone_lead, (MS.IN_PROGRESS, MS.PLANNED): _milestone_lead,
    (MS.IN_PROGRESS, MS.DONE): _milestone_lead, (MS.IN_PROGRESS, MS.MISSED): _milestone_lead,
    (MS.MISSED, MS.IN_PROGRESS): _milestone_lead, (MS.MISSED, MS.DONE): _milestone_lead,
}, {MS.PLANNED: _l("Planned"), MS.IN_PROGRESS: _l("In progress"), MS.DONE: _l("Done"), MS.MISSED: _l("Missed")})

ORG_KINDS = {
    "municipality": _l("Municipality"), "public_institution": _l("Public institution"), "company": _l("Company"),
    "startup": _l("Startup"), "university": _l("University"), "research_institute": _l("Research institute"),
    "citizen_group": _l("Citizen group"),
}

TEAM_ROLES = {
    "lead_expert": _l("Lead expert"), "municipality_partner": _l("Municipality partner"), "company": _l("Company"),
    "university": _l("University"), "research_institute": _l("Research institute"),
    "public_institution": _l("Public institution"), "citizen_group": _l("Citizen group"), "member": _l("Member"),
}

CONTRIBUTION_KINDS = {
    "research": _l("Research"), "design": _l("Design"), "naming": _l("Naming"), "testing": _l("Testing"),
    "engineering": _l("Engineering"), "outreach": _l("Outreach"), "other": _l("Other"),
}

MILESTONE_STATUSES = {s.value: label for s, label in MILESTONE.labels.items()}
