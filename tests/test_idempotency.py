"""Idempotency-Key: the key, the effect and the stored response are committed together."""
import pytest
import sqlalchemy as sa

from app.core.idempotency import IdempotencyRecord
from app.ideas.models import Idea

IDEA = {"title": "주차장 야간 공유", "summary": "비어 있는 주차장을 밤에 이웃과 나누자는 제안입니다.",
        "body": "## 문제\n\n밤마다 주차할 곳이 없습니다.", "category": "mobility", "municipality": "suwon"}


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_worker_killed_halfway_leaves_nothing_and_the_retry_runs(app, client, db, create_user, api_headers,
                                                                   monkeypatch):
    """A key claimed before the work used to stay "in progress" forever after a crash. gunicorn's sync worker
    ends a request that times out with SystemExit, which no `except Exception` sees."""
    import app.api.ideas as api_ideas

    headers = {**api_headers(create_user()), "Idempotency-Key": "crash-1"}
    real = api_ideas.idea_json

    def killed(*_args, **_kwargs):
        raise SystemExit(1)

    monkeypatch.setattr(api_ideas, "idea_json", killed)
    with pytest.raises(SystemExit):
        client.post("/api/v1/ideas", json=IDEA, headers=headers)
    db.session.rollback()
    assert count(db, Idea) == 0 and count(db, IdempotencyRecord) == 0
    monkeypatch.setattr(api_ideas, "idea_json", real)
    first = client.post("/api/v1/ideas", json=IDEA, headers=headers)
    again = client.post("/api/v1/ideas", json=IDEA, headers=headers)
    assert first.status_code == again.status_code == 201 and first.get_json() == again.get_json()
    assert count(db, Idea) == 1


def test_the_same_key_with_another_body_is_a_conflict(client, db, create_user, api_headers):
    headers = {**api_headers(create_user()), "Idempotency-Key": "k-2"}
    assert client.post("/api/v1/ideas", json=IDEA, headers=headers).status_code == 201
    other = client.post("/api/v1/ideas", json={**IDEA, "title": "다른 제목입니다"}, headers=headers)
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "idempotency_key_reused"
    assert count(db, Idea) == 1


def test_a_refused_request_is_not_stored(client, db, create_user, api_headers):
    headers = {**api_headers(create_user(verified=False)), "Idempotency-Key": "k-3"}
    for _ in range(2):
        assert client.post("/api/v1/ideas", json=IDEA, headers=headers).status_code == 403
    assert count(db, IdempotencyRecord) == 0
