"""Accounts: password reset by a single-use link, password and email change, API tokens, deleting the account.

Messages new with these pages are checked in English (the Korean catalog is filled from their msgids).
"""
import email
import email.policy
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.auth.models import ApiToken, User
from tests.fixtures.core import PASSWORD

NEW_PASSWORD = "광교 호수공원 산책로 2026"


def mails(app) -> list:
    """The outbox in the order the mails were written (names only order them to the second)."""
    files = sorted((Path(app.config["INSTANCE_DIR"]) / "mail").glob("*.eml"), key=lambda f: f.stat().st_mtime_ns)
    return [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]


def mail_to(app, address: str):
    """The last mail to an address."""
    return [m for m in mails(app) if m["To"] == address][-1]


def link_in(mail, path: str) -> str:
    return re.search(rf"http://localhost({re.escape(path)}\S+)", mail.get_content()).group(1)


def in_english(client):
    client.post_form("/auth/locale", {"locale": "en"})


def reset_link(app, client, user) -> str:
    client.post_form("/auth/reset", {"email": user.email})
    return link_in(mails(app)[-1], "/auth/reset/")


# --- Password reset ----------------------------------------------------------------------------------------

def test_reset_by_mailed_link_then_log_in_with_the_new_password(app, client, db, create_user):
    user = create_user(verified=False)
    link = reset_link(app, client, user)
    assert mails(app)[-1]["To"] == user.email
    assert client.get(link).status_code == 200
    response = client.post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.post_form("/auth/login", {"email": user.email, "password": PASSWORD}).status_code == 400
    assert client.post_form("/auth/login", {"email": user.email, "password": NEW_PASSWORD}).status_code == 302
    db.session.refresh(user)
    assert user.is_verified  # the link reached the address


def test_a_reset_link_works_once(app, client, create_user):
    user = create_user()
    link = reset_link(app, client, user)
    client.post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    again = client.post_form(link, {"password": "another fine passphrase 7", "confirm": "another fine passphrase 7"})
    assert again.status_code == 400
    assert client.post_form("/auth/login", {"email": user.email, "password": NEW_PASSWORD}).status_code == 302


def test_a_reset_link_expires_after_an_hour(app, client, create_user):
    user = create_user()
    link = reset_link(app, client, user)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    assert client.post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 400


def test_a_forged_reset_link_is_refused(client, create_user):
    create_user()
    assert client.get("/auth/reset/not-a-token").status_code == 400
    assert client.post("/api/v1/password-resets/not-a-token", json={"password": NEW_PASSWORD}).status_code == 400


def test_a_reset_ends_every_session_and_revokes_tokens(app, client, create_user, login_as, api_headers):
    user = create_user()
    headers = api_headers(user)
    other = app.test_client()
    other.post_form("/auth/login", {"email": user.email, "password": PASSWORD})
    link = reset_link(app, client, user)
    client.post_form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert other.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_weak_new_password_is_refused_with_advice(app, client, create_user):
    user = create_user()
    link = reset_link(app, client, user)
    in_english(client)
    response = client.post_form(link, {"password": "password12", "confirm": "password12"})
    assert response.status_code == 400 and "This password is too easy to guess." in response.get_data(as_text=True)


def test_reset_requests_answer_alike_for_any_address(app, client, create_user):
    user = create_user()
    known = client.post_form("/auth/reset", {"email": user.email})
    unknown = client.post_form("/auth/reset", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert [m["To"] for m in mails(app)] == [user.email]


def test_api_password_reset(app, client, create_user):
    user = create_user()
    for address in (user.email, "nobody@example.org"):
        response = client.post("/api/v1/password-resets", json={"email": address})
        assert response.status_code == 202 and set(response.get_json()) == {"message"}
    assert len(mails(app)) == 1
    token = link_in(mails(app)[-1], "/auth/reset/").rsplit("/", 1)[1]
    weak = client.post(f"/api/v1/password-resets/{token}", json={"password": "1234512345"})
    assert weak.status_code == 422 and weak.get_json()["error"]["code"] == "weak_password"
    assert client.post(f"/api/v1/password-resets/{token}", json={"password": NEW_PASSWORD}).status_code == 204
    assert client.post(f"/api/v1/password-resets/{token}", json={"password": NEW_PASSWORD}).status_code == 400
    assert client.post("/api/v1/tokens", json={"email": user.email, "password": NEW_PASSWORD}).status_code == 201


def test_reset_requests_are_limited_per_address_asked_for(app, client, create_user):
    app.config["PASSWORD_RESETS_PER_EMAIL"] = "2 per hour"
    user = create_user()
    statuses = [client.post("/api/v1/password-resets", json={"email": user.email}).status_code for _ in range(2)]
    statuses.append(client.post_form("/auth/reset", {"email": user.email}).status_code)  # the page counts too
    assert statuses == [202, 202, 429]
    assert len(mails(app)) == 2


# --- Password change ---------------------------------------------------------------------------------------

def test_change_password_needs_the_current_one_and_ends_other_sessions(app, client, create_user, login_as,
                                                                        api_headers):
    user = create_user(locale="en")
    headers = api_headers(user)
    elsewhere = app.test_client()
    elsewhere.post_form("/auth/login", {"email": user.email, "password": PASSWORD})
    login_as(user)
    wrong = client.post_form("/account/password", {"pw-current_password": "not my password",
                                                   "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD})
    assert wrong.status_code == 400 and "The password is not correct." in wrong.get_data(as_text=True)
    done = client.post_form("/account/password", {"pw-current_password": PASSWORD, "pw-password": NEW_PASSWORD,
                                                  "pw-confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.get("/api/v1/me").status_code == 200  # this session goes on
    assert elsewhere.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_api_password_change_keeps_the_token_in_use(client, create_user, api_headers):
    user = create_user()
    headers, other = api_headers(user), api_headers(user)
    wrong = client.put("/api/v1/me/password", json={"current_password": "nope nope nope", "password": NEW_PASSWORD},
                       headers=headers)
    assert wrong.status_code == 422 and "current_password" in wrong.get_json()["error"]["fields"]
    assert client.put("/api/v1/me/password", json={"current_password": PASSWORD, "password": NEW_PASSWORD},
                      headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.get("/api/v1/me", headers=other).status_code == 401


# --- Email change ------------------------------------------------------------------------------------------

def test_a_new_address_counts_only_once_its_link_is_followed(app, client, db, create_user, login_as):
    user = create_user("old@example.org")
    login_as(user)
    response = client.post_form("/account/email", {"mail-email": "New@Example.org", "mail-password": PASSWORD})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.email, user.pending_email) == ("old@example.org", "new@example.org")
    assert "new@example.org" in mail_to(app, "old@example.org").get_content()  # the owner is told
    link = link_in(mail_to(app, "new@example.org"), "/auth/email/")
    assert client.get(link).status_code == 302
    db.session.refresh(user)
    assert (user.email, user.pending_email) == ("new@example.org", None) and user.is_verified
    assert client.get(link).status_code == 400  # spent
    assert client.get("/api/v1/me").get_json()["email"] == "new@example.org"  # this browser logged in again


def test_an_email_change_ends_other_sessions(app, client, create_user, login_as):
    user = create_user()
    login_as(user)
    elsewhere = app.test_client()
    elsewhere.post_form("/auth/login", {"email": user.email, "password": PASSWORD})
    client.post_form("/account/email", {"mail-email": "moved@example.org", "mail-password": PASSWORD})
    client.get(link_in(mail_to(app, "moved@example.org"), "/auth/email/"))
    assert elsewhere.get("/api/v1/me").status_code == 401


def test_a_taken_address_is_not_revealed_by_an_email_change(app, client, db, create_user, login_as):
    create_user("taken@example.org")
    user = create_user()
    login_as(user)
    in_english(client)
    taken = client.post_form("/account/email", {"mail-email": "taken@example.org", "mail-password": PASSWORD},
                             follow_redirects=True)
    assert "We sent a link to taken@example.org" in taken.get_data(as_text=True)
    assert mails(app)[-1]["To"] == "taken@example.org" and "/auth/email/" not in mails(app)[-1].get_content()
    db.session.refresh(user)
    assert user.pending_email is None


def test_api_email_change_needs_the_password(client, db, create_user, api_headers):
    user = create_user()
    headers = api_headers(user)
    wrong = client.post("/api/v1/me/email", json={"email": "x@example.org", "password": "nope nope"}, headers=headers)
    assert wrong.status_code == 422
    ok = client.post("/api/v1/me/email", json={"email": "x@example.org", "password": PASSWORD}, headers=headers)
    assert ok.status_code == 202 and ok.get_json()["pending_email"] == "x@example.org"
    assert client.get("/api/v1/me", headers=headers).get_json()["pending_email"] == "x@example.org"


# --- API tokens --------------------------------------------------------------------------------------------

def test_the_account_page_lists_tokens_and_revokes_any(client, db, create_user, login_as, api_headers):
    user = create_user()
    headers = api_headers(user)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    stranger_token = api_headers(create_user())
    login_as(user)
    page = client.get("/account").get_data(as_text=True)
    assert f"#{token.id}" in page and f"/account/tokens/{token.id}/revoke" in page
    assert client.post_form(f"/account/tokens/{token.id}/revoke").status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    other = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id != user.id))
    assert client.post_form(f"/account/tokens/{other.id}/revoke").status_code == 404
    assert client.get("/api/v1/me", headers=stranger_token).status_code == 200


def test_api_lists_and_revokes_tokens(client, db, create_user, api_headers):
    user = create_user()
    headers, spare = api_headers(user), api_headers(user)
    items = client.get("/api/v1/me/tokens", headers=headers).get_json()["items"]
    assert len(items) == 2 and [i["current"] for i in items] == [False, True]
    assert "token" not in items[0] and "token_hash" not in items[0]
    spare_id = items[0]["id"]
    assert client.delete(f"/api/v1/tokens/{spare_id}", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=spare).status_code == 401
    assert client.delete(f"/api/v1/tokens/{spare_id}", headers=headers).status_code == 404


def test_delete_current_token_needs_a_token(client, create_user, login_as):
    login_as(create_user())
    response = client.delete("/api/v1/tokens/current", headers={"X-CSRFToken": client.csrf_token()})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "no_token"


# --- Registration through the API ------------------------------------------------------------------------

REGISTRATION = {"email": "jun@example.org", "password": "bike-lanes-4-suwon", "display_name": "박준",
                "accept_terms": True}


def test_api_registration_answers_alike_for_new_and_taken_addresses(app, client, db, create_user):
    create_user("taken@example.org")
    new = client.post("/api/v1/users", json=REGISTRATION)
    taken = client.post("/api/v1/users", json={**REGISTRATION, "email": "Taken@example.org"})
    assert new.status_code == taken.status_code == 202
    assert set(new.get_json()) == set(taken.get_json())
    assert new.get_json()["message"].replace("jun@", "X@") == taken.get_json()["message"].replace("taken@", "X@")
    assert sorted(m["To"] for m in mails(app)) == ["jun@example.org", "taken@example.org"]
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 2


@pytest.mark.parametrize("accept, status", [(None, 422), (False, 422), ("yes", 400)])
def test_api_registration_needs_the_terms_accepted(client, db, accept, status):
    body = {k: v for k, v in {**REGISTRATION, "accept_terms": accept}.items() if v is not None}
    response = client.post("/api/v1/users", json=body)
    assert response.status_code == status and "accept_terms" in response.get_json()["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_api_registration_records_the_terms(client, db):
    from app.auth.legal import PRIVACY_VERSION, TERMS_VERSION

    body = client.post("/api/v1/users", json=REGISTRATION).get_json()
    assert (body["terms_version"], body["privacy_version"]) == (TERMS_VERSION, PRIVACY_VERSION)
    user = db.session.scalar(sa.select(User))
    assert (user.terms_version, user.privacy_version) == (TERMS_VERSION, PRIVACY_VERSION)


@pytest.mark.parametrize("password", ["password12", "1234512345", "qwertyuiop1"])
def test_api_registration_refuses_weak_passwords(client, db, password):
    response = client.post("/api/v1/users", json={**REGISTRATION, "password": password})
    assert response.status_code == 422 and "password" in response.get_json()["error"]["fields"]


def test_api_language_of_the_account(client, create_user, api_headers):
    headers = api_headers(create_user())
    assert client.patch("/api/v1/me", json={"locale": "en"}, headers=headers).get_json()["locale"] == "en"
    assert client.patch("/api/v1/me", json={"locale": "fr"}, headers=headers).status_code == 422


# --- Account page and deleting the account ----------------------------------------------------------------

def test_the_account_page_needs_a_login_and_links_the_settings(client, create_user, login_as):
    assert client.get("/account").status_code == 302
    user = create_user()
    login_as(user)
    page = client.get("/account").get_data(as_text=True)
    for link in ("/notifications/settings", f"/people/{user.id}", "/me/activity", "/account/delete",
                 "/account/password", "/account/email", "/account/locale"):
        assert link in page
    assert client.get("/account").headers["Cache-Control"] == "no-store"


def test_the_account_language_is_saved(client, db, create_user, login_as):
    user = create_user()
    login_as(user)
    client.post_form("/account/locale", {"lang-locale": "en"})
    db.session.refresh(user)
    assert user.locale == "en"


def test_deleting_the_account_erases_personal_data_and_keeps_contributions(
        app, client, db, create_user, create_idea, login_as, api_headers):
    from app.core.audit import AuditEvent
    from app.ideas.models import Comment, Follow, Support
    from app.ideas.operations import add_comment, follow_idea, support_idea

    user = create_user("leaving@example.org", name="떠나는 시민", roles=["expert"])
    idea, other = create_idea(user), create_idea()
    support_idea(other, user)
    follow_idea(other, user)
    add_comment(other, user, "좋은 생각입니다")
    db.session.commit()
    headers = api_headers(user)
    login_as(user)
    wrong = client.post_form("/account/delete", {"delete-password": "not my password"})
    assert wrong.status_code == 400
    assert client.post_form("/account/delete", {"delete-password": PASSWORD}).status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.email != "leaving@example.org" and user.email.endswith(".invalid")
    assert user.display_name == f"탈퇴한 시민 {user.id}" and user.roles == {"citizen"} and user.is_erased
    assert not user.check_password(PASSWORD)
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id)).where(ApiToken.user_id == user.id)) == 0
    assert db.session.scalar(sa.select(sa.func.count(Follow.id)).where(Follow.user_id == user.id)) == 0
    assert db.session.scalar(sa.select(sa.func.count(Support.id)).where(Support.user_id == user.id)) == 1
    assert db.session.scalar(sa.select(sa.func.count(Comment.id)).where(Comment.author_id == user.id)) == 1
    assert idea.author_id == user.id
    assert client.get("/api/v1/me").status_code == 401 and client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.post_form("/auth/login", {"email": "leaving@example.org", "password": PASSWORD}).status_code == 400
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert f"탈퇴한 시민 {user.id}" in page and "떠나는 시민" not in page
    assert db.session.scalar(sa.select(AuditEvent.actor_id).where(AuditEvent.action == "user.erased")) == user.id


def test_the_address_of_a_deleted_account_can_register_again(client, db, create_user, api_headers):
    user = create_user("again@example.org")
    headers = api_headers(user)
    assert client.delete("/api/v1/me", json={"password": PASSWORD}, headers=headers).status_code == 204
    assert client.post("/api/v1/users", json={**REGISTRATION, "email": "again@example.org"}).status_code == 202
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == "again@example.org")) == 1


def test_api_delete_needs_the_password(client, create_user, api_headers):
    headers = api_headers(create_user())
    assert client.delete("/api/v1/me", json={"password": "wrong one"}, headers=headers).status_code == 422
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_an_old_session_cookie_without_a_generation_is_not_accepted(app, create_user):
    user = create_user()
    browser = app.test_client()
    with browser.session_transaction() as sess:
        sess["_user_id"] = str(user.id)  # the shape before generations: logs nobody in
        sess["_fresh"] = True
    assert browser.get("/api/v1/me").status_code == 401


def test_tokens_expire_when_their_time_is_up(client, db, create_user, api_headers):
    from app.core.timeutil import utcnow

    headers = api_headers(create_user())
    db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get("/api/v1/me/tokens", headers=headers).status_code == 401


def test_a_stolen_session_cannot_guess_the_password_through_the_account_page(client, create_user, login_as,
                                                                             api_headers):
    user = create_user()
    login_as(user)
    for n in range(5):
        response = client.post_form("/account/delete", {"delete-password": f"guess number {n}"})
        assert response.status_code == 400
    refused = client.post_form("/account/delete", {"delete-password": PASSWORD})
    assert refused.status_code == 400 and client.get("/api/v1/me").status_code == 200  # not deleted
    headers = api_headers(user)
    api = client.put("/api/v1/me/password", json={"current_password": PASSWORD, "password": NEW_PASSWORD},
                     headers=headers)
    assert api.status_code == 429 and api.get_json()["error"]["code"] == "rate_limited"


def test_email_change_requests_are_limited(app, client, create_user, api_headers):
    app.config["EMAIL_CHANGES_PER_USER"] = "2 per hour"
    headers = api_headers(create_user())
    statuses = [client.post("/api/v1/me/email", json={"email": f"n{i}@example.org", "password": PASSWORD},
                            headers=headers).status_code for i in range(3)]
    assert statuses == [202, 202, 429]
