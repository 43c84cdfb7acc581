"""A backer's journey in real Chromium (Debian's), driven by Playwright: the card typed into localstripe's fake
Stripe.js card element, under the pledge page's Content-Security-Policy, charged by the run's localstripe."""
import re
import shutil
import threading

import pytest
import sqlalchemy as sa
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from app.funding.models import Pledge
from tests.fixtures.core import PASSWORD
from tests.fixtures.funding import ledger_violations

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def live_server(app, payments):
    """Serve the app (pointed at the run's localstripe) on a free loopback port in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page():
    """A fresh Chromium page in Korean; console errors (CSP violations among them) are collected."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        context = browser.new_context(locale="ko-KR")
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
        yield page
        browser.close()


def test_a_backer_pledges_with_the_card_form_and_sees_it_in_the_portfolio(db, live_server, page, create_round,
                                                                         create_user):
    round_ = create_round(unit_price=10_000)
    backer = create_user()
    page.goto(f"{live_server}/auth/login")
    page.fill("#email", backer.email)
    page.fill("#password", PASSWORD)
    page.click("main button.primary")

    page.goto(f"{live_server}/rounds/{round_.id}")
    page.wait_for_selector("#card-element input[placeholder=number]")  # Stripe.js loaded under the CSP
    page.fill("#units", "2")
    assert "20,000원" in page.inner_text("#pledge-amount")  # the script shows the amount
    page.check("#risk_acknowledged")
    for placeholder, value in (("number", "4242424242424242"), ("exp_month", "12"), ("exp_year", "34"),
                               ("cvc", "123"), ("postal_code", "16499")):
        page.fill(f"#card-element input[placeholder={placeholder}]", value)
    page.click("#pledge-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/rounds/{round_.id}#my-pledges$"))

    assert page.is_visible(".flash-info")
    assert "20,000원" in page.inner_text(".flash-info")
    assert "20,000원" in page.inner_text("#my-pledges")
    assert page.is_visible("#my-pledges .badge.pledge-succeeded")
    db.session.expire_all()  # the served app wrote it: read it afresh
    pledge = db.session.scalar(sa.select(Pledge))
    assert (pledge.status, pledge.units, pledge.amount) == ("succeeded", 2, 20_000)
    assert pledge.payment_intent_id.startswith("pi_")
    assert ledger_violations() == []

    page.goto(f"{live_server}/me/portfolio")
    assert round_.proposal.title in page.inner_text("main")
    assert page.is_visible(".portfolio-row .badge.pledge-succeeded")
    assert "20,000원" in page.inner_text(".portfolio-row")
    assert page.console_errors == []


def test_the_card_form_says_what_is_missing_and_posts_nothing(db, live_server, page, create_round, create_user):
    round_ = create_round()
    backer = create_user(locale="en")
    page.goto(f"{live_server}/auth/login")
    page.fill("#email", backer.email)
    page.fill("#password", PASSWORD)
    page.click("main button.primary")
    page.goto(f"{live_server}/rounds/{round_.id}")
    page.wait_for_selector("#card-element input[placeholder=number]")
    page.check("#risk_acknowledged")
    page.click("#pledge-form button[type=submit]")
    page.wait_for_selector("#card-errors:not(:empty)")
    assert "Enter your card" in page.inner_text("#card-errors")
    assert page.url.endswith(f"/rounds/{round_.id}")
    assert db.session.scalar(sa.select(sa.func.count(Pledge.id))) == 0
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []
