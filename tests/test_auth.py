"""Registration, email verification, login and logout, through the pages."""
import email
import email.policy
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.auth.models import User

LOGOUT_BUTTON = ">로그아웃</button>"


def _mails(app) -> list:
    files = sorted((Path(app.config["INSTANCE_DIR"]) / "mail").glob("*.eml"), key=lambda f: f.stat().st_mtime_ns)
    return [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]


def _mail_link(app) -> str:
    mails = _mails(app)
    assert mails, "no mail was written"
    return re.search(r"http://localhost(/auth/verify/\S+)", mails[-1].get_content()).group(1)


def _register(client, **overrides):
    data = {"email": "Minji@Example.org", "display_name": "김민지", "password": "bike-lanes-4-suwon",
            "confirm": "bike-lanes-4-suwon", "locale": "ko", "accept_terms": "y", "accept_privacy": "y", **overrides}
    return client.post_form("/auth/register", {k: v for k, v in data.items() if v is not None})


def test_register_verify_and_login(app, client, db):
    response = _register(client)
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User))
    assert user.email == "minji@example.org"  # stored lower-cased
    assert user.password_hash.startswith("scrypt:")
    assert not user.is_verified
    assert user.roles == {"citizen"}

    client.post_form("/auth/logout")
    assert client.get(_mail_link(app)).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).is_verified

    response = client.post_form("/auth/login", {"email": "MINJI@example.org", "password": "bike-lanes-4-suwon"})
    assert response.status_code == 302
    assert LOGOUT_BUTTON in client.get("/ideas").get_data(as_text=True)


@pytest.mark.parametrize("overrides, field_error", [
    ({"email": ""}, "이메일 주소를 입력해 주세요."),
    ({"email": "not-an-email"}, "올바른 이메일 주소를 입력해 주세요."),
    ({"display_name": ""}, "다른 사람에게 보일 이름을 입력해 주세요."),
    ({"display_name": "가" * 61}, "2자 이상 60자 이하로 입력해 주세요."),
    ({"password": "short", "confirm": "short"}, "10자 이상으로 정해 주세요."),
    ({"password": "1234567890", "confirm": "1234567890"}, "너무 쉽게 추측할 수 있는 비밀번호입니다."),
    ({"password": "minji-password", "confirm": "minji-password"}, "비밀번호에 이메일 주소를 넣을 수 없습니다."),
    ({"confirm": "something-else-1"}, "비밀번호가 서로 다릅니다."),
    ({"locale": "fr"}, "목록에 있는 항목 중에서 골라 주세요."),
    ({"password": "password12", "confirm": "password12"}, "너무 쉽게 추측할 수 있는 비밀번호입니다."),
    ({"password": "1234512345", "confirm": "1234512345"}, "너무 쉽게 추측할 수 있는 비밀번호입니다."),
    ({"password": "qwertyuiop1", "confirm": "qwertyuiop1"}, "너무 쉽게 추측할 수 있는 비밀번호입니다."),
    ({"accept_terms": None}, 'id="accept_terms-error"'),
    ({"accept_privacy": None}, 'id="accept_privacy-error"'),
])
def test_registration_refuses_bad_input_and_writes_nothing(client, db, overrides, field_error):
    response = _register(client, **overrides)
    assert response.status_code == 400
    assert field_error in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_a_taken_email_is_not_revealed_and_its_owner_is_told(app, client, db, create_user):
    owner = create_user("minji@example.org", locale="en")
    fresh = _register(app.test_client(), email="new.citizen@example.org")
    taken = _register(client, email="MINJI@example.org")
    assert taken.status_code == fresh.status_code == 302
    assert taken.headers["Location"].replace("minji@example.org", "X") == \
        fresh.headers["Location"].replace("new.citizen@example.org", "X")
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 2
    db.session.refresh(owner)
    assert owner.display_name != "김민지"  # nothing about the existing account changed
    (mail,) = [m for m in _mails(app) if m["To"] == "minji@example.org"]
    assert "/auth/reset" in mail.get_content()
    assert "register" in mail["Subject"].lower()


def test_wrong_password_is_refused(client, create_user):
    user = create_user()
    response = client.post_form("/auth/login", {"email": user.email, "password": "wrong password!"})
    assert response.status_code == 400
    assert "이메일 주소 또는 비밀번호가 올바르지 않습니다." in response.get_data(as_text=True)


def test_login_starts_a_new_session(client, create_user):
    user = create_user()
    client.csrf_token()
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    client.post_form("/auth/login", {"email": user.email, "password": "correct horse battery"})
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"].split(":")[0] == str(user.id)


def test_tampered_verification_link_is_refused(app, client, create_user):
    create_user(verified=False)
    assert client.get("/auth/verify/not-a-real-token").status_code == 400


def test_verification_link_expires(app, client, db, create_user, monkeypatch):
    from app.auth.operations import verification_token

    user = create_user(verified=False)
    token = verification_token(user)
    app.config["EMAIL_VERIFY_MAX_AGE"] = -1
    assert client.get(f"/auth/verify/{token}").status_code == 400
    db.session.expire_all()
    assert not db.session.get(User, user.id).is_verified


def test_logout_needs_post_with_csrf(client, create_user, login_as):
    login_as(create_user())
    assert client.get("/auth/logout").status_code == 405
    client.post("/auth/logout")  # no CSRF token: still logged in
    assert LOGOUT_BUTTON in client.get("/ideas").get_data(as_text=True)
    client.post_form("/auth/logout")
    assert LOGOUT_BUTTON not in client.get("/ideas").get_data(as_text=True)


def test_open_redirect_after_login_is_refused(client, create_user):
    user = create_user()
    response = client.post_form("/auth/login?next=//evil.example/x",
                                {"email": user.email, "password": "correct horse battery"})
    assert response.headers["Location"] == "/ideas"


def test_language_switch(client, create_user, login_as, db):
    assert "아이디어 올리기" in client.get("/ideas").get_data(as_text=True)
    client.post_form("/auth/locale", {"locale": "en", "next": "/ideas"})
    assert "Post an idea" in client.get("/ideas").get_data(as_text=True)
    user = create_user()
    login_as(user)
    client.post_form("/auth/locale", {"locale": "en"})
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"


@pytest.mark.parametrize("password, advice", [
    ("password12", "This is a very common password."),
    ("1234512345", 'Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    ("qwertyuiop1", "This is similar to a commonly used password."),
])
def test_weak_passwords_are_refused_with_advice(client, db, password, advice):
    client.post_form("/auth/locale", {"locale": "en"})
    response = _register(client, password=password, confirm=password)
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This password is too easy to guess." in text and advice.replace('"', "&#34;") in text
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_a_strong_password_passes(client, db):
    assert _register(client, password="광교 호수공원 산책로 2026", confirm="광교 호수공원 산책로 2026").status_code == 302


def test_registration_records_the_accepted_terms(client, db):
    from app.auth.legal import PRIVACY_VERSION, TERMS_VERSION

    _register(client)
    user = db.session.scalar(sa.select(User))
    assert (user.terms_version, user.privacy_version) == (TERMS_VERSION, PRIVACY_VERSION)
    assert user.terms_accepted_at is not None and user.privacy_accepted_at is not None


def test_registration_links_the_terms_and_the_privacy_notice(client):
    page = client.get("/auth/register").get_data(as_text=True)
    assert 'href="/terms"' in page and 'href="/privacy"' in page


@pytest.mark.parametrize("url, words", [("/terms", ["이용약관", "커먼즈"]), ("/privacy", ["개인정보", "보유", "동의"])])
def test_terms_and_privacy_pages_in_korean_and_english(client, url, words):
    page = client.get(url).get_data(as_text=True)
    assert all(w in page for w in words)
    client.post_form("/auth/locale", {"locale": "en"})
    english = client.get(url).get_data(as_text=True)
    assert ("Terms of use" if url == "/terms" else "Privacy notice") in english


@pytest.mark.parametrize("length", [72, 73, 100, 200])
def test_a_long_passphrase_is_judged_not_a_server_error(app, client, length):
    """zxcvbn refuses more than 72 characters by default (ValueError); schemathesis found the 500 it made."""
    from app.auth.strength import password_problem

    words = "gyeonggi night buses carry quiet cargo under amber lamps while river fog drifts "
    passphrase = (words * 4)[:length]
    with app.test_request_context():
        assert password_problem(passphrase, "someone@example.org", "Someone") is None
    response = client.post("/api/v1/users", json={"email": f"long{length}@example.org", "display_name": "Long",
                                                  "password": passphrase, "accept_terms": True, "accept_privacy": True})
    assert response.status_code < 500
