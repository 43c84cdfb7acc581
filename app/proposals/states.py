"""The proposal state machine: one table of allowed stage transitions."""
import enum

from flask_babel import lazy_gettext as _l


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
TRANSITIONS: dict[tuple[Stage, Stage], str] = {
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

MILESTONE_STATUSES = {"planned": _l("Planned"), "in_progress": _l("In progress"), "done": _l("Done"),
                      "missed": _l("Missed")}
