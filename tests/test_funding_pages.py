"""Funding pages (Korean and English) against a real localstripe: the round's page for each viewer, pledging through
the form, cancelling, the lead's drafts, the stewards' desk, the portfolio, the investor page, notifications.

Pages in Korean are checked on what does not depend on the catalog (amounts, names, structure); sentences are
checked in English, so the tests hold before and after the Korean catalog is compiled.
"""
import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEvent
from app.core.timeutil import as_utc, utcnow
from app.funding.models import InvestorProfile, MatchingPool, Pledge, Round, RoundQuestion
from app.notifications.models import Notification
from tests.fixtures.funding import CARD, DECLINED, ledger_violations
from tests.fixtures.proposals import municipal_org, representative


@pytest.fixture
def switch_to(client, login_as):
    """Log out whoever is logged in, and log in `user`."""

    def switch(user):
        client.post_form("/auth/logout")
        return login_as(user)

    return switch


def text(response) -> str:
    return response.get_data(as_text=True)


def fresh(db, model, ident):
    """The row as the database has it now."""
    db.session.expire_all()
    return db.session.get(model, ident)


def inbox(db, user) -> list[str]:
    """The kinds of the user's notifications, oldest first."""
    return list(db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def pledge_form(units=2, card=CARD, **extra) -> dict:
    """What the pledge form posts once the script has put the card's id in `payment_method`."""
    return {"units": str(units), "investor_category": "general", "risk_acknowledged": "y", "payment_method": card,
            **extra}


def flashes(response) -> str:
    return " ".join(re.findall(r'<div class="flash[^"]*"[^>]*>([^<]*)</div>', text(response)))


# the round's page, for each viewer
@pytest.mark.parametrize("locale, raised, target", [("ko", "30,000원", "1,000,000원"), ("en", "₩30,000", "₩1,000,000")])
def test_anyone_sees_progress_terms_risks_and_a_way_to_log_in(client, create_round, place, locale, raised, target):
    round_ = create_round(target_amount=1_000_000, cap_amount=2_000_000, unit_price=10_000)
    place(round_, units=3)
    client.post_form("/auth/locale", {"locale": locale})
    page = text(client.get(f"/rounds/{round_.id}"))
    assert f'lang="{locale}"' in page
    assert raised in page and target in page
    assert 'class="funding-fill w-1"' in page and 'class="funding-target at-50"' in page  # 30,000 of a 2,000,000 cap
    assert round_.proposal.title in page and "원금 손실 위험이 있습니다" in page  # the risk statement, rendered
    assert "pledge-form" not in page and "/auth/login?next=" in page
    assert "10.00%" in page and "5,000,000" in page  # the frozen terms' worked example: backers' half of the pool
    if locale == "en":
        assert "Funding round:" in page and "Risk statement" in page and "1 backer" in page and "days left" in page


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_a_backer_sees_their_room_the_pledge_form_and_stripe_js_allowed_on_this_page_only(
        client, create_round, create_user, login_as, payments, locale):
    round_ = create_round()
    login_as(create_user(locale=locale))
    response = client.get(f"/rounds/{round_.id}")
    page = text(response)
    assert f'lang="{locale}"' in page
    assert f'<script src="{payments}/js.stripe.com/v3/" defer></script>' in page
    assert 'data-stripe-key="pk_test_gops"' in page and 'src="/static/js/pledge.js"' in page
    assert f'data-locale="{locale}"' in page and 'data-unit-price="10000"' in page
    assert ("5,000,000원" if locale == "ko" else "You may pledge up to ₩5,000,000 more here.") in page
    assert 'value="qualified" disabled' in page and 'value="general" checked' in page
    csp = response.headers["Content-Security-Policy"]
    assert f"script-src 'self' {payments};" in csp and f"connect-src 'self' {payments};" in csp
    assert "unsafe-inline" not in csp and "style-src 'self';" in csp and "form-action 'self'" in csp
    assert "<script>" not in page
    elsewhere = client.get("/rounds").headers["Content-Security-Policy"]
    assert payments not in elsewhere and "script-src 'self';" in elsewhere


def test_each_viewer_sees_their_part_of_an_open_round(client, db, create_round, create_user, switch_to, steward):
    from app.funding.operations import ask_question

    round_ = create_round()
    question = ask_question(round_, create_user(), "설치 장소는 어디인가요?")
    db.session.commit()
    answer_url, cancel_url = f"/rounds/{round_.id}/questions/{question.id}/answer", f"/rounds/{round_.id}/cancel"
    page = text(client.get(f"/rounds/{round_.id}"))
    assert "설치 장소는 어디인가요?" in page
    assert answer_url not in page and cancel_url not in page and "pledge-form" not in page
    lead = round_.proposal.lead_expert
    lead.locale = "en"
    db.session.commit()
    switch_to(lead)
    page = text(client.get(f"/rounds/{round_.id}"))
    assert answer_url in page and cancel_url not in page and "pledge-form" not in page
    assert "cannot back its round" in page
    switch_to(steward)
    page = text(client.get(f"/rounds/{round_.id}"))
    assert cancel_url in page and answer_url not in page and "pledge-form" in page
    assert f"/rounds/{round_.id}/close" not in page  # not due yet


def test_a_draft_is_seen_by_its_lead_and_stewards_only(client, create_round, create_user, switch_to, steward):
    round_ = create_round(status="draft")
    assert client.get(f"/rounds/{round_.id}").status_code == 404
    switch_to(create_user())
    assert client.get(f"/rounds/{round_.id}").status_code == 404
    assert round_.proposal.title not in text(client.get("/rounds"))
    switch_to(round_.proposal.lead_expert)
    page = text(client.get(f"/rounds/{round_.id}"))
    assert f"/rounds/{round_.id}/edit" in page and f"/rounds/{round_.id}/approve" not in page
    switch_to(steward)
    page = text(client.get(f"/rounds/{round_.id}"))
    assert f"/rounds/{round_.id}/approve" in page and f"/rounds/{round_.id}/edit" not in page
    assert "pledge-form" not in page


def test_a_steward_approves_returns_with_a_reason_and_the_lead_is_told(client, db, create_round, switch_to, steward):
    round_ = create_round(status="draft")
    lead = round_.proposal.lead_expert
    switch_to(steward)
    client.post_form(f"/rounds/{round_.id}/approve", {"reason": ""})
    assert fresh(db, Round, round_.id).status == "approved"
    response = client.post_form(f"/rounds/{round_.id}/return", {"reason": ""}, follow_redirects=True)
    assert fresh(db, Round, round_.id).status == "approved" and 'class="flash flash-error"' in text(response)
    client.post_form(f"/rounds/{round_.id}/return", {"reason": "위험 고지를 더 구체적으로 써 주세요."})
    assert fresh(db, Round, round_.id).status == "draft"
    assert inbox(db, lead) == ["round_approved", "round_returned"]
    log = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.subject_type == "round")
                             .order_by(AuditEvent.id)).all()
    assert [e.action for e in log][-2:] == ["round.approved", "round.draft"]
    assert log[-1].reason == "위험 고지를 더 구체적으로 써 주세요."
    assert round_.proposal.title in text(client.get("/audit?subject_type=round"))


def test_the_lead_opens_an_approved_round_early(client, db, create_round, switch_to):
    round_ = create_round(status="approved")
    switch_to(round_.proposal.lead_expert)
    assert f"/rounds/{round_.id}/open" in text(client.get(f"/rounds/{round_.id}"))
    client.post_form(f"/rounds/{round_.id}/open")
    assert fresh(db, Round, round_.id).status == "open"


# pledging through the form
def test_a_pledge_through_the_form_is_charged_and_shows_in_the_portfolio(client, db, create_round, create_user,
                                                                         login_as):
    round_ = create_round(unit_price=10_000)
    backer = create_user(locale="en")
    login_as(backer)
    response = client.post_form(f"/rounds/{round_.id}/pledges", pledge_form(units=2))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/rounds/{round_.id}#my-pledges")
    pledge = db.session.scalar(sa.select(Pledge))
    assert (pledge.status, pledge.amount, pledge.backer_id) == ("succeeded", 20_000, backer.id)
    page = text(client.get(f"/rounds/{round_.id}"))
    assert "your pledge of 2 units (₩20,000) is paid into the round" in page
    assert "pledge-succeeded" in page and f"/pledges/{pledge.id}/cancel" in page
    portfolio = text(client.get("/me/portfolio"))
    assert round_.proposal.title in portfolio and "₩20,000" in portfolio and "Paid into escrow" in portfolio
    assert inbox(db, backer) == ["pledge_paid"]
    assert "₩20,000" not in text(client.get("/notifications/")) and "20,000 won" in text(client.get("/notifications/"))
    assert ledger_violations() == []


def test_a_declined_card_says_so_and_moves_no_money(client, db, create_round, create_user, login_as):
    round_ = create_round()
    backer = create_user(locale="en")
    login_as(backer)
    response = client.post_form(f"/rounds/{round_.id}/pledges", pledge_form(card=DECLINED), follow_redirects=True)
    assert "The card was declined" in flashes(response)
    pledge = db.session.scalar(sa.select(Pledge))
    assert pledge.status == "failed"
    db.session.refresh(round_)
    assert (round_.raised_amount, round_.committed_amount) == (0, 0)
    assert "pledge-failed" in text(response)
    assert inbox(db, backer) == ["pledge_failed"]
    assert ledger_violations() == []


def test_bad_pledge_input_gets_a_clear_message_never_a_500(client, db, create_round, create_user, login_as):
    round_ = create_round(cap_amount=6_000_000, unit_price=10_000, min_units=2)
    login_as(create_user(locale="en"))
    url = f"/rounds/{round_.id}/pledges"
    cases = [
        ({"units": ""}, "Pledge a whole number of units"),
        ({"units": "0"}, "Pledge a whole number of units"),
        ({"units": "-3"}, "Pledge a whole number of units"),
        ({"units": "1.5"}, "Not a valid integer value"),
        ({"units": "abc"}, "Not a valid integer value"),
        ({"units": "1"}, "The smallest pledge is 2 units."),
        ({"units": "99999999999999999999"}, "Pledge a whole number of units"),
        ({"units": "601"}, "Only 600 units are left under the round"),
        ({"units": "501"}, "over your limit per proposal"),
        ({"investor_category": ""}, "Choose your investor category."),
        ({"investor_category": "bogus"}, "Not a valid choice"),
        ({"investor_category": "professional"}, "once a steward has verified your evidence"),
        ({"risk_acknowledged": ""}, "Read and accept the risk statement first."),
        ({"payment_method": ""}, "Enter a card"),
        ({"payment_method": "tok_<script>"}, "Enter a card"),
    ]
    for change, message in cases:
        response = client.post_form(url, pledge_form(**change), follow_redirects=True)
        assert response.status_code in (200, 400, 422), (change, response.status_code)
        assert message in text(response), change
    assert db.session.scalar(sa.select(sa.func.count(Pledge.id))) == 0


def test_a_pledge_needs_the_csrf_token(client, db, create_round, create_user, login_as):
    round_ = create_round()
    login_as(create_user())
    response = client.post(f"/rounds/{round_.id}/pledges", data=pledge_form())
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Pledge.id))) == 0


@pytest.mark.parametrize("who", ["lead", "unverified"])
def test_those_who_may_not_back_the_round_are_told_why(client, db, create_round, create_user, login_as, who):
    round_ = create_round()
    user = round_.proposal.lead_expert if who == "lead" else create_user(verified=False, locale="en")
    if who == "lead":
        user.locale = "en"
        db.session.commit()
    login_as(user)
    page = text(client.get(f"/rounds/{round_.id}"))
    assert "pledge-form" not in page
    response = client.post_form(f"/rounds/{round_.id}/pledges", pledge_form(), follow_redirects=True)
    assert ("cannot back its round" if who == "lead" else "Verify your email address before pledging") in \
        flashes(response)
    assert db.session.scalar(sa.select(sa.func.count(Pledge.id))) == 0


def test_a_backer_cancels_through_the_page_and_is_refunded(client, db, create_round, create_user, login_as, place):
    round_ = create_round()
    backer = create_user(locale="en")
    pledge = place(round_, backer, units=3)
    login_as(backer)
    response = client.post_form(f"/pledges/{pledge.id}/cancel", follow_redirects=True)
    assert "is refunded to your card" in flashes(response)
    assert fresh(db, Pledge, pledge.id).status == "refunded"
    assert fresh(db, Round, round_.id).raised_amount == 0
    assert "pledge-refunded" in text(response) and f"/pledges/{pledge.id}/cancel" not in text(response)
    again = client.post_form(f"/pledges/{pledge.id}/cancel", follow_redirects=True)
    assert "already cancelled" in flashes(again)
    assert inbox(db, backer) == ["pledge_paid", "pledge_refunded"]
    assert ledger_violations() == []


def test_nobody_cancels_someone_elses_pledge_or_past_the_cutoff(client, db, create_round, create_user, login_as,
                                                               place):
    round_ = create_round(days=30)
    pledge = place(round_, units=1)
    login_as(create_user(locale="en"))
    response = client.post_form(f"/pledges/{pledge.id}/cancel", follow_redirects=True)
    assert "Only the backer can cancel" in flashes(response)
    assert fresh(db, Pledge, pledge.id).status == "succeeded"
    db.session.execute(sa.update(Round).where(Round.id == round_.id).values(
        closes_at=utcnow() + timedelta(hours=47)))
    db.session.commit()
    client.post_form("/auth/logout")
    owner = db.session.get(Pledge, pledge.id).backer
    owner.locale = "en"
    db.session.commit()
    login_as(owner)
    assert f"/pledges/{pledge.id}/cancel" not in text(client.get(f"/rounds/{round_.id}"))
    response = client.post_form(f"/pledges/{pledge.id}/cancel", follow_redirects=True)
    assert "until 48 hours before the round closes" in flashes(response)
    assert fresh(db, Pledge, pledge.id).status == "succeeded"


# the lead's drafts
def _round_fields(opens: str, closes: str, **extra) -> dict:
    return {"target_amount": "1000000", "cap_amount": "3000000", "unit_price": "10000", "min_units": "1",
            "opens_at": opens, "closes_at": closes, "offering_summary": "가로등 스무 대를 설치합니다.",
            "risk_statement": "원금 손실 위험이 있습니다.", **extra}


def test_the_lead_drafts_a_round_with_korean_times_and_sees_clear_messages(client, db, create_proposal, login_as):
    proposal = create_proposal("funding")  # its share terms are frozen on the way
    lead = proposal.lead_expert
    lead.locale = "en"
    db.session.commit()
    login_as(lead)
    assert f"/proposals/{proposal.id}/rounds/new" in text(client.get(f"/proposals/{proposal.id}"))
    form = text(client.get(f"/proposals/{proposal.id}/rounds/new"))
    assert 'type="datetime-local"' in form and "Korean time (KST)" in form
    day = (utcnow() + timedelta(days=2)).astimezone(timezone(timedelta(hours=9))).date()
    opens, closes = f"{day.isoformat()}T09:00", f"{(day + timedelta(days=30)).isoformat()}T18:00"
    bad = client.post_form(f"/proposals/{proposal.id}/rounds/new", _round_fields(opens, closes, cap_amount="10"))
    assert bad.status_code == 400 and "The cap must be at least the target." in text(bad)
    bad = client.post_form(f"/proposals/{proposal.id}/rounds/new", _round_fields(opens, "not a date"))
    assert bad.status_code == 400 and "Not a valid datetime value" in text(bad)
    bad = client.post_form(f"/proposals/{proposal.id}/rounds/new",
                           _round_fields(opens, f"{(day + timedelta(days=90)).isoformat()}T18:00"))
    assert bad.status_code == 400 and "A round runs from 7 to 60 days." in text(bad)
    assert db.session.scalar(sa.select(sa.func.count(Round.id))) == 0
    done = client.post_form(f"/proposals/{proposal.id}/rounds/new", _round_fields(opens, closes))
    round_ = db.session.scalar(sa.select(Round))
    assert done.headers["Location"].endswith(f"/rounds/{round_.id}")
    assert as_utc(round_.opens_at) == datetime(day.year, day.month, day.day, 0, 0, tzinfo=timezone.utc)  # 09:00 KST
    edit = text(client.get(f"/rounds/{round_.id}/edit"))
    assert f'value="{opens}"' in edit
    client.post_form(f"/rounds/{round_.id}/edit", _round_fields(opens, closes, risk_statement="새 위험 고지"))
    edited = fresh(db, Round, round_.id)
    assert (edited.risk_statement, edited.risk_version) == ("새 위험 고지", 2)
    assert f"/proposals/{proposal.id}/rounds/new" not in text(client.get(f"/proposals/{proposal.id}"))


def test_only_the_lead_drafts_and_edits(client, create_round, create_user, login_as):
    round_ = create_round(status="draft")
    login_as(create_user())
    assert client.get(f"/proposals/{round_.proposal_id}/rounds/new").status_code == 403
    assert client.get(f"/rounds/{round_.id}/edit").status_code == 404  # a draft is not theirs to see


# stewards
def test_a_steward_cancels_an_open_round_with_a_reason_and_its_backers_are_refunded(
        client, db, create_round, create_user, switch_to, place, steward):
    round_ = create_round()
    backer = create_user()
    pledge = place(round_, backer, units=2)
    switch_to(steward)
    client.post_form(f"/rounds/{round_.id}/cancel", {"reason": ""})
    assert fresh(db, Round, round_.id).status == "open"
    client.post_form(f"/rounds/{round_.id}/cancel", {"reason": "제안 팀이 약속한 실증 부지를 잃었습니다."})
    assert fresh(db, Round, round_.id).status == "cancelled"
    assert fresh(db, Pledge, pledge.id).status == "refunded"
    assert inbox(db, backer) == ["pledge_paid", "round_cancelled", "pledge_refunded"]
    assert ledger_violations() == []


def test_a_steward_closes_a_due_round_from_the_page(client, db, create_round, place, switch_to, steward):
    round_ = create_round(target_amount=100_000, unit_price=10_000)
    backer_pledge = place(round_, units=10)
    db.session.execute(sa.update(Round).where(Round.id == round_.id).values(
        opens_at=utcnow() - timedelta(days=8), closes_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    switch_to(steward)
    assert f"/rounds/{round_.id}/close" in text(client.get(f"/rounds/{round_.id}"))
    assert round_.proposal.title in text(client.get("/funding/desk"))
    client.post_form(f"/rounds/{round_.id}/close")
    assert fresh(db, Round, round_.id).status == "succeeded"
    assert fresh(db, Pledge, backer_pledge.id).status == "settled"
    assert inbox(db, backer_pledge.backer) == ["pledge_paid", "round_succeeded"]
    assert ledger_violations() == []


def test_the_desk_is_for_stewards_and_records_deposits_and_categories(client, db, create_round, create_user,
                                                                     switch_to, steward):
    round_ = create_round(status="approved")
    city = municipal_org("suwon")
    rep = representative(city)
    switch_to(rep)
    client.post_form(f"/rounds/{round_.id}/matching-pools", {"organization_id": str(city.id), "factor_bp": "10000",
                                                             "pledge_cap_amount": "50000", "round_cap_amount": "500000"})
    pool = db.session.scalar(sa.select(MatchingPool))
    assert pool.status == "awaiting_deposit"
    backer = create_user(locale="en")
    switch_to(backer)
    assert client.get("/funding/desk").status_code == 403
    client.post_form("/me/investor", {"category": "qualified", "evidence": "2025년 근로소득 원천징수영수증: 1억 2천만 원"})
    profile = db.session.scalar(sa.select(InvestorProfile))
    assert profile.status == "pending" and "waiting for a steward" in text(client.get("/me/investor"))

    switch_to(steward)
    desk = text(client.get("/funding/desk"))
    assert city.name in desk and "1억 2천만 원" in desk
    client.post_form(f"/funding/pools/{pool.id}/deposit", {"reference": ""})
    assert fresh(db, MatchingPool, pool.id).status == "awaiting_deposit"
    client.post_form(f"/funding/pools/{pool.id}/deposit", {"reference": "농협 301-0000-1234 입금"})
    assert fresh(db, MatchingPool, pool.id).status == "active"
    client.post_form(f"/funding/investor-requests/{profile.id}/verify", {"reason": ""})
    assert fresh(db, InvestorProfile, profile.id).status == "pending"
    client.post_form(f"/funding/investor-requests/{profile.id}/verify", {"reason": "소득 증빙 확인"})
    assert fresh(db, InvestorProfile, profile.id).status == "verified"
    assert inbox(db, backer) == ["investor_category_verified"]
    assert "matching_pool_active" in inbox(db, rep)
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"matching_pool.offered", "matching_pool.active", "investor_verification.verified"} <= actions

    switch_to(backer)
    page = text(client.get("/me/investor"))
    assert "You invest as: Qualified investor" in page and "₩10,000,000" in page
    assert "Every won you pledge is matched by" in text(client.get(f"/rounds/{round_.id}"))


# questions, the list, the proposal's page, news
def test_questions_go_to_the_team_and_answers_to_the_asker(client, db, create_round, create_user, switch_to):
    round_ = create_round()
    asker = create_user()
    switch_to(asker)
    client.post_form(f"/rounds/{round_.id}/questions", {"body": "짧"})
    assert db.session.scalar(sa.select(sa.func.count(RoundQuestion.id))) == 0
    client.post_form(f"/rounds/{round_.id}/questions", {"body": "가로등은 언제 설치되나요?"})
    question = db.session.scalar(sa.select(RoundQuestion))
    client.post_form(f"/rounds/{round_.id}/questions/{question.id}/answer", {"answer": "제가 답해도 되나요?"})
    assert fresh(db, RoundQuestion, question.id).answered_at is None
    lead = round_.proposal.lead_expert
    switch_to(lead)
    client.post_form(f"/rounds/{round_.id}/questions/{question.id}/answer", {"answer": "내년 3월에 설치합니다."})
    assert fresh(db, RoundQuestion, question.id).answer == "내년 3월에 설치합니다."
    assert inbox(db, lead)[-1] == "round_question" and inbox(db, asker) == ["round_answer"]
    page = text(client.get(f"/rounds/{round_.id}"))
    assert "가로등은 언제 설치되나요?" in page and "내년 3월에 설치합니다." in page


def test_the_list_shows_open_rounds_first_and_pages(client, create_round, create_proposal):
    from tests.fixtures.funding import make_round

    older = create_round(status="approved")
    opened = make_round()
    page = text(client.get("/rounds"))
    assert page.index(opened.proposal.title) < page.index(older.proposal.title)
    assert older.proposal.title not in text(client.get("/rounds?status=open"))
    assert client.get("/rounds?status=draft").status_code == 400
    assert client.get("/rounds?page=0").status_code == 400
    assert opened.proposal.title in text(client.get("/rounds?per_page=1&page=1"))
    assert 'rel="next"' in text(client.get("/rounds?per_page=1&page=1"))


def test_the_proposal_page_shows_its_round(client, create_round, place):
    round_ = create_round()
    place(round_, units=5)
    page = text(client.get(f"/proposals/{round_.proposal_id}"))
    assert 'id="funding"' in page and f"/rounds/{round_.id}" in page and "50,000원" in page


def test_followers_hear_a_round_opened_and_backers_the_updates_once(client, db, create_round, create_user, place,
                                                                   steward):
    from app.funding import operations as ops
    from app.ideas.operations import follow_idea
    from app.proposals.operations import post_update

    first = create_round()
    proposal, lead = first.proposal, first.proposal.lead_expert
    follower_and_backer, backer = create_user(), create_user()
    follow_idea(proposal.idea, follower_and_backer)
    db.session.commit()
    place(first, follower_and_backer, units=1)
    place(first, backer, units=1)
    post_update(proposal, lead, "설치 업체와 계약했습니다.")
    db.session.commit()
    assert inbox(db, follower_and_backer).count("proposal_update") == 1
    assert inbox(db, backer).count("proposal_update") == 1
    # a second round of the same proposal: the idea's followers and the earlier backers hear that it opened, once each
    db.session.execute(sa.update(Round).where(Round.id == first.id).values(status="succeeded"))
    db.session.commit()
    author_before = inbox(db, proposal.idea.author).count("round_opened")
    second = ops.draft_round(proposal, lead, {
        "target_amount": 100_000, "cap_amount": 200_000, "unit_price": 10_000, "min_units": 1,
        "opens_at": utcnow() + timedelta(minutes=5), "closes_at": utcnow() + timedelta(days=20),
        "offering_summary": "2차 모집", "risk_statement": "원금 손실 위험이 있습니다."})
    ops.approve_round(second, steward)
    ops.open_round(second, lead)
    db.session.commit()
    assert inbox(db, follower_and_backer).count("round_opened") == 1
    assert inbox(db, backer).count("round_opened") == 1
    assert inbox(db, proposal.idea.author).count("round_opened") == author_before + 1


def test_a_processor_that_does_not_answer_leaves_the_pledge_processing_and_says_so(client, db, create_round,
                                                                                  create_user, login_as):
    from app.funding.gateway import GatewayError, use_gateway
    from app.funding.stripe_gateway import StripeGateway

    round_ = create_round()
    login_as(create_user(locale="en"))

    class Silent(StripeGateway):
        def confirm(self, payment_id, *, idempotency_key):
            raise GatewayError("timed out")

    use_gateway(Silent("sk_test_gops", api_base=client.application.config["STRIPE_API_BASE"]))
    try:
        response = client.post_form(f"/rounds/{round_.id}/pledges", pledge_form(), follow_redirects=True)
    finally:
        use_gateway(None)
    assert "Your payment is being processed" in flashes(response)
    assert db.session.scalar(sa.select(Pledge.status)) == "created"
    assert "pledge-created" in text(response)
    assert ledger_violations() == []


def test_bad_matching_offers_and_category_requests_get_clear_messages(client, db, create_round, create_user,
                                                                     login_as, switch_to):
    round_ = create_round()
    city = municipal_org("suwon")
    rep = representative(city)
    rep.locale = "en"
    db.session.commit()
    login_as(rep)
    assert "Offer matching for your organization" in text(client.get(f"/rounds/{round_.id}"))
    url = f"/rounds/{round_.id}/matching-pools"
    good = {"organization_id": str(city.id), "factor_bp": "10000", "pledge_cap_amount": "50000",
            "round_cap_amount": "500000"}
    for change, message in (({"factor_bp": "0"}, "Use basis points from 1 to 100000"),
                            ({"pledge_cap_amount": "abc"}, "Not a valid integer value"),
                            ({"round_cap_amount": "10000"}, "at least the cap per pledge"),
                            ({"pledge_cap_amount": "5"}, "at least the price of one unit")):
        response = client.post_form(url, {**good, **change}, follow_redirects=True)
        assert message in flashes(response), change
    other = municipal_org("yongin")
    response = client.post_form(url, {**good, "organization_id": str(other.id)}, follow_redirects=True)
    assert "Only a confirmed representative" in flashes(response)
    assert db.session.scalar(sa.select(sa.func.count(MatchingPool.id))) == 0

    switch_to(create_user(locale="en"))
    for data, message in (({"category": "qualified", "evidence": "짧다"}, "Use between 10 and 5000 characters"),
                          ({"category": "general", "evidence": "연 소득 1억 원 이상입니다."}, "Not a valid choice"),
                          ({"evidence": "연 소득 1억 원 이상입니다."}, "Choose one of the listed options")):
        response = client.post_form("/me/investor", data)
        assert response.status_code == 400 and message in text(response), data
    assert db.session.scalar(sa.select(sa.func.count(InvestorProfile.id))) == 0


def test_the_round_page_and_list_run_as_many_statements_with_many_backers_and_questions(
        app, client, db, create_round, create_user, login_as, place):
    from app.funding.operations import ask_question
    from tests.test_proposals_scale import statements

    round_ = create_round()
    backer = create_user()
    login_as(backer)

    def count(url) -> int:
        client.get(url)
        with statements(app) as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    def add(n):
        for i in range(n):
            place(round_, backer if i == 0 else None, units=1)
            ask_question(round_, create_user(), f"질문 {i}: 언제 설치되나요?")
        db.session.commit()

    add(1)
    few = {url: count(url) for url in (f"/rounds/{round_.id}", "/rounds", "/me/portfolio")}
    add(3)
    place(round_, backer, units=2)
    assert {url: count(url) for url in few} == few
