"""Experts adopt shortlisted ideas and develop them, with teams, into testbed proposals."""
from datetime import timedelta
from itertools import product

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from app.core.errors import DomainError
from app.core.money import allocate
from app.core.timeutil import utcnow
from app.ideas.models import Idea
from app.proposals.experts import request_membership
from app.proposals.models import Organization, Proposal, ShareTerms
from app.proposals.operations import adopt_idea, invite_member, transition_proposal
from app.proposals.states import PROPOSAL, WHO as TRANSITIONS, Stage
from tests.fixtures.core import at_once, is_postgres
from tests.fixtures.proposals import TERMS, add_partner, freeze_terms, municipal_org, representative
from tests.fixtures.states import reach
from tests.fixtures.proposals import CLAIM


def test_expert_adopts_and_the_proposer_is_credited(client, db, shortlisted, expert, api_headers):
    idea = shortlisted()
    response = client.post(f"/api/v1/ideas/{idea.id}/adopt", headers=api_headers(expert))
    assert response.status_code == 201
    body = response.get_json()
    assert body["stage"] == "drafting" and body["lead_expert"]["id"] == expert.id
    assert body["proposer"]["id"] == idea.author_id
    assert body["team"][0]["role"] == "lead_expert" and body["team"][0]["accepted"]
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == "adopted"
    page = client.get(f"/proposals/{body['id']}").get_data(as_text=True)
    assert idea.author.display_name in page
    assert "제안된 기본값" in page and "10,000,000원" in page  # the worked example before any terms are set


@pytest.mark.parametrize("who, state, status, code", [
    ("citizen", "shortlisted", 403, "not_expert"),
    ("expert", "open", 409, "not_shortlisted"),
    ("expert", "adopted", 409, "already_adopted"),
])
def test_adoption_refusals_write_nothing(client, db, create_user, create_idea, api_headers, who, state, status, code):
    idea = create_idea(status=state)
    proposals = db.session.scalar(sa.select(sa.func.count(Proposal.id)))  # an adopted idea has its proposal
    user = create_user(roles=["expert"] if who == "expert" else [])
    response = client.post(f"/api/v1/ideas/{idea.id}/adopt", headers=api_headers(user))
    assert response.status_code == status and response.get_json()["error"]["code"] == code
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == proposals
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == state


def test_second_adoption_is_refused(db, shortlisted, create_user):
    idea = shortlisted()
    adopt_idea(idea, create_user(roles=["expert"]))
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        adopt_idea(idea, create_user(roles=["expert"]))
    assert refused.value.code == "already_adopted"


@pytest.mark.skipif(not is_postgres(), reason="row-level concurrency is checked in the PostgreSQL run")
def test_two_experts_adopting_at_once_exactly_one_wins(app, db, shortlisted, create_user):
    idea_id = shortlisted().id  # read now: the threads must not touch this test's session
    experts = [create_user(roles=["expert"]).id for _ in range(2)]
    outcomes = [o if o == "ok" else o.code for o in at_once(app, adopt_idea, experts, idea_id)]
    assert sorted(outcomes) == ["already_adopted", "ok"]
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 1


STAGES = list(Stage)


@pytest.mark.parametrize("frm, to", list(product(STAGES, STAGES)))
def test_transition_table(db, proposal, create_user, frm, to):
    """Every pair of stages: allowed exactly when the table says so (with its conditions met)."""
    add_partner(proposal)
    freeze_terms(proposal)
    reach(PROPOSAL, proposal, frm)
    actor = create_user(roles=["steward"]) if TRANSITIONS.get((frm, to)) == "steward" else proposal.lead_expert
    try:
        transition_proposal(proposal, actor, to.value)
        moved = True
    except DomainError:
        db.session.rollback()
        moved = False
    assert moved is ((frm, to) in TRANSITIONS)


def test_review_needs_a_partner_municipality(client, db, proposal, create_user, api_headers):
    headers = api_headers(proposal.lead_expert)
    refused = client.post(f"/api/v1/proposals/{proposal.id}/transition", json={"to": "review"}, headers=headers)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "no_municipal_partner"
    add_partner(proposal)
    assert client.post(f"/api/v1/proposals/{proposal.id}/transition", json={"to": "review"},
                       headers=headers).get_json()["stage"] == "review"


def test_funding_needs_a_steward_and_frozen_terms(client, db, proposal, create_user, api_headers):
    add_partner(proposal)
    lead, steward = api_headers(proposal.lead_expert), api_headers(create_user(roles=["steward"]))
    client.post(f"/api/v1/proposals/{proposal.id}/transition", json={"to": "review"}, headers=lead)
    assert client.post(f"/api/v1/proposals/{proposal.id}/transition", json={"to": "funding"},
                       headers=lead).status_code == 403
    unfrozen = client.post(f"/api/v1/proposals/{proposal.id}/transition", json={"to": "funding"}, headers=steward)
    assert unfrozen.get_json()["error"]["code"] == "terms_not_frozen"
    client.put(f"/api/v1/proposals/{proposal.id}/share-terms", json=TERMS, headers=lead)
    client.post(f"/api/v1/proposals/{proposal.id}/share-terms/freeze", headers=lead)
    assert client.post(f"/api/v1/proposals/{proposal.id}/transition", json={"to": "funding"},
                       headers=steward).get_json()["stage"] == "funding"
    timeline = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "검토 중" in timeline and "펀딩" in timeline


@pytest.mark.parametrize("who, allowed", [("lead", True), ("other_expert", False), ("proposer", False),
                                          ("steward", False), ("anonymous", False)])
def test_only_the_lead_expert_edits(client, db, proposal, create_user, api_headers, who, allowed):
    user = {"lead": proposal.lead_expert, "other_expert": create_user(roles=["expert"]),
            "proposer": proposal.proposer, "steward": create_user(roles=["steward"])}.get(who)
    headers = api_headers(user) if user else {}
    response = client.patch(f"/api/v1/proposals/{proposal.id}", json={"site": "판교테크노밸리"}, headers=headers)
    assert (response.status_code == 200) is allowed
    db.session.expire_all()
    assert (db.session.get(Proposal, proposal.id).site == "판교테크노밸리") is allowed


@pytest.mark.parametrize("change, field", [({"budget_amount": -1}, "budget_amount"), ({"title": ""}, "title"),
                                           ({"municipality": "seoul"}, "municipality"),
                                           ({"budget_amount": "백만"}, "budget_amount")])
def test_bad_proposal_input_is_refused(client, db, proposal, api_headers, change, field):
    response = client.patch(f"/api/v1/proposals/{proposal.id}", json=change, headers=api_headers(proposal.lead_expert))
    assert response.status_code in (400, 422) and field in response.get_json()["error"]["fields"]
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).budget_amount == 0


@pytest.mark.parametrize("change", [{"proposer_bp": 2001}, {"commons_bp": -1}, {"community_share_bp": 10001},
                                    {"backers_cap_multiple_bp": 5000}, {"backers_bp": "5000"}])
def test_share_terms_must_add_up(client, db, proposal, api_headers, change):
    response = client.put(f"/api/v1/proposals/{proposal.id}/share-terms", json={**TERMS, **change},
                          headers=api_headers(proposal.lead_expert))
    assert response.status_code == 400 and response.get_json()["error"]["fields"]
    assert db.session.get(ShareTerms, proposal.id) is None


def test_frozen_terms_never_change(client, db, proposal, api_headers):
    headers = api_headers(proposal.lead_expert)
    assert client.put(f"/api/v1/proposals/{proposal.id}/share-terms", json=TERMS, headers=headers).status_code == 200
    assert client.post(f"/api/v1/proposals/{proposal.id}/share-terms/freeze", headers=headers).get_json()["frozen"]
    changed = {**TERMS, "proposer_bp": 3000, "backers_bp": 4000}
    refused = client.put(f"/api/v1/proposals/{proposal.id}/share-terms", json=changed, headers=headers)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "terms_frozen"
    db.session.expire_all()
    assert db.session.get(ShareTerms, proposal.id).proposer_bp == 2000


def test_milestone_due_date_may_not_be_past(client, proposal, api_headers):
    headers = api_headers(proposal.lead_expert)
    past = (utcnow().date() - timedelta(days=1)).isoformat()
    refused = client.post(f"/api/v1/proposals/{proposal.id}/milestones", json={"title": "실증", "due_on": past},
                          headers=headers)
    assert refused.status_code == 400 and "due_on" in refused.get_json()["error"]["fields"]
    future = (utcnow().date() + timedelta(days=30)).isoformat()
    made = client.post(f"/api/v1/proposals/{proposal.id}/milestones", json={"title": "실증", "due_on": future},
                       headers=headers)
    assert made.status_code == 201
    done = client.patch(f"/api/v1/proposals/{proposal.id}/milestones/{made.get_json()['id']}",
                        json={"status": "done"}, headers=headers)
    assert done.status_code == 400  # done needs evidence


def test_contributions_count_once_confirmed_and_split_exactly(client, db, proposal, create_user, api_headers):
    lead = api_headers(proposal.lead_expert)
    a, b = create_user(), create_user()
    ids = [client.post(f"/api/v1/proposals/{proposal.id}/contributions",
                       json={"user_id": u.id, "kind": "design", "points": pts}, headers=lead).get_json()["id"]
           for u, pts in ((a, 1), (b, 2))]
    assert client.post(f"/api/v1/contributions/{ids[0]}/confirm", headers=api_headers(b)).status_code == 403
    for cid, user in zip(ids, (a, b)):
        assert client.post(f"/api/v1/contributions/{cid}/confirm", headers=api_headers(user)).status_code == 200
    client.put(f"/api/v1/proposals/{proposal.id}/share-terms", json=TERMS, headers=lead)
    from app.proposals.queries import confirmed_points
    from app.proposals.terms import worked_example

    example = worked_example(db.session.get(ShareTerms, proposal.id), 100_000_001, confirmed_points(proposal))
    assert sum(example["parts"].values()) == example["pool_amount"] == 10_000_000
    assert sum(amount for _name, amount in example["contributors"]) == example["parts"]["contributors_bp"]
    assert client.post(f"/api/v1/proposals/{proposal.id}/contributions",
                       json={"user_id": a.id, "kind": "design", "points": 0}, headers=lead).status_code == 422


def test_invitations_need_acceptance_by_a_confirmed_representative(client, db, proposal, create_user, api_headers):
    org = municipal_org("suwon")
    invited = client.post(f"/api/v1/proposals/{proposal.id}/team",
                          json={"role": "municipality_partner", "organization_id": org.id},
                          headers=api_headers(proposal.lead_expert)).get_json()
    unconfirmed = create_user()
    request_membership(unconfirmed, org, **CLAIM)
    db.session.commit()
    answer = f"/api/v1/proposals/{proposal.id}/team/{invited['id']}/answer"
    assert client.post(answer, json={"accept": True}, headers=api_headers(unconfirmed)).status_code == 403
    rep = representative(org)
    assert client.post(answer, json={"accept": True}, headers=api_headers(rep)).status_code == 200
    team = client.get(f"/api/v1/proposals/{proposal.id}").get_json()["team"]
    assert any(m["role"] == "municipality_partner" and m["accepted"] for m in team)


def test_municipality_partner_must_be_a_municipality(db, proposal):
    company = Organization(name="스마트모빌리티(주)", kind="company")
    db.session.add(company)
    db.session.commit()
    with pytest.raises(DomainError):
        invite_member(proposal, proposal.lead_expert, role="municipality_partner", organization=company)


def test_updates_notify_supporters_and_silence_shows(client, db, proposal, create_user, api_headers):
    from app.notifications.models import Notification

    assert not proposal.is_stale()
    db.session.execute(sa.update(Proposal).where(Proposal.id == proposal.id)
                       .values(created_at=utcnow() - timedelta(days=91)))
    db.session.commit()
    db.session.refresh(proposal)
    assert proposal.is_stale()
    assert client.post(f"/api/v1/proposals/{proposal.id}/updates", json={"body": "1차 실증을 시작했습니다."},
                       headers=api_headers(create_user())).status_code == 403
    assert client.post(f"/api/v1/proposals/{proposal.id}/updates", json={"body": "1차 실증을 시작했습니다."},
                       headers=api_headers(proposal.lead_expert)).status_code == 201
    db.session.expire_all()
    assert not db.session.get(Proposal, proposal.id).is_stale()
    kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == proposal.idea.author_id))
    assert "proposal_update" in list(kinds)


def test_another_city_replicates_a_testbed(client, db, proposal, create_user, api_headers):
    reach(PROPOSAL, proposal, "testbed")
    goyang = municipal_org("goyang")
    rep = representative(goyang)
    asked = client.post(f"/api/v1/proposals/{proposal.id}/replications", json={"organization_id": goyang.id},
                        headers=api_headers(rep))
    assert asked.status_code == 201
    again = client.post(f"/api/v1/proposals/{proposal.id}/replications", json={"organization_id": goyang.id},
                        headers=api_headers(rep))
    assert again.status_code == 409
    accepted = client.post(f"/api/v1/proposals/{proposal.id}/replications/{asked.get_json()['id']}/accept",
                           headers=api_headers(proposal.lead_expert)).get_json()
    assert [c["code"] for c in accepted["cities"]] == ["suwon", "goyang"]
    assert "고양시" in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)


def test_expert_application_is_decided_with_a_reason(client, db, create_user, api_headers):
    applicant, steward = create_user(), api_headers(create_user(roles=["steward"]))
    body = {"fields": "교통 공학", "affiliation": "경기연구원", "evidence": "도시 교통 연구 10년, 논문 목록: https://example.org"}
    made = client.post("/api/v1/experts/applications", json=body, headers=api_headers(applicant))
    assert made.status_code == 201
    assert client.post("/api/v1/experts/applications", json=body, headers=api_headers(applicant)).status_code == 409
    url = f"/api/v1/experts/applications/{made.get_json()['id']}/decision"
    assert client.post(url, json={"approve": True, "reason": "확인"}, headers=api_headers(applicant)).status_code == 403
    assert client.post(url, json={"approve": True, "reason": "  "}, headers=steward).status_code == 422
    assert client.post(url, json={"approve": True, "reason": "경력 확인"}, headers=steward).status_code == 200
    assert "expert" in client.get("/api/v1/me", headers=api_headers(applicant)).get_json()["roles"]


def test_pages_render_for_lead_and_visitors(client, db, proposal, create_user, login_as):
    from app.proposals.operations import add_milestone, post_update
    from app.proposals.terms import set_share_terms

    add_partner(proposal)
    add_milestone(proposal, proposal.lead_expert, title="주민 설명회", due_on=utcnow().date() + timedelta(days=10))
    set_share_terms(proposal, proposal.lead_expert, TERMS)
    post_update(proposal, proposal.lead_expert, "착수했습니다")
    db.session.commit()
    public = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "주민 설명회" in public and "착수했습니다" in public and "계산 예시" in public
    assert proposal.title in public and "작업 공간" not in public
    assert proposal.title in client.get("/proposals").get_data(as_text=True)
    login_as(proposal.lead_expert)
    assert "작업 공간" in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert client.get("/experts/dashboard").status_code == 200
    assert client.get("/organizations").status_code == 200


def test_expert_adopts_from_the_idea_page(client, db, shortlisted, expert, login_as):
    idea = shortlisted()
    login_as(expert)
    assert "채택하기" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    response = client.post_form(f"/ideas/{idea.id}/adopt")
    assert response.status_code == 302 and "/proposals/" in response.headers["Location"]


@given(total=st.integers(0, 10**12), weights=st.lists(st.integers(0, 10**6), min_size=1, max_size=20))
def test_allocate_is_exact_and_deterministic(total, weights):
    parts = allocate(total, weights)
    assert sum(parts) == (total if sum(weights) else 0)
    assert parts == allocate(total, weights)
    assert all(p >= 0 for p in parts)
    if sum(weights):
        assert all(abs(p - total * w / sum(weights)) < 1 for p, w in zip(parts, weights))


def test_allocate_breaks_ties_lowest_index_first():
    assert allocate(1, [1, 1, 1]) == [1, 0, 0]
    assert allocate(2, [1, 1, 1]) == [1, 1, 0]


def test_approved_experts_show_a_badge(client, db, create_user, create_idea):
    from app.ideas.operations import add_comment

    idea = create_idea()
    add_comment(idea, create_user(roles=["expert"]), "전문가 의견입니다")
    add_comment(idea, create_user(), "시민 의견입니다")
    db.session.commit()
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert page.count("✔ 전문가") == 1
