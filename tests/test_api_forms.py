"""The API validates bodies with the pages' forms: the same limits, no silent truncation, no booleans as numbers."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEvent
from app.core.timeutil import utcnow
from app.proposals.models import Milestone, ProposalUpdate


def error_of(response, status):
    assert response.status_code == status, response.get_json()
    return response.get_json()["error"]


def test_an_update_over_the_pages_limit_is_refused_not_cut(client, db, proposal, api_headers):
    response = client.post(f"/api/v1/proposals/{proposal.id}/updates", json={"body": "가" * 20001},
                           headers=api_headers(proposal.lead_expert))
    assert "body" in error_of(response, 422)["fields"]
    assert db.session.scalar(sa.select(sa.func.count(ProposalUpdate.id))) == 0


def test_a_rules_reason_over_500_characters_is_refused_not_cut(client, db, create_user, api_headers):
    steward = api_headers(create_user(roles=["steward"]))
    response = client.put("/api/v1/parameters/ANSWER_DUE_DAYS", json={"value": 20, "reason": "가" * 501},
                          headers=steward)
    assert "reason" in error_of(response, 422)["fields"]
    changes = sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "parameter.changed")
    assert db.session.scalar(changes) == 0


@pytest.mark.parametrize("method, path, body, field", [
    ("PUT", "/api/v1/parameters/ANSWER_DUE_DAYS", {"value": True, "reason": "이유"}, "value"),
    ("POST", "/api/v1/ideas/{idea}/merge", {"target_id": True}, "target_id"),
    ("POST", "/api/v1/proposals/{proposal}/contributions", {"user_id": "{lead}", "kind": "design", "points": True},
     "points"),
    ("POST", "/api/v1/proposals/{proposal}/replications", {"organization_id": True}, "organization_id"),
    ("POST", "/api/v1/me/notifications/read", {"id": True}, "id"),
    ("PUT", "/api/v1/proposals/{proposal}/share-terms", {"community_share_bp": True}, "community_share_bp"),
])
def test_booleans_are_not_numbers(client, proposal, create_user, create_idea, api_headers, method, path, body, field):
    idea = create_idea()
    actor = create_user(roles=["steward"]) if "parameters" in path or "merge" in path else proposal.lead_expert
    ids = {"idea": idea.id, "proposal": proposal.id, "lead": proposal.lead_expert.id}
    body = {k: int(v.format(**ids)) if isinstance(v, str) and v.startswith("{") else v for k, v in body.items()}
    response = client.open(path.format(**ids), method=method, json=body, headers=api_headers(actor))
    assert error_of(response, 400)["code"] == "invalid_type" and field in error_of(response, 400)["fields"]


@pytest.mark.parametrize("due_on", ["2026-13-45", "next week", "", None])
def test_a_milestone_needs_a_real_date(client, db, proposal, api_headers, due_on):
    response = client.post(f"/api/v1/proposals/{proposal.id}/milestones", json={"title": "실증", "due_on": due_on},
                           headers=api_headers(proposal.lead_expert))
    assert "due_on" in error_of(response, 422)["fields"]
    assert db.session.scalar(sa.select(sa.func.count(Milestone.id))) == 0


def test_a_milestone_date_is_read_as_the_page_reads_it(client, proposal, api_headers):
    due = (utcnow().date() + timedelta(days=30)).isoformat()
    made = client.post(f"/api/v1/proposals/{proposal.id}/milestones", json={"title": "실증", "due_on": due},
                       headers=api_headers(proposal.lead_expert))
    assert made.status_code == 201 and made.get_json()["due_on"] == due


@pytest.mark.parametrize("path, body, field", [
    ("/api/v1/proposals/{proposal}/transition", {"to": "somewhere"}, "to"),
    ("/api/v1/proposals/{proposal}/team", {"role": "captain", "user_id": 1}, "role"),
    ("/api/v1/proposals/{proposal}/replications", {"organization_id": 1, "note": "가" * 501}, "note"),
])
def test_unknown_choices_and_long_texts_are_field_errors(client, proposal, api_headers, path, body, field):
    response = client.post(path.format(proposal=proposal.id), json=body, headers=api_headers(proposal.lead_expert))
    assert field in error_of(response, 422)["fields"]


def test_a_yes_or_no_must_be_said(client, db, proposal, create_user, api_headers):
    """A missing `accept` or `approve` is not a "no"."""
    from app.proposals.experts import apply_as_expert
    from app.proposals.operations import invite_member

    invitee, applicant = create_user(), create_user()
    member = invite_member(proposal, proposal.lead_expert, role="member", user=invitee)
    application = apply_as_expert(applicant, fields="교통 공학", affiliation="경기연구원",
                                  evidence="도시 교통 연구 10년, 논문 목록: https://example.org")
    db.session.commit()
    response = client.post(f"/api/v1/proposals/{proposal.id}/team/{member.id}/answer", json={},
                           headers=api_headers(invitee))
    assert "accept" in error_of(response, 422)["fields"]
    response = client.post(f"/api/v1/experts/applications/{application.id}/decision", json={"reason": "확인"},
                           headers=api_headers(create_user(roles=["steward"])))
    assert "approve" in error_of(response, 422)["fields"]
    db.session.expire_all()
    assert (member.status, application.status) == ("invited", "pending")
