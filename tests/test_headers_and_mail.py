"""HSTS in production, no caching of personal pages, and an outbox people can read."""
from pathlib import Path

import sqlalchemy as sa


def test_hsts_when_cookies_are_https_only(app, client):
    app.config["SESSION_COOKIE_SECURE"] = True
    assert "max-age=31536000" in client.get("/ideas").headers["Strict-Transport-Security"]
    app.config["SESSION_COOKIE_SECURE"] = False  # development over plain HTTP: no HSTS
    assert "Strict-Transport-Security" not in client.get("/ideas").headers


def test_pages_for_a_logged_in_user_are_not_stored(client, create_user, login_as):
    assert client.get("/ideas").headers.get("Cache-Control") != "no-store"
    login_as(create_user())
    assert client.get("/ideas").headers["Cache-Control"] == "no-store"
    assert client.get("/notifications/").headers["Cache-Control"] == "no-store"


def test_api_answers_with_a_token_are_not_stored(client, create_user, api_headers):
    assert client.get("/api/v1/me", headers=api_headers(create_user())).headers["Cache-Control"] == "no-store"


def test_the_verification_mail_in_the_outbox_is_readable(app, client, db):
    from app.auth.models import User

    client.post("/api/v1/users", json={"email": "new@example.org", "password": "a long and unusual secret",
                                       "display_name": "새 시민", "accept_terms": True})
    assert db.session.scalar(sa.select(User.id).where(User.email == "new@example.org"))
    (mail,) = (Path(app.config["INSTANCE_DIR"]) / "mail").glob("*.eml")
    text = mail.read_text(encoding="utf-8")
    assert "/auth/verify/" in text and "base64" not in text.lower()
