"""The expert workspace speaks to people: a stage stepper, column headers, shares in percent, names not numbers,
and a problem that starts from the idea's own text once."""
import re

import pytest
import sqlalchemy as sa

from app.ideas.operations import support_idea
from app.ideas.states import IDEA, IdeaStatus
from app.proposals.models import Contribution, Organization, TeamMember
from app.proposals.operations import adopt_idea, add_milestone, invite_member, transition_proposal
from app.proposals.queries import share_terms_of
from app.proposals.states import PROPOSAL, Stage
from app.proposals.terms import record_contribution

BODY = ("## 문제\n\n역 앞 자전거 보관대가 늘 꽉 차 있습니다.\n\n## 제안\n\n이층 보관대와 빈자리 안내판을 둡니다.\n\n"
        "## 기대 효과\n\n- 불법 주차가 줄어듭니다.")


@pytest.fixture
def adopted(db, create_user, create_idea):
    """Factory: a proposal adopted by a new expert from a shortlisted idea (idea fields as given)."""

    def make(**fields):
        idea = create_idea(**fields)
        support_idea(idea, create_user())
        IDEA.move(idea, IdeaStatus.SHORTLISTED, None)
        proposal = adopt_idea(idea, create_user(roles=["expert"]))
        db.session.commit()
        return proposal

    return make


def _page(client, proposal) -> str:
    return client.get(f"/proposals/{proposal.id}").get_data(as_text=True)


def test_adoption_starts_the_problem_and_the_solution_from_the_idea_once(adopted):
    proposal = adopted(body=BODY)
    assert proposal.problem == "역 앞 자전거 보관대가 늘 꽉 차 있습니다."
    assert proposal.solution == "이층 보관대와 빈자리 안내판을 둡니다."
    assert "제안" not in proposal.problem and "##" not in proposal.problem


def test_adoption_of_an_idea_without_parts_starts_from_its_summary(adopted):
    proposal = adopted(body="자전거 보관대가 부족하니 이층 보관대를 설치하면 좋겠습니다. 역 앞이 특히 그렇습니다.")
    assert proposal.problem == proposal.idea.summary
    assert proposal.solution == ""


def test_the_stepper_marks_where_the_proposal_stands(client, db, adopted):
    proposal = adopted()
    page = _page(client, proposal)
    steps = re.findall(r'<li class="(done|current|ahead|stopped)"', page)
    assert steps == ["current", "ahead", "ahead", "ahead", "ahead"]
    assert page.count('aria-current="step"') == 1


def test_a_closed_proposal_shows_the_stage_it_stopped_at(client, db, adopted):
    proposal = adopted()
    transition_proposal(proposal, proposal.lead_expert, Stage.CLOSED.value)
    db.session.commit()
    steps = re.findall(r'<li class="(done|current|ahead|stopped)"', _page(client, proposal))
    assert steps == ["stopped", "ahead", "ahead", "ahead", "ahead"]


def test_every_table_on_the_proposal_page_has_column_headers(client, db, create_user, adopted):
    proposal = adopted()
    lead = proposal.lead_expert
    invite_member(proposal, lead, role="member", user=create_user())
    add_milestone(proposal, lead, title="주민 설명회", due_on=proposal.created_at.date())
    record_contribution(proposal, lead, create_user(), kind="design", points=10)
    db.session.commit()
    page = _page(client, proposal)
    tables = re.findall(r"<table.*?</table>", page, re.S)
    assert len(tables) == 3  # team, milestones, contributions
    for table in tables:
        head = re.search(r"<thead>.*?</thead>", table, re.S)
        assert head and head.group(0).count("<th") >= 3
        labels = re.findall(r'<td data-label="([^"]+)"', table)  # phones show each cell with its header
        assert len(labels) == table.count("<td")


PERCENT_TERMS = {"community_share_pct": "12.5", "proposer_pct": "25", "contributors_pct": "25.00",
                 "backers_pct": "40", "commons_pct": "10", "backers_cap_multiple": "1.5"}


def test_shares_entered_in_percent_are_stored_in_basis_points(client, db, adopted, login_as):
    proposal = adopted()
    login_as(proposal.lead_expert)
    client.post_form(f"/proposals/{proposal.id}/share-terms", PERCENT_TERMS)
    db.session.expire_all()
    terms = share_terms_of(proposal)
    assert (terms.community_share_bp, terms.proposer_bp, terms.contributors_bp, terms.backers_bp, terms.commons_bp,
            terms.backers_cap_multiple_bp) == (1250, 2500, 2500, 4000, 1000, 15000)
    page = _page(client, proposal)
    assert 'name="community_share_pct"' in page and 'value="12.50"' in page and 'value="1.50"' in page
    assert "10000 basis points" not in page and "bp)" not in page


@pytest.mark.parametrize("change", [
    {"commons_pct": "11"},            # the pool adds up to 101%
    {"proposer_pct": "25.005"},       # a fraction of a basis point
    {"community_share_pct": "120"},   # more than all of it
    {"backers_pct": ""},              # a part left out
    {"backers_cap_multiple": "0.5"},  # a cap below what backers put in
    {"community_share_pct": "sNaN"},  # not a number at all (a signalling NaN used to break the range check)
    {"backers_cap_multiple": "Infinity"},
    {"proposer_pct": "스무"},
])
def test_terms_the_page_cannot_store_exactly_are_refused(client, db, adopted, login_as, change):
    proposal = adopted()
    login_as(proposal.lead_expert)
    response = client.post_form(f"/proposals/{proposal.id}/share-terms", {**PERCENT_TERMS, **change})
    assert response.status_code == 302  # back to the page with the reason, never a 500
    db.session.expire_all()
    assert share_terms_of(proposal) is None


def test_the_lead_invites_a_person_picked_by_name(client, db, create_user, adopted, login_as):
    proposal = adopted()
    invitee = create_user(name="김해솔")
    login_as(proposal.lead_expert)
    client.post_form(f"/proposals/{proposal.id}/team", {"role": "member", "person": "김해솔", "user_id": str(invitee.id)})
    member = db.session.scalar(sa.select(TeamMember).where(TeamMember.proposal_id == proposal.id,
                                                           TeamMember.user_id == invitee.id))
    assert member is not None and member.status == "invited"


def test_without_a_script_a_typed_name_that_one_organization_has_is_enough(client, db, adopted, login_as):
    proposal = adopted()
    city = db.session.scalar(sa.select(Organization).where(Organization.kind == "municipality"))
    login_as(proposal.lead_expert)
    client.post_form(f"/proposals/{proposal.id}/team", {"role": "municipality_partner", "organization": city.name})
    assert db.session.scalar(sa.select(TeamMember.id).where(TeamMember.proposal_id == proposal.id,
                                                            TeamMember.organization_id == city.id)) is not None


def test_a_name_several_people_share_is_not_guessed(client, db, create_user, adopted, login_as):
    proposal = adopted()
    create_user(name="이하늘"), create_user(name="이하늘")
    login_as(proposal.lead_expert)
    response = client.post_form(f"/proposals/{proposal.id}/team", {"role": "member", "person": "이하늘"},
                                follow_redirects=True)
    assert "이하늘" in response.get_data(as_text=True)  # the message names the name it could not settle
    assert db.session.scalar(sa.select(sa.func.count(TeamMember.id)).where(TeamMember.proposal_id == proposal.id)) == 1


def test_an_unknown_picked_id_invites_nobody(client, db, adopted, login_as):
    proposal = adopted()
    login_as(proposal.lead_expert)
    client.post_form(f"/proposals/{proposal.id}/team", {"role": "member", "person": "누구", "user_id": "999999"})
    assert db.session.scalar(sa.select(sa.func.count(TeamMember.id)).where(TeamMember.proposal_id == proposal.id)) == 1


def test_a_contribution_is_recorded_for_a_person_picked_by_name(client, db, create_user, adopted, login_as):
    proposal = adopted()
    contributor = create_user()
    login_as(proposal.lead_expert)
    client.post_form(f"/proposals/{proposal.id}/contributions",
                     {"person": contributor.display_name, "user_id": str(contributor.id), "kind": "design",
                      "points": "30"})
    row = db.session.scalar(sa.select(Contribution).where(Contribution.proposal_id == proposal.id))
    assert (row.user_id, row.points) == (contributor.id, 30)


def test_the_workspace_asks_for_names_not_emails_or_numbers(client, adopted, login_as):
    proposal = adopted()
    login_as(proposal.lead_expert)
    page = _page(client, proposal)
    for form in re.findall(r'<form[^>]*action="/proposals/\d+/(?:team|contributions)".*?</form>', page, re.S):
        assert 'type="email"' not in form and 'type="number" name="organization_id"' not in form
        assert 'class="picker"' in form and 'data-lookup="/people/lookup"' in form


def test_every_stage_move_and_the_freeze_ask_first(client, db, adopted, login_as):
    proposal = adopted()
    login_as(proposal.lead_expert)
    client.post_form(f"/proposals/{proposal.id}/share-terms", PERCENT_TERMS)
    page = _page(client, proposal)
    moves = re.findall(r'<form[^>]*action="/proposals/\d+/transition"[^>]*>', page)
    assert len(moves) == len(PROPOSAL.targets(Stage.DRAFTING.value)) >= 2
    assert all('data-confirm="' in form for form in moves)
    assert re.search(r'<form[^>]*action="/proposals/\d+/share-terms/freeze"[^>]*data-confirm="[^"]+"', page)
