"""Representing an organization: verified users only, with their title and proof, shown to the steward."""
import pytest
import sqlalchemy as sa

from app.core.errors import DomainError
from app.proposals.experts import request_membership
from app.proposals.models import Membership, Organization
from tests.fixtures.proposals import CLAIM


def city(db):
    return db.session.scalar(sa.select(Organization).where(Organization.kind == "municipality"))


def test_an_unverified_user_cannot_ask_to_speak_for_a_city(db, create_user):
    with pytest.raises(DomainError) as refused:
        request_membership(create_user(verified=False), city(db), **CLAIM)
    assert refused.value.code == "not_verified"


@pytest.mark.parametrize("claim, field", [({"title": "", "evidence": CLAIM["evidence"]}, "title"),
                                          ({"title": "주무관", "evidence": "믿어 주세요"}, "evidence")])
def test_a_request_needs_a_title_and_proof(db, create_user, claim, field):
    with pytest.raises(DomainError) as refused:
        request_membership(create_user(), city(db), **claim)
    assert field in refused.value.fields


def test_the_steward_sees_who_they_say_they_are(client, db, create_user, login_as):
    asker = create_user(name="김주무관")
    org = city(db)
    login_as(asker)
    client.post_form(f"/organizations/{org.id}/represent", {"title": "스마트도시과 주무관",
                                                            "evidence": "시청 누리집 직원 안내에 제 이름이 있습니다."})
    assert db.session.scalar(sa.select(Membership.title).where(Membership.user_id == asker.id)) == "스마트도시과 주무관"
    client.post_form("/auth/logout")
    login_as(create_user(roles=["steward"]))
    page = client.get("/experts/applications").get_data(as_text=True)
    assert "스마트도시과 주무관" in page and "시청 누리집 직원 안내" in page


def test_the_api_asks_for_the_same(client, db, create_user, api_headers):
    org = city(db)
    headers = api_headers(create_user())
    refused = client.post(f"/api/v1/organizations/{org.id}/memberships", json={}, headers=headers)
    assert refused.status_code == 422 and {"title", "evidence"} <= set(refused.get_json()["error"]["fields"])
    assert client.post(f"/api/v1/organizations/{org.id}/memberships", json=CLAIM, headers=headers).status_code == 201
