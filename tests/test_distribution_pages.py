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
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEvent
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
    assert "Community share: 10% of revenue" in page and "Reports on time" in page
    assert "5 people and organizations received a part" in page  # the proposer, two contributors, two backers
    proposal_page = text(client.get(f"/proposals/{d.proposal.id}"))
    assert f'href="/proposals/{d.proposal.id}/revenue"' in proposal_page and 'id="revenue"' in proposal_page
    assert client.get(f"/revenue-reports/{d.report.id}").headers["Location"].endswith(
        f"/proposals/{d.proposal.id}/revenue#report-{d.report.id}")
    assert client.get("/proposals/999999/revenue").status_code == 404
