"""Security by default: sanitized Markdown, CSP and headers, cookies, rate limits."""
from html.parser import HTMLParser

import pytest

from app.core.markdown import render_markdown

XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "![x](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    "<svg onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<<script>script>alert(1)<</script>/script>",
    '"><img src=x onerror=alert(1)>',
]


class ActiveParts(HTMLParser):
    """Collects what a browser would act on: dangerous elements, handlers, script URLs, styles."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "iframe", "svg", "object", "embed", "style", "img", "form"}:
            self.found.append(tag)
        for name, value in attrs:
            url = (value or "").strip().lower()
            if name.startswith("on") or name == "style" or url.startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"{tag}[{name}]")


@pytest.mark.parametrize("payload", XSS)
def test_markdown_xss_payloads_come_out_inert(app, payload):
    parser = ActiveParts()
    parser.feed(str(render_markdown(payload)))
    assert parser.found == []


def test_markdown_keeps_ordinary_formatting_and_marks_links(app):
    html = str(render_markdown("**굵게** [GOPS](https://gops.kr)\n\n- 하나\n- 둘"))
    assert "<strong>굵게</strong>" in html and "<li>하나</li>" in html
    assert 'href="https://gops.kr"' in html and "nofollow" in html


def test_xss_in_an_idea_is_inert_on_its_page(client, create_idea):
    idea = create_idea(body="<script>alert('x')</script> 본문입니다 <img src=x onerror=alert(1)>",
                       title="<script>alert(1)</script>제목")
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    body = page[page.index('<div class="prose">'):]
    parser = ActiveParts()
    parser.feed(body[:body.index("</div>")])
    assert "본문입니다" in body and parser.found == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;제목" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;제목" in page


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/ideas")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.get_data(as_text=True)  # only <script src=...> tags


def test_session_cookie_flags(create_user, config_class):
    from config import Config, DevelopmentConfig

    assert Config.SESSION_COOKIE_SECURE is True and DevelopmentConfig.SESSION_COOKIE_SECURE is False
    assert Config.SESSION_COOKIE_HTTPONLY is True and Config.SESSION_COOKIE_SAMESITE == "Lax"


def test_login_cookie_is_httponly_and_lax(client, create_user):
    user = create_user()
    response = client.post_form("/auth/login", {"email": user.email, "password": "correct horse battery"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_supports_are_rate_limited_per_user(app, client, db, create_user, create_idea, api_headers):
    app.config["SUPPORTS_PER_USER"] = "3 per minute"
    author = create_user()
    ideas = [create_idea(author) for _ in range(4)]
    headers, other = api_headers(create_user()), api_headers(create_user())
    statuses = [client.put(f"/api/v1/ideas/{i.id}/support", headers=headers).status_code for i in ideas]
    assert statuses == [200, 200, 200, 429]
    assert client.put(f"/api/v1/ideas/{ideas[3].id}/support", headers=other).status_code == 200


def test_posts_are_rate_limited_per_user(app, client, create_user, api_headers):
    from tests.test_api import IDEA

    app.config["POSTS_PER_USER"] = "2 per hour"
    headers = api_headers(create_user())
    statuses = [client.post("/api/v1/ideas", json=IDEA, headers=headers).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_no_500_for_odd_requests(client, create_idea, create_user, login_as):
    idea = create_idea()
    login_as(create_user())
    token = client.csrf_token()
    odd = [
        client.post(f"/ideas/{idea.id}/comments", data={"csrf_token": token, "body": "x", "parent_id": "abc"}),
        client.post("/ideas/new", data={"csrf_token": token, "title": "\x00" * 10}),
        client.get("/ideas?q=%00%ff' OR 1=1 --"),
        client.get("/ideas/99999999999999999999"),
        client.post(f"/api/v1/ideas/{idea.id}/comments", json={"body": None}, headers={"X-CSRFToken": token}),
        client.patch(f"/api/v1/ideas/{idea.id}", json={"status": "open"}, headers={"X-CSRFToken": token}),
        client.post("/auth/login", data={"csrf_token": token, "email": ["a", "b"]}),
    ]
    assert all(r.status_code < 500 for r in odd), [r.status_code for r in odd]


def test_an_anonymous_visitor_is_given_a_session_once_not_on_every_page(client):
    first = client.get("/ideas")
    assert any(c.startswith("session=") for c in first.headers.getlist("Set-Cookie"))  # the forms' CSRF token
    again = client.get("/ideas")
    assert again.headers.getlist("Set-Cookie") == []  # no new session, no remember cookie deleted each time
    assert client.get_cookie("session").value == first.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]


def test_a_signed_in_session_moved_to_another_browser_is_still_refused(app, client, create_user):
    session_cookie = _session_cookie_of(client, create_user())
    assert client.get("/api/v1/me").status_code == 200
    thief = app.test_client()
    thief.set_cookie("session", session_cookie)
    assert thief.get("/api/v1/me", headers={"User-Agent": "another browser"}).status_code == 401


def _session_cookie_of(client, user) -> str:
    """Log in without "remember me"; the session cookie."""
    response = client.post_form("/auth/login", {"email": user.email, "password": "correct horse battery"})
    assert response.status_code == 302
    return client.get_cookie("session").value


# --- Logout ends every way back in (issue 8, security 1) --------------------------------------------------

def _login_remembered(client, user):
    response = client.post_form("/auth/login", {"email": user.email, "password": "correct horse battery",
                                                "remember": "y"})
    assert response.status_code == 302
    return client.get_cookie("remember_token").value, client.get_cookie("session").value


def test_logout_deletes_the_remember_cookie(client, create_user):
    _login_remembered(client, create_user())
    client.post_form("/auth/logout")
    assert client.get_cookie("remember_token") is None


def test_a_remember_cookie_copied_before_logout_is_worthless_after(app, client, create_user):
    remember, _session = _login_remembered(client, create_user())
    thief = app.test_client()
    thief.set_cookie("remember_token", remember)
    assert thief.get("/api/v1/me").status_code == 200  # the copy works while the owner is logged in
    client.post_form("/auth/logout")
    late = app.test_client()
    late.set_cookie("remember_token", remember)
    assert late.get("/api/v1/me").status_code == 401


def test_a_session_cookie_copied_before_logout_is_worthless_after(app, client, create_user):
    _remember, session_cookie = _login_remembered(client, create_user())
    client.post_form("/auth/logout")
    thief = app.test_client()
    thief.set_cookie("session", session_cookie)
    assert thief.get("/api/v1/me").status_code == 401


def test_the_remember_cookie_lasts_thirty_days(client, create_user):
    from datetime import timedelta

    from app.core.timeutil import utcnow

    _login_remembered(client, create_user())
    expires = client.get_cookie("remember_token").expires
    assert utcnow() + timedelta(days=29) < expires < utcnow() + timedelta(days=31)


def test_delete_current_token_revokes_the_token_in_use(client, create_user, api_headers):
    user = create_user()
    headers, other = api_headers(user), api_headers(user)
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.get("/api/v1/me", headers=other).status_code == 200  # only the one in use


# --- No open redirect (issue 8, security 3) ---------------------------------------------------------------

OFFSITE = ["/%09/evil.example", "/%0D%0A/x", "//evil.example", "/%5Cevil.example", "%5C%5Cevil.example",
           "/%5C/evil.example", "https://evil.example/", "javascript:alert(1)", "%20//evil.example",
           "/%2F/evil.example", "%2F%2Fevil.example", "http:evil.example"]


def _stays_here(response) -> None:
    from urllib.parse import urlsplit

    assert response.status_code in (302, 303), response.status_code
    location = response.headers["Location"]
    assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in location)
    assert "\\" not in location and not location.startswith("//")
    parts = urlsplit(location)
    assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost"), location


@pytest.mark.parametrize("target", OFFSITE)
def test_login_next_never_leaves_the_site_when_logged_in(client, create_user, login_as, target):
    login_as(create_user())
    _stays_here(client.get(f"/auth/login?next={target}"))


@pytest.mark.parametrize("target", OFFSITE)
def test_login_post_next_never_leaves_the_site(client, create_user, target):
    user = create_user()
    _stays_here(client.post_form(f"/auth/login?next={target}",
                                 {"email": user.email, "password": "correct horse battery"}))


@pytest.mark.parametrize("target", OFFSITE)
def test_locale_next_never_leaves_the_site(client, target):
    from urllib.parse import unquote

    _stays_here(client.post_form("/auth/locale", {"locale": "en", "next": unquote(target)}))


@pytest.mark.parametrize("target", OFFSITE)
def test_support_and_notification_buttons_never_leave_the_site(client, create_user, create_idea, login_as, target):
    from urllib.parse import unquote

    idea = create_idea()
    login_as(create_user())
    _stays_here(client.post_form(f"/ideas/{idea.id}/support", {"next": unquote(target)}))
    _stays_here(client.post_form("/notifications/read", {"next": unquote(target)}))


def test_a_path_on_this_site_is_followed(client, create_user, login_as):
    login_as(create_user())
    assert client.get("/auth/login?next=/ideas%3Fsort%3Dnew").headers["Location"] == "/ideas?sort=new"
    assert client.post_form("/auth/locale", {"locale": "en", "next": "/proposals"}).headers["Location"] == "/proposals"


@pytest.mark.parametrize("target, followed", [
    ("/ideas", True), ("/ideas/3?page=2#comments", True), ("/", True),
    ("", False), (None, False), ("ideas", False), ("//evil.example", False), ("/\\evil.example", False),
    ("/\t/evil.example", False), ("/\r\n/x", False), ("\\\\evil.example", False), ("https://evil.example", False),
    ("/%09/evil.example", False), ("/%2F%2Fevil.example", False), ("/%5Cevil", False), (" /ideas", False),
    ("/\u2028/evil.example", False), ("/\x7f/x", False), (["/ideas"], False),
])
def test_safe_next_accepts_only_a_path_on_this_site(app, target, followed):
    from app.core.web import safe_next

    assert safe_next(target, "/fallback") == (target if followed else "/fallback")


# --- Throttling that can't lock a victim out (issue 8, security 4) -------------------------------------------

HOME, WORK = "10.0.0.1", "10.0.0.2"
CORRECT = "correct horse battery"


def _login(client, email, password, address=HOME):
    return client.post_form("/auth/login", {"email": email, "password": password},
                            environ_base={"REMOTE_ADDR": address})


def test_failed_logins_lock_the_account_at_that_address_not_the_address(client, create_user):
    victim, neighbour = create_user(), create_user()
    for _ in range(5):
        assert _login(client, victim.email, "wrong guess!!").status_code == 400
    # Even the right password is refused now, for this account from this address only.
    assert _login(client, victim.email, CORRECT).status_code == 429
    assert _login(client, neighbour.email, CORRECT).status_code == 302


def test_an_attacker_elsewhere_cannot_lock_the_victim_out(app, client, create_user):
    app.config["LOGIN_FAILS_PER_ACCOUNT"] = "12 per hour"
    victim = create_user()
    assert _login(client, victim.email, CORRECT, HOME).status_code == 302  # the victim's usual address
    client.post_form("/auth/logout")
    for n in range(16):  # a botnet: four failures from each of four addresses
        _login(client, victim.email, "guess number %d" % n, f"203.0.113.{n // 4}")
    # The account's cap is reached: a new address is refused without its password being checked ...
    refused = _login(client, victim.email, CORRECT, "203.0.113.99")
    assert refused.status_code == 429
    # ... but the victim, from an address they use, still gets in.
    assert _login(client, victim.email, CORRECT, HOME).status_code == 302


def test_failures_per_account_are_capped_at_about_a_hundred_an_hour(config_class):
    from limits import parse

    limit = parse(config_class.LOGIN_FAILS_PER_ACCOUNT)
    assert limit.amount <= 100 and limit.get_expiry() >= 3600


def test_web_and_api_share_the_failed_login_counters(client, create_user):
    user = create_user()
    for _ in range(3):
        assert _login(client, user.email, "wrong guess!!", "127.0.0.1").status_code == 400
    for _ in range(2):
        assert client.post("/api/v1/tokens", json={"email": user.email, "password": "wrong guess!!"}).status_code == 401
    assert _login(client, user.email, CORRECT, "127.0.0.1").status_code == 429
    assert client.post("/api/v1/tokens", json={"email": user.email, "password": CORRECT}).status_code == 429


def test_the_refusal_says_how_long_to_wait_and_links_the_password_reset(client, create_user):
    user = create_user(locale="en")
    client.post_form("/auth/locale", {"locale": "en"})
    for _ in range(5):
        _login(client, user.email, "wrong guess!!")
    page = _login(client, user.email, CORRECT)
    assert page.status_code == 429 and "Retry-After" in page.headers
    text = page.get_data(as_text=True)
    assert "minutes" in text and 'href="/auth/reset' in text
    for _ in range(5):
        client.post("/api/v1/tokens", json={"email": user.email, "password": "wrong guess!!"},
                    environ_base={"REMOTE_ADDR": WORK})
    api = client.post("/api/v1/tokens", json={"email": user.email, "password": CORRECT},
                      environ_base={"REMOTE_ADDR": WORK})
    assert api.status_code == 429 and int(api.headers["Retry-After"]) > 0
    assert "/auth/reset" in api.get_json()["error"]["message"]


def test_a_successful_login_clears_the_failures_at_that_address(client, create_user):
    user = create_user()
    for _ in range(4):
        _login(client, user.email, "wrong guess!!")
    assert _login(client, user.email, CORRECT).status_code == 302
    client.post_form("/auth/logout")
    for _ in range(4):
        assert _login(client, user.email, "wrong guess!!").status_code == 400
    assert _login(client, user.email, CORRECT).status_code == 302
def test_successful_logins_from_one_address_are_not_throttled(app, client, create_user):
    app.config["LOGIN_FAILS_PER_ADDRESS"] = "3 per 15 minutes"
    users = [create_user() for _ in range(6)]
    for user in users:  # a city office: many citizens, one address
        response = client.post_form("/auth/login", {"email": user.email, "password": "correct horse battery"})
        assert response.status_code == 302
        client.post_form("/auth/logout")


def test_failed_logins_from_one_address_are_limited(app, client, create_user):
    app.config["LOGIN_FAILS_PER_ADDRESS"] = "3 per 15 minutes"
    users = [create_user() for _ in range(4)]
    statuses = [client.post_form("/auth/login", {"email": u.email, "password": "wrong guess!!"}).status_code for u in users]
    assert statuses == [400, 400, 400, 429]


def test_api_token_endpoint_shares_the_failed_login_limit(client, create_user):
    user = create_user()
    for _ in range(5):
        client.post("/api/v1/tokens", json={"email": user.email, "password": "wrong guess!!"})
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": "correct horse battery"})
    assert response.status_code == 429 and response.get_json()["error"]["code"] == "rate_limited"


