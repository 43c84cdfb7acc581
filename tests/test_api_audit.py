"""The public log over the API (GET /api/v1/audit), and a steward declining a request to represent an organization."""
import pytest
import sqlalchemy as sa

from app.ideas.operations import support_idea
from app.notifications.models import Notification
from app.proposals.experts import confirm_membership, request_membership
from app.proposals.models import Membership, Organization
from tests.fixtures.proposals import CLAIM

RULE_REASON = "참여가 적은 군 지역을 배려합니다"
DECLINE_REASON = "재직 증빙이 없습니다"


def audit(client, **query) -> dict:
    response = client.get("/api/v1/audit", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def only(items, action) -> dict:
    (entry,) = [e for e in items if e["action"] == action]
    return entry


@pytest.fixture
def logged(client, db, create_user, create_idea, api_headers):
    """A steward lowers the shortlisting threshold to one support, saying why; then the rule shortlists an idea."""
    steward = create_user(roles=["steward"], name="운영위원 가람")
    changed = client.put("/api/v1/parameters/SHORTLIST_SUPPORTS", json={"value": 1, "reason": RULE_REASON},
                         headers=api_headers(steward))
    assert changed.status_code == 200, changed.get_json()
    supporter = create_user()
    idea = create_idea(title="공개 기록 시험 아이디어")
    support_idea(idea, supporter)
    db.session.commit()
    assert client.get(f"/api/v1/ideas/{idea.id}").get_json()["status"] == "shortlisted"
    return {"steward": steward, "idea": idea, "supporter": supporter}


def test_the_log_shows_a_rule_change_and_a_shortlisting_newest_first(client, logged):
    body = audit(client)
    assert set(body) == {"items", "page", "per_page", "total"} and body["page"] == 1
    ids = [e["id"] for e in body["items"]]
    assert ids == sorted(ids, reverse=True) and body["total"] == len(ids)
    change, shortlisting = only(body["items"], "parameter.changed"), only(body["items"], "idea.shortlisted")
    assert shortlisting["id"] > change["id"]
    steward, idea = logged["steward"], logged["idea"]
    assert change["actor"] == {"id": steward.id, "display_name": "운영위원 가람"}
    assert change["reason"] == RULE_REASON
    assert (change["data"]["key"], change["data"]["new"]) == ("SHORTLIST_SUPPORTS", 1)
    assert change["subject"] == {"type": "parameter", "id": None, "title": None, "url": None}
    assert shortlisting["actor"] is None  # the platform's rule acted, not a person
    assert shortlisting["reason"] is None
    assert (shortlisting["data"]["from"], shortlisting["data"]["to"]) == ("open", "shortlisted")
    subject = shortlisting["subject"]
    assert (subject["type"], subject["id"], subject["title"]) == ("idea", idea.id, "공개 기록 시험 아이디어")
    assert subject["url"].startswith("http") and subject["url"].endswith(f"/ideas/{idea.id}")
    assert shortlisting["created_at"].endswith("+00:00")


def test_the_log_filters_by_subject(client, logged):
    idea = logged["idea"]
    about_idea = audit(client, subject_type="idea", subject_id=idea.id)["items"]
    assert about_idea and {(e["subject"]["type"], e["subject"]["id"]) for e in about_idea} == {("idea", idea.id)}
    assert "idea.shortlisted" in [e["action"] for e in about_idea]
    rules = audit(client, subject_type="parameter")["items"]
    assert [e["action"] for e in rules] == ["parameter.changed"]
    assert audit(client, subject_type="idea", subject_id=idea.id + 1000)["items"] == []


def test_the_log_pages_like_every_list(client, logged):
    first, second = audit(client, per_page=1), audit(client, per_page=1, page=2)
    assert len(first["items"]) == len(second["items"]) == 1 and first["total"] == second["total"] >= 2
    assert first["items"][0]["id"] > second["items"][0]["id"]


def test_the_log_holds_no_personal_data(client, logged):
    text = client.get("/api/v1/audit").get_data(as_text=True)
    for user in (logged["steward"], logged["supporter"], logged["idea"].author):
        assert user.email not in text
    assert "@" not in text and "email" not in text


@pytest.mark.parametrize("query, code", [
    ({"subject_type": "nonsense"}, "invalid_subject_type"),
    ({"subject_type": "idea", "subject_id": "abc"}, "invalid_subject_id"),
    ({"subject_type": "idea", "subject_id": "0"}, "invalid_subject_id"),
    ({"subject_type": "idea", "subject_id": "１"}, "invalid_subject_id"),
    ({"subject_type": "idea", "subject_id": "9" * 30}, "invalid_subject_id"),
    ({"per_page": "101"}, "invalid_page"),
])
def test_bad_filters_are_400(client, query, code):
    response = client.get("/api/v1/audit", query_string=query)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == code


def pending_membership(db, user):
    org = db.session.scalar(sa.select(Organization).where(Organization.kind == "municipality")
                            .order_by(Organization.id))
    membership = request_membership(user, org, **CLAIM)
    db.session.commit()
    return membership


def decline(client, membership_id, body, headers):
    return client.post(f"/api/v1/organizations/memberships/{membership_id}/decline", json=body, headers=headers)


def test_a_steward_declines_a_membership_saying_why(client, db, create_user, api_headers):
    requester, steward = create_user(), create_user(roles=["steward"])
    membership = pending_membership(db, requester)
    response = decline(client, membership.id, {"reason": DECLINE_REASON}, api_headers(steward))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"id": membership.id, "confirmed": False, "status": "declined"}
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).status == "declined"
    told = db.session.scalars(sa.select(Notification).where(Notification.user_id == requester.id)).all()
    assert [(n.kind, n.data["reason"]) for n in told] == [("membership_declined", DECLINE_REASON)]
    entry = only(audit(client, subject_type="membership", subject_id=membership.id)["items"], "membership.declined")
    assert entry["actor"]["id"] == steward.id and entry["reason"] == DECLINE_REASON
    assert requester.display_name in entry["subject"]["title"]
    assert requester.email not in client.get("/api/v1/audit").get_data(as_text=True)


@pytest.mark.parametrize("case, body, status, code", [
    ("citizen", {"reason": DECLINE_REASON}, 403, "not_steward"),
    ("own request", {"reason": DECLINE_REASON}, 403, "party_to_matter"),
    ("anonymous", {"reason": DECLINE_REASON}, 401, "not_authenticated"),
    ("steward", {"reason": "   "}, 422, "validation_failed"),
    ("steward", {}, 422, "validation_failed"),
    ("steward", {"reason": "가" * 501}, 422, "validation_failed"),
    ("steward", {"reason": 5}, 400, "invalid_type"),
    ("steward", [DECLINE_REASON], 400, "invalid_json"),
    ("missing", {"reason": DECLINE_REASON}, 404, "not_found"),
    ("confirmed", {"reason": DECLINE_REASON}, 409, "invalid_transition"),
])
def test_declining_a_membership_is_refused(client, db, create_user, api_headers, case, body, status, code):
    steward = create_user(roles=["steward"])
    requester = steward if case == "own request" else create_user()
    membership = pending_membership(db, requester)
    if case == "confirmed":
        confirm_membership(membership, create_user(roles=["steward"]))
        db.session.commit()
    headers = {"citizen": lambda: api_headers(create_user()),
               "anonymous": dict}.get(case, lambda: api_headers(steward))()
    ident = 999999 if case == "missing" else membership.id
    response = decline(client, ident, body, headers)
    assert response.status_code == status and response.get_json()["error"]["code"] == code, response.get_json()
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).status == ("confirmed" if case == "confirmed" else "pending")
