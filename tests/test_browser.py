"""End-to-end journeys in real Chromium (Debian's), driven by Playwright, against a live server."""
import email
import email.policy
import re
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def live_server(app):
    """Serve the app on a free loopback port in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page():
    """A fresh Chromium page; console errors (CSP violations among them) are collected."""
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


def _last_mail(app) -> str:
    mail = max((Path(app.config["INSTANCE_DIR"]) / "mail").glob("*.eml"), key=lambda f: f.stat().st_mtime_ns)
    return email.message_from_bytes(mail.read_bytes(), policy=email.policy.default).get_content()


def _verification_link(app) -> str:
    return re.search(r"(/auth/verify/\S+)", _last_mail(app)).group(1)


def test_citizen_registers_verifies_posts_and_gets_support(app, live_server, page, create_user, login_as):
    page.goto(f"{live_server}/auth/register")
    page.fill("#email", "seoyeon@example.org")
    page.fill("#display_name", "이서연")
    page.fill("#password", "suwon-bikes-2026")
    page.fill("#confirm", "suwon-bikes-2026")
    page.check("#accept_terms")
    page.check("#accept_privacy")
    page.click("main button.primary")
    page.wait_for_url(re.compile(r"/auth/login\?email="))  # the same answer for any address: check your mail

    page.goto(live_server + _verification_link(app))
    assert "이메일 주소가 인증되었습니다" in page.content()
    assert page.input_value("#email") == "seoyeon@example.org"
    page.fill("#password", "suwon-bikes-2026")
    page.click("main button.primary")

    page.click("text=아이디어 올리기")
    page.fill("#title", "광교 호수공원 스마트 가로등")
    page.fill("#summary", "사람이 없을 때 밝기를 낮추는 가로등을 제안합니다.")
    page.fill("#body", "## 문제\n\n새벽에도 **최대 밝기**로 켜져 있습니다.")
    page.select_option("#category", "energy")
    page.select_option("#municipality", "suwon")
    page.click("button.primary")
    assert page.inner_text("h1") == "광교 호수공원 스마트 가로등"
    assert page.inner_text(".prose strong") == "최대 밝기"
    idea_url = page.url

    # A neighbour supports it; the author sees the count on the board.
    neighbour = create_user()
    page.click("button:has-text('로그아웃')")
    page.goto(f"{live_server}/auth/login")
    page.fill("#email", neighbour.email)
    page.fill("#password", "correct horse battery")
    page.click("button.primary")
    page.goto(idea_url)
    page.click("button:has-text('지지하기')")
    assert page.inner_text(".support-panel .support-count") == "1"
    page.fill("#comment-body", "우리 동네에도 필요해요")
    page.click("button:has-text('댓글 올리기')")
    assert "우리 동네에도 필요해요" in page.inner_text(".comment-list")
    assert page.console_errors == []


def test_language_switch_and_filters_work_under_the_csp(live_server, page, create_idea):
    create_idea(title="가평 마을버스 제안", category="mobility", municipality="gapyeong")
    create_idea(title="수원 태양광 제안", category="energy", municipality="suwon")
    page.goto(f"{live_server}/ideas")
    assert "아이디어 올리기" in page.content()
    page.select_option("select[name=category]", "energy")
    assert "category=energy" not in page.url  # nothing submits on change (WCAG 3.2.2)
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"category=energy"))
    assert "수원 태양광 제안" in page.content() and "가평 마을버스 제안" not in page.content()
    page.click("button:has-text('English')")
    assert "Post an idea" in page.content()
    assert page.console_errors == []


def test_similar_ideas_appear_while_typing(live_server, page, create_user, create_idea, login_as):
    create_idea(title="전기차 충전기 공유 예약", summary="아파트 충전기를 이웃과 예약해 쓰자는 제안입니다.")
    author = create_user()
    page.goto(f"{live_server}/auth/login")
    page.fill("#email", author.email)
    page.fill("#password", "correct horse battery")
    page.click("main button.primary")
    page.goto(f"{live_server}/ideas/new")
    assert page.is_hidden("#similar-ideas")
    page.type("#title", "전기차 충전기 늘리기")
    page.wait_for_selector("#similar-ideas li a")
    assert page.inner_text("#similar-ideas li a") == "전기차 충전기 공유 예약"
    assert page.console_errors == []


def test_expert_adopts_from_the_dashboard_and_builds_the_proposal(live_server, page, db, create_user, create_idea):
    create_idea(title="수원 스마트 가로등 실증", status="shortlisted")
    expert = create_user(roles=["expert"])
    page.goto(f"{live_server}/auth/login")
    page.fill("#email", expert.email)
    page.fill("#password", "correct horse battery")
    page.click("main button.primary")
    page.click("text=전문가 대시보드")
    page.on("dialog", lambda dialog: dialog.accept())  # the adoption asks for confirmation
    page.click("button:has-text('채택하기')")
    page.wait_for_url(re.compile(r"/proposals/\d+"))
    assert page.inner_text("h1") == "수원 스마트 가로등 실증"
    page.fill("input[name=site]", "광교 호수공원")
    page.fill("input[name=budget_amount]", "150000000")
    page.click("#workspace button.primary")
    assert "150,000,000원" in page.inner_text("article")
    assert page.console_errors == []


def test_citizen_resets_the_password_logs_in_and_opens_the_profile(app, live_server, page, create_user, create_idea):
    citizen = create_user(name="박지훈", roles=["expert"])
    create_idea(citizen, title="안산 공유 전동킥보드 거치대")
    page.goto(f"{live_server}/auth/login")
    page.click("a[href='/auth/reset']")
    page.fill("#email", citizen.email)
    page.click("main button.primary")
    page.wait_for_url(re.compile(r"/auth/login"))

    reset = re.search(r"(/auth/reset/\S+)", _last_mail(app)).group(1)
    page.goto(live_server + reset)
    page.fill("#password", "ansan scooters at dawn 7")
    page.fill("#confirm", "ansan scooters at dawn 7")
    page.click("main button.primary")
    page.wait_for_url(re.compile(r"/auth/login\?email="))

    page.fill("#password", "correct horse battery")  # the old one no longer works
    page.click("main button.primary")
    assert page.locator("#password-error").count() == 1
    page.console_errors.clear()  # that refusal was a 400, as it should be
    page.fill("#password", "ansan scooters at dawn 7")
    page.click("main button.primary")
    page.wait_for_url(re.compile(r"/ideas"))

    page.goto(f"{live_server}/account")
    page.click(f"main a[href='/people/{citizen.id}']")
    assert "박지훈" in page.inner_text("h1") and page.is_visible("h1 .badge.expert")
    assert "안산 공유 전동킥보드 거치대" in page.inner_text("main")
    assert citizen.email not in page.inner_html("main")  # the header shows it to its owner only
    assert page.console_errors == []
