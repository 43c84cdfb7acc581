"""Revenue-sharing pages (Korean and English) over real distributions of real pledges (localstripe): wallets,
statements and their CSV, the earnings dashboard, the portfolio's figures, a proposal's public revenue page, the
commons fund, the lead's report form, payouts through the form and the stewards' desk, notifications.

Like the funding pages' tests, Korean pages are checked on what does not depend on the catalog (amounts, names,
structure); sentences are checked in English, so the tests hold before and after the Korean catalog is compiled.
"""
import csv
import io
import json
import re
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEvent
from app.distribution import queries
from app.distribution.models import DistributionLine, Payout, RevenueReport
from app.distribution.payouts import wallet_balance
from app.notifications.models import Notification
from tests.fixtures.distribution import file_report, pay_and_distribute
from tests.fixtures.funding import ledger_violations
from tests.test_funding_pages import flashes, fresh, inbox, switch_to, text  # noqa: F401 - switch_to is a fixture

BANK = {"amount": "30000", "method": "bank", "bank_code": "011", "account_number": "302-1234-5678-91",
        "holder_name": "김시민"}
FULL_NUMBER, MASKED = "302-1234-5678-91", "***-****-**78-91"


def english(db, *users):
    """Show these users the English pages (their saved language wins over the session's)."""
    for user in users:
        user.locale = "en"
    db.session.commit()


@pytest.fixture
def distributed(db, earning):
    """A proposal on the market, two backers (3 and 1 units at 10,000 won) and two contributors (5 and 8 points); one
    report of 1,000,000 won distributed. Pool 100,000: proposer 20,000; contributors 7,692 and 12,308; backers
    37,500 and 12,500 (caps 60,000 and 20,000 not reached); commons 10,000."""
    proposal, backers, contributors = earning()
    report = file_report(proposal, revenue_amount=1_000_000)
    pay_and_distribute(report)
    return SimpleNamespace(proposal=proposal, report=report, backers=backers, contributors=contributors,
                           proposer=proposal.idea.author, lead=proposal.lead_expert)


# each page, each viewer, both languages
@pytest.mark.parametrize("locale, won", [("ko", "{:,}원"), ("en", "₩{:,}")])
def test_each_person_sees_their_own_lines_wallet_and_earnings(client, db, distributed, switch_to, create_user,
                                                              locale, won):
    d = distributed
    viewers = [(d.proposer, 20_000, None), (d.contributors[0], 7_692, "5 of 13 points"),
               (d.contributors[1], 12_308, "8 of 13 points"), (d.backers[0], 37_500, "3 of 4 units"),
               (d.backers[1], 12_500, "1 of 4 units")]
    for user, amount, weight in viewers:
        user.locale = locale
        db.session.commit()
        switch_to(user)
        page = text(client.get("/me/statements"))
        assert f'lang="{locale}"' in page and d.proposal.title in page
        assert won.format(amount) in page and won.format(1_000_000) in page and won.format(100_000) in page
        assert page.count('class="statement-line"') == 1
        wallet = text(client.get("/me/wallet"))
        assert f'<dd id="wallet-balance">{won.format(amount)}</dd>' in wallet
        earnings = text(client.get("/me/earnings"))
        assert "data-chart=" in earnings and f'"data": [{amount}]' in earnings
        assert "vendor/chartjs/chart.umd.min.js" in earnings and "<script>" not in earnings
        if locale == "en":
            assert "Community share: 10% of revenue, rounded down to the won; of that pool, proposer 20%" in page
            assert "until each has received 2× what they invested" in page
            assert (weight or "whole part") in page
            assert "Revenue share as" in wallet and "Revenue share per proposal over time" in earnings
    switch_to(d.backers[0])
    page = text(client.get("/me/statements"))
    assert won.format(37_500) in page and won.format(60_000) in page  # received so far against the 60,000 cap
    assert won.format(20_000) not in page  # nobody else's part
    stranger = create_user(locale=locale)
    switch_to(stranger)
    assert 'class="statement-line"' not in text(client.get("/me/statements"))
    assert 'id="wallet-balance">' + won.format(0) in text(client.get("/me/wallet"))
    assert "data-chart=" not in text(client.get("/me/earnings"))


def test_the_money_pages_need_a_login_and_the_desk_a_steward(client, create_user, login_as):
    for url in ("/me/wallet", "/me/statements", "/me/statements.csv", "/me/earnings", "/revenue/desk"):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url
    login_as(create_user())
    assert client.get("/revenue/desk").status_code == 403
    assert client.get("/me/statements?year=abc").status_code == 400
    assert client.post_form("/revenue-reports/1/pool-paid", {"reference": "x"}).status_code == 403


def test_the_csv_equals_the_page_the_annual_summary_and_the_wallet(client, db, earning, login_as, steward):
    from app.core.parameters import store_parameter
    from app.distribution.operations import distribute, record_pool_paid

    proposal, (backer, _other), _helpers = earning()
    store_parameter("WITHHOLDING_BP", 1540)
    db.session.commit()
    first = file_report(proposal, revenue_amount=1_000_000, start=date(2025, 7, 1), end=date(2025, 9, 30))
    record_pool_paid(first, steward, "농협 이체 2025-10-10")
    distribute(first, now=datetime(2025, 10, 10, 3, 0, tzinfo=timezone.utc))
    db.session.commit()
    pay_and_distribute(file_report(proposal, revenue_amount=2_400_000, start=date(2025, 10, 1),
                                   end=date(2025, 12, 31)), steward)
    english(db, backer)
    login_as(backer)
    page = text(client.get("/me/statements"))
    sums = {k: int(re.sub(r"\D", "", re.search(rf'id="sum-{k}">([^<]+)<', page).group(1)))
            for k in ("gross", "withheld", "net")}
    # 37,500 of the first pool, then the 22,500 left under the 60,000 cap; 15.4% withheld from each
    assert sums == {"gross": 60_000, "withheld": 5_775 + 3_465, "net": 60_000 - 9_240}
    assert "15.4%" in page and "₩60,000 of a ₩60,000 cap" in page

    response = client.get("/me/statements.csv")
    assert response.headers["Content-Type"].startswith("text/csv") and "attachment" in \
        response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:2] == ["Report", "Proposal"] and len(body) == 2
    column = {name: header.index(name) for name in ("Gross (won)", "Withheld (won)", "Net (won)", "Rule")}
    assert sum(int(r[column["Gross (won)"]]) for r in body) == sums["gross"]
    assert sum(int(r[column["Withheld (won)"]]) for r in body) == sums["withheld"]
    assert sum(int(r[column["Net (won)"]]) for r in body) == sums["net"] == wallet_balance(backer)
    assert all(r[column["Rule"]].startswith("Community share: 10% of revenue") for r in body)
    assert {r[1] for r in body} == {proposal.title}

    by_year = client.get("/me/statements.csv?year=2025").get_data().decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(by_year)))) == 2  # the header and the line distributed in 2025
    page_2025 = text(client.get("/me/statements?year=2025"))
    assert page_2025.count('class="statement-line"') == 1 and 'id="sum-gross">₩37,500<' in page_2025
    assert "Each year" in page and ">2025<" in page and f">{utc_year()}<" in page
    # the pages read many proposals' health at once (the second report came late): the same as one at a time
    assert queries.healths([proposal.id]) == {proposal.id: queries.health(proposal.id)}
    assert queries.health(proposal.id)["late"] == 1
    assert ledger_violations() == []


def utc_year() -> int:
    from app.core.timeutil import utcnow

    return utcnow().year


# the proposal page's worked example is the real distribution
def test_the_proposal_pages_worked_example_equals_a_real_distribution_of_that_revenue(client, db, earning, login_as,
                                                                                     steward):
    from app.proposals.routes import EXAMPLE_REVENUE

    proposal, (big, small), (five, eight) = earning(backers=((3,), (1,)), contributors=(5, 8))
    # an earlier report, so the cap table carries what each backer has received already
    pay_and_distribute(file_report(proposal, revenue_amount=400_000, start=date(2026, 4, 1), end=date(2026, 6, 30)),
                       steward)  # backers 15,000 and 5,000 of their 60,000 and 20,000 caps
    english(db, small)
    login_as(small)
    page = text(client.get(f"/proposals/{proposal.id}"))
    shown = {role: int(re.sub(r"\D", "", amount)) for role, amount in
             re.findall(r'<td class="num" data-role="(\w+)">([^<]+)</td>', page)}
    mine = int(re.sub(r"\D", "", re.search(r'<p id="my-example">Your 1 units would receive ([^.]+)\.', page).group(1)))
    people = {name: int(re.sub(r"\D", "", amount)) for name, amount in
              re.findall(r"<li>([^<:]+): (₩[\d,]+)</li>", page.split('id="terms"', 1)[1].split("</ul>", 1)[0])}

    split = pay_and_distribute(file_report(proposal, revenue_amount=EXAMPLE_REVENUE, start=date(2026, 7, 1),
                                           end=date(2026, 9, 30)), steward)
    lines = db.session.scalars(sa.select(DistributionLine).where(DistributionLine.report_id == db.session.scalar(
        sa.select(sa.func.max(RevenueReport.id))))).all()
    booked = {role: sum(line.gross_amount for line in lines if line.role == role)
              for role in ("proposer", "contributor", "backer", "commons")}
    assert shown == booked == {role: split.total(role) for role in booked}
    assert booked["backer"] < split.parts["backer"]  # the caps bite: the example knew it, and so did the split
    person = {line.user_id: line.gross_amount for line in lines if line.user_id}
    assert mine == person[small.id]
    assert (people[five.display_name], people[eight.display_name]) == (person[five.id], person[eight.id])
    assert ledger_violations() == []


# the public revenue page
def test_the_public_revenue_page_shows_history_per_role_never_per_person(client, db, distributed, create_user,
                                                                       login_as):
    d = distributed
    file_report(d.proposal, revenue_amount=500_000, start=date(2026, 10, 1), end=date(2026, 10, 31))
    for locale in ("ko", "en"):
        client.post_form("/auth/locale", {"locale": locale})
        page = text(client.get(f"/proposals/{d.proposal.id}/revenue"))
        won = "{:,}원" if locale == "ko" else "₩{:,}"
        assert f'lang="{locale}"' in page and d.proposal.title in page
        assert all(won.format(n) in page for n in (1_000_000, 100_000, 20_000, 50_000, 10_000, 500_000))
        assert won.format(37_500) not in page and won.format(7_692) not in page  # no one's own part
        assert not any(u.display_name in page for u in (*d.backers, *d.contributors))
        assert 'id="report"' not in page and "세금계산서" not in page  # no form, no evidence for the public
    assert "Distributed" in page and "Reported, pool not paid in yet" in page and "First report" in page
    assert "Community share: 10% of revenue" in page
    assert ("Reports on time" if queries.health(d.proposal.id)["state"] == "on_time" else "Report missed") in page
    assert "5 people and organizations received a part" in page  # the proposer, two contributors, two backers
    proposal_page = text(client.get(f"/proposals/{d.proposal.id}"))
    assert f'href="/proposals/{d.proposal.id}/revenue"' in proposal_page and 'id="revenue"' in proposal_page
    assert client.get(f"/revenue-reports/{d.report.id}").headers["Location"].endswith(
        f"/proposals/{d.proposal.id}/revenue#report-{d.report.id}")
    assert client.get("/proposals/999999/revenue").status_code == 404


# the lead's report form
def _report_fields(**changes) -> dict:
    return {"period_start": "2026-10-01", "period_end": "2026-10-31", "revenue_amount": "3000000",
            "evidence_note": "10월 매출 세금계산서 12건", **changes}


def test_the_lead_previews_the_split_then_files_the_report_with_its_evidence(client, db, distributed, switch_to,
                                                                            create_user, steward):
    d = distributed
    english(db, d.lead)
    switch_to(d.lead)
    page = text(client.get(f"/proposals/{d.proposal.id}/revenue"))
    assert 'id="report"' in page and 'enctype="multipart/form-data"' in page and 'type="date"' in page
    before = db.session.scalar(sa.select(sa.func.count(RevenueReport.id)))
    preview = text(client.post_form(f"/proposals/{d.proposal.id}/revenue", {**_report_fields(), "action": "preview"}))
    # 3,000,000 -> pool 300,000: proposer 60,000; contributors 23,077 + 36,923; backers 150,000 minus the caps
    # (22,500 and 7,500 of room left after the first report), the rest to the commons
    assert "If distributed now" in preview and "₩300,000" in preview
    assert all(f"₩{n:,}" in preview for n in (60_000, 60_000, 23_077, 36_923, 30_000, 30_000 + 120_000))
    assert db.session.scalar(sa.select(sa.func.count(RevenueReport.id))) == before  # a preview writes nothing
    refused = client.post(f"/proposals/{d.proposal.id}/revenue", data={
        "csrf_token": client.csrf_token(), **_report_fields(), "action": "file",
        "evidence": (io.BytesIO(b"MZ\x90\x00"), "invoice.exe")}, content_type="multipart/form-data")
    assert refused.status_code == 400 and "Attach a PDF, image, CSV, spreadsheet or text file." in text(refused)
    assert db.session.scalar(sa.select(sa.func.count(RevenueReport.id))) == before
    evidence = (io.BytesIO(b"month,revenue\n2026-10,3000000\n"), "매출 내역.csv")
    response = client.post(f"/proposals/{d.proposal.id}/revenue", data={
        "csrf_token": client.csrf_token(), **_report_fields(), "action": "file", "evidence": evidence},
        content_type="multipart/form-data")
    report = db.session.scalar(sa.select(RevenueReport).order_by(RevenueReport.id.desc()).limit(1))
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/proposals/{d.proposal.id}/revenue#report-{report.id}")
    assert (report.revenue_amount, report.pool_amount, report.status, report.evidence_name) == (
        3_000_000, 300_000, "reported", "매출 내역.csv")
    page = text(client.get(f"/proposals/{d.proposal.id}/revenue"))
    assert "The report is filed." in page and f"/revenue-reports/{report.id}/evidence" in page
    download = client.get(f"/revenue-reports/{report.id}/evidence")
    assert download.status_code == 200 and download.get_data() == b"month,revenue\n2026-10,3000000\n"
    assert "attachment" in download.headers["Content-Disposition"]
    switch_to(steward)
    assert client.get(f"/revenue-reports/{report.id}/evidence").status_code == 200
    assert "10월 매출 세금계산서 12건" in text(client.get("/revenue/desk"))
    for outsider in (d.backers[0], create_user()):
        switch_to(outsider)
        assert client.get(f"/revenue-reports/{report.id}/evidence").status_code == 404
        assert f"/revenue-reports/{report.id}/evidence" not in text(client.get(f"/proposals/{d.proposal.id}/revenue"))
    assert "revenue_reported" in inbox(db, d.backers[0]) and "revenue_reported" in inbox(db, d.proposer)


@pytest.mark.parametrize("changes, message", [
    ({"period_start": "2026-09-15", "period_end": "2026-10-15"}, "This period overlaps a period already reported."),
    ({"revenue_amount": "-1"}, "Revenue is a whole number of won, zero or more."),
    ({"revenue_amount": "12.5"}, "Not a valid integer value"),
    ({"revenue_amount": ""}, "Revenue is a whole number of won, zero or more."),
    ({"period_end": "2099-12-31", "period_start": "2099-10-01"}, "Report a period that has ended."),
    ({"period_start": "2026-11-10", "period_end": "2026-11-01"}, "The period ends after it starts."),
    ({"period_end": "31/10/2026"}, "Not a valid date value"),
    ({"period_start": "2024-01-01", "period_end": "2025-06-30"}, "A period is at most a year."),
], ids=["overlap", "negative", "fraction", "missing", "not ended", "backwards", "bad date", "over a year"])
def test_bad_reports_get_a_clear_message_and_write_nothing(client, db, distributed, login_as, changes, message):
    d = distributed
    english(db, d.lead)
    login_as(d.lead)
    before = db.session.scalar(sa.select(sa.func.count(RevenueReport.id)))
    for action in ("preview", "file"):
        response = client.post_form(f"/proposals/{d.proposal.id}/revenue", {**_report_fields(**changes),
                                                                            "action": action})
        if action == "preview" and message in ("This period overlaps a period already reported.",
                                               "Report a period that has ended.", "The period ends after it starts.",
                                               "A period is at most a year."):
            continue  # a preview checks the form's shapes; the period's rules are the operation's, on filing
        assert response.status_code == 400 and message in text(response), (action, changes)
        assert 'aria-invalid="true"' in text(response)
    assert db.session.scalar(sa.select(sa.func.count(RevenueReport.id))) == before


def test_only_the_lead_of_an_earning_proposal_reports(client, db, distributed, create_proposal, login_as, switch_to):
    d = distributed
    login_as(d.backers[0])
    assert client.post_form(f"/proposals/{d.proposal.id}/revenue", _report_fields()).status_code == 403
    funding = create_proposal("funding")
    switch_to(funding.lead_expert)
    page = text(client.get(f"/proposals/{funding.id}/revenue"))
    assert 'id="report"' not in page
    assert client.post_form(f"/proposals/{funding.id}/revenue", _report_fields()).status_code == 403
    assert f'id="revenue"' not in text(client.get(f"/proposals/{funding.id}"))  # nothing to show before it earns


# payouts: the form, the desk, the number masked everywhere but the desk while waiting
def _pages_of(client, user_pages=("/me/wallet", "/me/statements", "/me/earnings", "/notifications/", "/audit",
                                  "/audit?subject_type=payout", "/commons")) -> str:
    return " ".join(text(client.get(url)) for url in user_pages)


def test_a_payout_asked_through_the_form_is_paid_on_the_desk_and_its_number_stays_masked(
        client, db, distributed, switch_to, steward):
    d = distributed
    backer = d.backers[0]  # 37,500 won in the wallet
    english(db, backer)
    switch_to(backer)
    wallet = text(client.get("/me/wallet"))
    assert 'name="account_number"' in wallet and "KB Kookmin" in wallet and "NH NongHyup" in wallet
    assert 'value="connect"' not in wallet  # no Connect configured: bank transfers only
    for changes, message in (({"amount": "40000"}, "more than your wallet holds"),
                             ({"amount": "9999"}, "at least 10,000"),
                             ({"amount": "abc"}, "Not a valid integer value"),
                             ({"bank_code": ""}, "Choose your bank."),
                             ({"account_number": "12-34"}, "10 to 16 digits"),
                             ({"holder_name": ""}, "Enter the account holder"),
                             ({"method": "connect", "connected_account": "acct_1GopsCitizen"}, None)):
        response = client.post_form("/me/payouts", {**BANK, **changes})
        if message is None:  # Connect is not offered: the request goes by bank, as the form showed
            assert response.status_code == 302
            payout = db.session.scalar(sa.select(Payout))
            assert payout.method == "bank"
            client.post_form(f"/payouts/{payout.id}/cancel")
            continue
        assert response.status_code in (400, 409) and message in text(response), changes
    assert wallet_balance(backer) == 37_500
    assert db.session.scalar(sa.select(sa.func.count(Payout.id)).where(Payout.status == "requested")) == 0
    response = client.post_form("/me/payouts", BANK)
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/wallet#payouts")
    payout = db.session.scalar(sa.select(Payout).where(Payout.status == "requested"))
    wallet = text(client.get("/me/wallet"))
    assert 'id="wallet-balance">₩7,500<' in wallet and 'id="wallet-held">₩30,000<' in wallet
    assert MASKED in wallet and "Held for payout" in wallet and f"/payouts/{payout.id}/cancel" in wallet
    assert FULL_NUMBER not in _pages_of(client)

    switch_to(steward)
    desk = text(client.get("/revenue/desk"))
    assert FULL_NUMBER in desk and "김시민" in desk and "30,000원" in desk
    assert "NH농협은행" in desk  # the bank named in the steward's language
    client.post_form(f"/payouts/{payout.id}/paid", {"reference": ""})
    assert fresh(db, Payout, payout.id).status == "requested"
    client.post_form(f"/payouts/{payout.id}/paid", {"reference": "NH 20261202-0001"})
    paid = fresh(db, Payout, payout.id)
    assert (paid.status, paid.account_number, paid.reference) == ("paid", None, "NH 20261202-0001")
    assert FULL_NUMBER not in text(client.get("/revenue/desk")) + _pages_of(client)
    assert inbox(db, backer)[-1] == "payout_paid"

    switch_to(backer)
    wallet = text(client.get("/me/wallet"))
    assert "Paid" in wallet and "NH 20261202-0001" in wallet and MASKED in wallet
    assert f"/payouts/{payout.id}/cancel" not in wallet and 'id="wallet-held">₩0<' in wallet
    assert "Your payout of 30,000 won is paid (transfer NH 20261202-0001)." in text(client.get("/notifications/"))
    assert FULL_NUMBER not in _pages_of(client)
    assert ledger_violations() == []


def test_a_rejected_payout_goes_back_to_the_wallet_and_its_owner_hears_why(client, db, distributed, switch_to,
                                                                          steward):
    d = distributed
    backer = d.backers[0]
    english(db, backer)
    switch_to(backer)
    client.post_form("/me/payouts", {**BANK, "amount": "37500"})
    payout = db.session.scalar(sa.select(Payout))
    assert wallet_balance(backer) == 0
    switch_to(steward)
    client.post_form(f"/payouts/{payout.id}/reject", {"reason": ""})
    assert fresh(db, Payout, payout.id).status == "requested"
    client.post_form(f"/payouts/{payout.id}/reject", {"reason": "예금주 이름이 계정 이름과 다릅니다."})
    assert fresh(db, Payout, payout.id).status == "rejected" and wallet_balance(backer) == 37_500
    switch_to(backer)
    assert "예금주 이름이 계정 이름과 다릅니다." in text(client.get("/notifications/"))
    wallet = text(client.get("/me/wallet"))
    assert "Rejected" in wallet and "returned to the wallet" in wallet and 'id="wallet-balance">₩37,500<' in wallet
    log = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.subject_type == "payout")).all()
    assert [e.action for e in log] == ["payout.rejected"] and log[0].actor_id == steward.id
    assert ledger_violations() == []


def test_the_owner_cancels_a_waiting_payout_and_nobody_else_can(client, db, distributed, switch_to):
    d = distributed
    backer, other = d.backers
    english(db, backer, other)
    switch_to(backer)
    client.post_form("/me/payouts", BANK)
    payout = db.session.scalar(sa.select(Payout))
    switch_to(other)
    response = client.post_form(f"/payouts/{payout.id}/cancel", follow_redirects=True)
    assert "Only its owner can cancel a payout." in flashes(response)
    assert fresh(db, Payout, payout.id).status == "requested"
    switch_to(backer)
    response = client.post_form(f"/payouts/{payout.id}/cancel", follow_redirects=True)
    assert "The payout is cancelled" in flashes(response) and 'id="wallet-balance">₩37,500<' in text(response)
    assert fresh(db, Payout, payout.id).status == "cancelled"
    assert client.post_form("/payouts/999999/cancel").status_code == 404
    assert ledger_violations() == []


def test_no_steward_decides_what_they_are_a_party_to(client, db, earning, switch_to, create_user):
    from app.auth.operations import grant_role
    from app.core.security import Role

    proposal, (backer, _other), _h = earning()
    report = file_report(proposal, revenue_amount=1_000_000)
    lead = proposal.lead_expert
    grant_role(lead, Role("steward"))
    grant_role(backer, Role("steward"))
    english(db, lead, backer)
    switch_to(lead)
    desk = text(client.get("/revenue/desk"))
    assert "You are a party to this proposal" in desk
    response = client.post_form(f"/revenue-reports/{report.id}/pool-paid", {"reference": "내 통장 이체"},
                                follow_redirects=True)
    assert "You are a party to this matter" in flashes(response)
    response = client.post_form(f"/revenue-reports/{report.id}/reject", {"reason": "다시 씁니다"},
                                follow_redirects=True)
    assert "You are a party to this matter" in flashes(response)
    assert fresh(db, RevenueReport, report.id).status == "reported"

    other_steward = create_user(roles=["steward"], locale="en")
    switch_to(other_steward)
    response = client.post_form(f"/revenue-reports/{report.id}/pool-paid", {"reference": "농협 이체 2026-11-02"},
                                follow_redirects=True)
    assert "is recorded and distributed" in flashes(response)
    assert fresh(db, RevenueReport, report.id).status == "distributed"
    assert proposal.title not in text(client.get("/revenue/desk")).split('id="payouts"')[0].split("Pools to record")[1]

    switch_to(backer)
    client.post_form("/me/payouts", {**BANK, "amount": "20000"})
    payout = db.session.scalar(sa.select(Payout))
    assert "This is your own payout" in text(client.get("/revenue/desk"))
    for url, data in ((f"/payouts/{payout.id}/paid", {"reference": "내가 보냄"}),
                      (f"/payouts/{payout.id}/reject", {"reason": "취소"})):
        response = client.post_form(url, data, follow_redirects=True)
        assert "You are a party to this matter" in flashes(response)
    assert fresh(db, Payout, payout.id).status == "requested"
    assert ledger_violations() == []


def test_a_steward_rejects_a_report_and_the_lead_files_again(client, db, earning, switch_to, steward):
    proposal, _b, _h = earning()
    report = file_report(proposal, revenue_amount=1_000_000)
    lead = proposal.lead_expert
    english(db, lead)
    switch_to(steward)
    client.post_form(f"/revenue-reports/{report.id}/reject", {"reason": ""})
    assert fresh(db, RevenueReport, report.id).status == "reported"
    client.post_form(f"/revenue-reports/{report.id}/reject", {"reason": "세금계산서 합계와 다릅니다."})
    assert fresh(db, RevenueReport, report.id).status == "rejected"
    switch_to(lead)
    assert "세금계산서 합계와 다릅니다." in text(client.get("/notifications/"))
    page = text(client.get(f"/proposals/{proposal.id}/revenue"))
    assert "Rejected" in page and "세금계산서 합계와 다릅니다." in page
    response = client.post_form(f"/proposals/{proposal.id}/revenue", _report_fields(
        period_start="2026-07-01", period_end="2026-09-30", action="file"))
    assert response.status_code == 302  # the same period, filed again
    assert db.session.scalar(sa.select(sa.func.count(RevenueReport.id)).where(RevenueReport.status == "reported")) == 1


def test_connect_is_offered_when_configured_and_sent_from_the_desk(client, db, distributed, switch_to, steward,
                                                                    app):
    from flask import current_app

    from tests.fakes.stripe_connect import serve

    url, fake, stop = serve()
    try:
        for each in (app, current_app._get_current_object()):
            each.config["STRIPE_CONNECT_BASE"] = url
            each.extensions.pop("gops_gateway", None)
        backer = distributed.backers[0]
        english(db, backer, steward)
        switch_to(backer)
        assert 'value="connect"' in text(client.get("/me/wallet"))
        response = client.post_form("/me/payouts", {"amount": "20000", "method": "connect",
                                                    "connected_account": "bad"})
        assert response.status_code == 400 and "Enter your connected Stripe account" in text(response)
        client.post_form("/me/payouts", {"amount": "20000", "method": "connect",
                                         "connected_account": "acct_1GopsCitizen"})
        payout = db.session.scalar(sa.select(Payout))
        assert payout.method == "connect"
        switch_to(steward)
        desk = text(client.get("/revenue/desk"))
        assert f"/payouts/{payout.id}/transfer" in desk and "acct_1GopsCitizen" in desk
        response = client.post_form(f"/payouts/{payout.id}/transfer", follow_redirects=True)
        assert "is sent to the connected account" in flashes(response)
        (transfer,) = fake.transfers.values()
        assert (transfer["amount"], transfer["destination"]) == (20_000, "acct_1GopsCitizen")
        assert fresh(db, Payout, payout.id).status == "paid"
        response = client.post_form(f"/payouts/{payout.id}/transfer", follow_redirects=True)
        assert "already decided" in flashes(response) and len(fake.transfers) == 1
    finally:
        stop()
        for each in (app, current_app._get_current_object()):
            each.config["STRIPE_CONNECT_BASE"] = None
            each.extensions.pop("gops_gateway", None)
    assert ledger_violations() == []


# the commons fund, the portfolio, news
@pytest.mark.parametrize("locale, won", [("ko", "{:,}원"), ("en", "₩{:,}")])
def test_the_commons_page_shows_the_fund_every_movement_and_a_monthly_chart(client, db, distributed, steward,
                                                                         locale, won):
    d = distributed
    pay_and_distribute(file_report(d.proposal, revenue_amount=2_000_000, start=date(2026, 10, 1),
                                   end=date(2026, 10, 31)), steward)
    # 10,000 from the first pool; 20,000 and the 70,000 the capped backers could not take from the second
    client.post_form("/auth/locale", {"locale": locale})
    page = text(client.get("/commons"))
    assert f'lang="{locale}"' in page
    assert f'id="commons-balance">{won.format(100_000)}<' in page and f'id="commons-in">{won.format(100_000)}<' in page
    assert f'id="commons-out">{won.format(0)}<' in page
    assert page.count(f'href="/proposals/{d.proposal.id}/revenue#report-') == 2
    assert page.index(f"+{won.format(90_000)}") < page.index(f"+{won.format(10_000)}")  # newest first
    spec = json.loads(re.search(r"data-chart='([^']+)'", page).group(1))
    assert spec["datasets"][0]["data"] == [100_000] and len(spec["labels"]) == 1
    assert "<script>" not in page and "vendor/chartjs/chart.umd.min.js" in page
    paged = text(client.get("/commons?per_page=1&page=2"))
    assert f"+{won.format(10_000)}" in paged and f"+{won.format(90_000)}" not in paged and 'rel="prev"' in paged
    assert client.get("/commons?page=0").status_code == 400
    if locale == "en":
        assert "The commons fund" in page and "Revenue report of" in page


def test_an_empty_commons_fund_says_so(client):
    client.post_form("/auth/locale", {"locale": "en"})
    page = text(client.get("/commons"))
    assert 'id="commons-balance">₩0<' in page and "Nothing has moved in the commons fund yet." in page
    assert "data-chart=" not in page


@pytest.mark.parametrize("locale, won", [("ko", "{:,}원"), ("en", "₩{:,}")])
def test_the_portfolio_shows_what_each_proposal_paid_the_multiple_and_its_health(client, db, distributed, login_as,
                                                                                 locale, won):
    d = distributed
    d.backers[0].locale = locale
    db.session.commit()
    login_as(d.backers[0])
    page = text(client.get("/me/portfolio"))
    assert f'lang="{locale}"' in page and f'id="portfolio-received">{won.format(37_500)}<' in page
    assert f'<dd class="received">{won.format(37_500)}</dd>' in page
    assert '<dd class="multiple">1.25×</dd>' in page  # 37,500 received of 30,000 invested
    health = queries.health(d.proposal.id)  # on time until the next report is due, then missed
    assert f'class="badge health-{health["state"]}"' in page
    assert f"/proposals/{d.proposal.id}/revenue" in page
    if locale == "en":
        assert f'1 on time · 0 late · {health["missed"]} missed' in page and "next report due" in page


def test_everyone_with_a_line_hears_what_they_received_and_followers_hear_of_the_report(client, db, distributed,
                                                                                      create_user, login_as):
    d = distributed
    received = {n.user_id: n.data for n in db.session.scalars(
        sa.select(Notification).where(Notification.kind == "revenue_received"))}
    assert received == {
        d.proposer.id: {"title": d.proposal.title, "proposal_id": d.proposal.id, "amount": "20,000"},
        d.contributors[0].id: {"title": d.proposal.title, "proposal_id": d.proposal.id, "amount": "7,692"},
        d.contributors[1].id: {"title": d.proposal.title, "proposal_id": d.proposal.id, "amount": "12,308"},
        d.backers[0].id: {"title": d.proposal.title, "proposal_id": d.proposal.id, "amount": "37,500"},
        d.backers[1].id: {"title": d.proposal.title, "proposal_id": d.proposal.id, "amount": "12,500"}}
    reported = set(db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "revenue_reported")))
    assert {d.proposer.id, *(b.id for b in d.backers)} <= reported
    assert not {c.id for c in d.contributors} & reported  # neither followers nor backers
    english(db, d.backers[1])
    login_as(d.backers[1])
    page = text(client.get("/notifications/"))
    assert f"You received 12,500 won from “{d.proposal.title}”." in page and "/me/statements" in page
    assert "reported revenue of 1,000,000 won" in page
    assert f'value="/proposals/{d.proposal.id}/revenue#report-{d.report.id}"' in page  # where "View" leads
    log = text(client.get("/audit?subject_type=revenue_report"))  # filed, pool paid, distributed: named and linked
    assert f"{d.proposal.title} (2026-07-01 – 2026-09-30)" in log and f'href="/revenue-reports/{d.report.id}"' in log


def test_statements_wallet_and_commons_run_as_many_statements_for_50_lines_as_for_5(app, client, db, earning,
                                                                                   login_as, steward):
    from app.distribution.operations import add_months
    from tests.test_proposals_scale import statements

    proposal, (backer,), _h = earning(backers=((1,),), contributors=(3,))
    login_as(backer)
    month = iter(range(60))

    def report_months(n):
        for _ in range(n):
            start = add_months(date(2021, 1, 1), next(month))
            pay_and_distribute(file_report(proposal, revenue_amount=1_000, start=start,
                                           end=add_months(start, 1) - timedelta(days=1)), steward)

    def count(url) -> int:
        client.get(url)
        with statements(app) as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    urls = ("/me/statements", "/me/wallet", "/commons", "/me/statements.csv", "/me/portfolio")
    report_months(5)
    few = {url: count(url) for url in urls}
    assert text(client.get("/me/statements")).count('class="statement-line"') == 5
    report_months(45)
    assert text(client.get("/me/statements")).count('class="statement-line"') == 50
    assert {url: count(url) for url in urls} == few, few
    assert max(few.values()) <= 12, few
