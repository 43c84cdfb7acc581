"""The JSON API v1: users, tokens, ideas, supports, comments, and its error shapes."""
import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.ideas.models import Comment, Idea, Support

IDEA = {"title": "판교 수요응답형 버스", "summary": "배차 간격이 긴 외곽 마을에 호출형 버스를 운행하자는 제안입니다.",
        "body": "## 문제\n\n버스가 한 시간에 한 대뿐입니다.", "category": "mobility", "municipality": "seongnam"}


def assert_error(response, status, code):
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def test_register_token_and_me(client, db):
    response = client.post("/api/v1/users", json={"email": "Jun@Example.org", "password": "bike-lanes-4-suwon",
                                                  "display_name": "박준", "locale": "en", "accept_terms": True})
    assert response.status_code == 202  # the same answer whether or not the address has an account
    assert response.get_json()["email"] == "jun@example.org"
    token = client.post("/api/v1/tokens", json={"email": "jun@example.org", "password": "bike-lanes-4-suwon"})
    assert token.status_code == 201
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.get_json()['token']}"}).get_json()
    assert me["email"] == "jun@example.org" and me["roles"] == ["citizen"] and me["locale"] == "en"
    assert me["wallet_balance_amount"] == 0 and me["currency"] == "KRW" and me["verified"] is False


@pytest.mark.parametrize("payload, status, code, field", [
    ({"email": "a@b.org", "password": "short", "display_name": "이름"}, 422, "validation_failed", "password"),
    ({"email": "not-an-email", "password": "bike-lanes-4-suwon", "display_name": "이름"}, 422, "validation_failed", "email"),
    ({"email": 5, "password": "bike-lanes-4-suwon", "display_name": "이름"}, 400, "invalid_type", "email"),
    ({"password": "bike-lanes-4-suwon", "display_name": "이름"}, 422, "validation_failed", "email"),
])
def test_bad_registration(client, db, payload, status, code, field):
    error = assert_error(client.post("/api/v1/users", json=payload), status, code)
    assert field in error["fields"]
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_duplicate_registration_does_not_reveal_the_account(client, db, create_user):
    owner = create_user("dup@example.org")
    response = client.post("/api/v1/users", json={
        "email": "DUP@example.org", "password": "bike-lanes-4-suwon", "display_name": "중복", "accept_terms": True})
    assert response.status_code == 202  # as for a new address; the owner is mailed instead
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1
    db.session.refresh(owner)
    assert owner.display_name != "중복"


@pytest.mark.parametrize("body, content_type", [("not json", "application/json"), ("[1, 2]", "application/json"),
                                                ("email=x", "application/x-www-form-urlencoded")])
def test_malformed_bodies_are_400(client, body, content_type):
    assert_error(client.post("/api/v1/users", data=body, content_type=content_type), 400, "invalid_json")


def test_bad_credentials_and_tokens_are_401(client, create_user):
    user = create_user()
    assert_error(client.post("/api/v1/tokens", json={"email": user.email, "password": "nope nope nope"}),
                 401, "invalid_credentials")
    assert_error(client.get("/api/v1/me", headers={"Authorization": "Bearer gops_forged"}), 401, "invalid_token")
    assert_error(client.get("/api/v1/me"), 401, "not_authenticated")


def test_expired_token_is_refused(client, db, create_user, api_headers):
    from app.auth.models import ApiToken
    from app.core.timeutil import utcnow

    headers = api_headers(create_user())
    db.session.execute(sa.update(ApiToken).values(expires_at=utcnow()))
    db.session.commit()
    assert_error(client.get("/api/v1/me", headers=headers), 401, "invalid_token")


def test_code_lists(client):
    municipalities = client.get("/api/v1/municipalities").get_json()["items"]
    assert len(municipalities) == 31
    assert {"code": "suwon", "name_ko": "수원시", "name_en": "Suwon", "kind": "city"} in municipalities
    assert sum(m["kind"] == "county" for m in municipalities) == 3
    assert len(client.get("/api/v1/categories").get_json()["items"]) == 9


def test_post_read_patch_idea(client, db, create_user, api_headers):
    headers = api_headers(create_user())
    created = client.post("/api/v1/ideas", json=IDEA, headers=headers)
    assert created.status_code == 201
    idea = created.get_json()
    assert idea["status"] == "open" and idea["support_count"] == 0 and idea["permissions"]["edit"] is True
    assert created.headers["Location"].endswith(f"/api/v1/ideas/{idea['id']}")
    assert "<h2>문제</h2>" in client.get(f"/api/v1/ideas/{idea['id']}").get_json()["body_html"]
    patched = client.patch(f"/api/v1/ideas/{idea['id']}", json={"title": "판교 호출형 버스"}, headers=headers)
    assert patched.status_code == 200 and patched.get_json()["title"] == "판교 호출형 버스"
    withdrawn = client.patch(f"/api/v1/ideas/{idea['id']}", json={"status": "withdrawn"}, headers=headers)
    assert withdrawn.get_json()["status"] == "withdrawn"


@pytest.mark.parametrize("change, status, code", [
    ({"title": ""}, 422, "validation_failed"),
    ({"title": "x" * 121}, 422, "validation_failed"),
    ({"category": "nope"}, 422, "validation_failed"),
    ({"municipality": "seoul"}, 422, "validation_failed"),
    ({"title": ["list"]}, 400, "invalid_type"),
])
def test_bad_idea_input(client, db, create_user, api_headers, change, status, code):
    assert_error(client.post("/api/v1/ideas", json={**IDEA, **change}, headers=api_headers(create_user())), status, code)
    assert db.session.scalar(sa.select(sa.func.count(Idea.id))) == 0


def test_editing_someone_elses_idea_is_403(client, db, create_idea, create_user, api_headers):
    idea = create_idea()
    assert_error(client.patch(f"/api/v1/ideas/{idea.id}", json={"title": "가로챈 제목"},
                              headers=api_headers(create_user())), 403, "forbidden")
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).title != "가로챈 제목"


def test_unverified_user_cannot_post(client, create_user, api_headers):
    assert_error(client.post("/api/v1/ideas", json=IDEA, headers=api_headers(create_user(verified=False))),
                 403, "not_verified")


def test_support_is_idempotent(client, db, create_idea, create_user, api_headers):
    idea = create_idea()
    headers = api_headers(create_user())
    for _ in range(2):
        response = client.put(f"/api/v1/ideas/{idea.id}/support", headers=headers)
        assert response.get_json() == {"supported": True, "support_count": 1}
    for _ in range(2):
        response = client.delete(f"/api/v1/ideas/{idea.id}/support", headers=headers)
        assert response.get_json() == {"supported": False, "support_count": 0}


def test_support_refusals(client, create_idea, create_user, api_headers):
    author = create_user()
    idea = create_idea(author)
    assert_error(client.put(f"/api/v1/ideas/{idea.id}/support", headers=api_headers(author)), 403, "own_idea")
    assert_error(client.put(f"/api/v1/ideas/{idea.id}/support", headers=api_headers(create_user(verified=False))),
                 403, "not_verified")
    assert_error(client.put(f"/api/v1/ideas/{idea.id}/support"), 401, "not_authenticated")
    assert_error(client.put("/api/v1/ideas/999999/support", headers=api_headers(author)), 404, "idea_not_found")


def test_comments(client, db, create_idea, create_user, api_headers):
    idea = create_idea()
    headers = api_headers(create_user())
    top = client.post(f"/api/v1/ideas/{idea.id}/comments", json={"body": "좋아요"}, headers=headers).get_json()
    reply = client.post(f"/api/v1/ideas/{idea.id}/comments", json={"body": "동의", "parent_id": top["id"]}, headers=headers)
    assert reply.status_code == 201 and reply.get_json()["parent_id"] == top["id"]
    listing = client.get(f"/api/v1/ideas/{idea.id}/comments").get_json()
    assert [c["body"] for c in listing["items"]] == ["좋아요", "동의"] and listing["total"] == 2
    assert_error(client.post(f"/api/v1/ideas/{idea.id}/comments", json={"body": ""}, headers=headers),
                 422, "validation_failed")
    assert_error(client.post(f"/api/v1/ideas/{idea.id}/comments", json={"body": "x", "parent_id": 99999},
                             headers=headers), 404, "parent_not_found")
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 2


def test_list_ideas_envelope_and_filters(client, create_idea, create_user):
    author = create_user()
    for i in range(3):
        create_idea(author, category="energy" if i else "culture")
    body = client.get("/api/v1/ideas?category=energy&per_page=1").get_json()
    assert body["total"] == 2 and body["per_page"] == 1 and len(body["items"]) == 1
    assert_error(client.get("/api/v1/ideas?per_page=101"), 400, "invalid_page")
    assert_error(client.get("/api/v1/ideas?sort=random"), 400, "invalid_sort")
    assert_error(client.get("/api/v1/ideas?municipality=seoul"), 400, "unknown_municipality")


def test_idempotency_key_replays_and_detects_reuse(client, db, create_user, api_headers):
    headers = {**api_headers(create_user()), "Idempotency-Key": "idea-1"}
    first = client.post("/api/v1/ideas", json=IDEA, headers=headers)
    again = client.post("/api/v1/ideas", json=IDEA, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    assert db.session.scalar(sa.select(sa.func.count(Idea.id))) == 1
    assert_error(client.post("/api/v1/ideas", json={**IDEA, "title": "다른 제목입니다"}, headers=headers),
                 409, "idempotency_key_reused")


def test_cookie_session_write_without_csrf_is_401(client, db, create_idea, create_user, login_as):
    idea = create_idea()
    login_as(create_user())
    assert_error(client.put(f"/api/v1/ideas/{idea.id}/support"), 401, "csrf_failed")
    assert db.session.scalar(sa.select(sa.func.count(Support.id))) == 0
    token = client.csrf_token()
    assert client.put(f"/api/v1/ideas/{idea.id}/support", headers={"X-CSRFToken": token}).status_code == 200


@pytest.mark.parametrize("method, path", [("GET", "/api/v1/nothing"), ("DELETE", "/api/v1/ideas"),
                                          ("GET", "/api/v1/ideas/abc")])
def test_unknown_routes_answer_in_json(client, method, path):
    response = client.open(path, method=method)
    assert response.status_code in (404, 405)
    assert response.get_json()["error"]["code"] in ("not_found", "method_not_allowed")


def test_every_api_route_is_in_the_openapi_document(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    import re

    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        assert path in document["paths"], f"{path} is not documented"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"][path], f"{method} {path} is not documented"
