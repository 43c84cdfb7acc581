"""Reproductions from the attack on the API and pages: each answers 4xx in the error shape, never 500."""
import json

import pytest
import sqlalchemy as sa

from app.core.parameters import get_parameter
from app.ideas.models import Idea

HUGE_PAGE = "19514280618597261312"
IDEA = {"title": "주차장 공유 제안", "summary": "비어 있는 주차장을 밤에 이웃과 나누자는 제안입니다.",
        "body": "## 문제\n\n밤마다 주차할 곳이 없습니다.", "category": "mobility", "municipality": "suwon"}


def error_code(response) -> str:
    return response.get_json()["error"]["code"]


@pytest.mark.parametrize("url", ["/api/v1/answers/due", "/api/v1/ideas", "/ideas", "/proposals",
                                 "/api/v1/ideas/1/comments", "/audit"])
def test_a_page_number_past_any_integer_is_refused(client, url):
    response = client.get(f"{url}?page={HUGE_PAGE}")
    assert response.status_code in (400, 404)


@pytest.mark.parametrize("url", ["/api/v1/users", "/api/v1/tokens"])
def test_json_nested_two_thousand_deep_is_malformed(client, url):
    response = client.post(url, data="[" * 2000 + "]" * 2000, content_type="application/json")
    assert response.status_code == 400 and error_code(response)


@pytest.mark.parametrize("url", ["/api/v1/users", "/api/v1/tokens"])
def test_a_lone_surrogate_is_malformed(client, url):
    body = json.dumps({"email": "a\ud800@b.c", "password": "correct horse battery", "display_name": "x"})
    response = client.post(url, data=body, content_type="application/json")
    assert response.status_code == 400


def test_a_lone_surrogate_in_an_idea_is_malformed(client, db, create_user, api_headers):
    body = json.dumps({**IDEA, "title": "제목\ud800"})
    response = client.post("/api/v1/ideas", data=body, content_type="application/json",
                           headers=api_headers(create_user()))
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Idea.id))) == 0


def test_a_nul_character_in_json_is_refused(client, db, create_user, api_headers):
    response = client.post("/api/v1/ideas", json={**IDEA, "body": "본문\x00숨김"}, headers=api_headers(create_user()))
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Idea.id))) == 0


@pytest.mark.parametrize("title", ["\u200b\u200b\u200b\u200b\u200b", "Invoice \u202efdp.exe", "\u3164\u3164\u3164\u3164"])
def test_titles_must_show_something_and_not_reorder_text(client, db, create_user, api_headers, title):
    response = client.post("/api/v1/ideas", json={**IDEA, "title": title}, headers=api_headers(create_user()))
    assert response.status_code in (400, 422) and "title" in response.get_json()["error"]["fields"]


def test_a_boolean_is_not_a_number(client, db, create_user, api_headers):
    """`true` was taken as 1 and shortlisted every idea with one support."""
    steward = api_headers(create_user(roles=["steward"]))
    response = client.put("/api/v1/parameters/SHORTLIST_SUPPORTS", json={"value": True, "reason": "시험"},
                          headers=steward)
    assert response.status_code in (400, 422)
    assert get_parameter("SHORTLIST_SUPPORTS") == 50


def test_a_body_past_the_size_limit_is_413_in_the_error_shape(client, app):
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    response = client.post("/api/v1/users", data=b"{" + b" " * size + b"}", content_type="application/json")
    assert response.status_code == 413 and error_code(response) == "too_large"


def test_a_wrong_method_says_which_are_allowed(client):
    response = client.delete("/api/v1/ideas")
    assert response.status_code == 405 and {"GET", "POST"} <= set(response.headers["Allow"].split(", "))
