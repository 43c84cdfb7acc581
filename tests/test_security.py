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


def test_failed_logins_lock_the_account_not_the_address(client, create_user):
    victim, neighbour = create_user(), create_user()
    for _ in range(5):
        assert client.post_form("/auth/login", {"email": victim.email, "password": "wrong guess!!"}).status_code == 400
    # Even the right password is refused now, for this account only.
    locked = client.post_form("/auth/login", {"email": victim.email, "password": "correct horse battery"})
    assert locked.status_code == 429
    assert client.post_form("/auth/login", {"email": neighbour.email, "password": "correct horse battery"}).status_code == 302


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
