"""The revenue-sharing API against a real localstripe cap table: reports and their distribution, wallets, statements
(JSON and CSV), earnings, payouts (bank and Stripe Connect through FakeStripeConnect), the commons fund and the
portfolio's revenue figures; every bad input refused with a clear message and nothing written; the ledger holds."""
import base64
import csv
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.core.timeutil import utcnow
from app.distribution.models import DistributionLine, Payout, RevenueReport
from app.distribution.payouts import wallet_balance
from app.ledger.queries import balance, find_account
from tests.fixtures.distribution import file_report, pay_and_distribute
from tests.fixtures.funding import ledger_violations

NUMBER = "302-1234-5678-91"
BANK = {"method": "bank", "bank_code": "011", "account_number": NUMBER, "holder_name": "김시민"}
#: the last full quarter-long period that ended before today, and the one before it
END = utcnow().date() - timedelta(days=1)
START = END - timedelta(days=89)
EARLIER = (START - timedelta(days=90), START - timedelta(days=1))


def report_body(**changes):
    body = {"period_start": START.isoformat(), "period_end": END.isoformat(), "revenue_amount": 10_000_001,
            "evidence_note": "세금계산서 발행 내역 12건"}
    return {**body, **changes}


def error_of(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    return error


def report_count() -> int:
    from app.extensions import db

    return db.session.scalar(sa.select(sa.func.count(RevenueReport.id)))


@pytest.fixture
def market(earning):
    """A proposal on the market: backers of 3 and 1 units (10,000 won each), contributors with 5 and 8 points."""
    return earning(backers=((3,), (1,)), contributors=(5, 8))


@pytest.fixture
def steward_headers(create_user, api_headers):
    return api_headers(create_user(roles=["steward"]))


# reports
def test_the_lead_reports_revenue_and_sees_what_each_role_would_get(client, db, market, api_headers):
    proposal, (big, small), _helpers = market
    lead = api_headers(proposal.lead_expert)
    created = client.post(f"/api/v1/proposals/{proposal.id}/revenue-reports", json=report_body(), headers=lead)
    assert created.status_code == 201, created.get_json()
    data = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/revenue-reports/{data['id']}")
    assert (data["status"], data["revenue_amount"], data["pool_amount"], data["currency"]) == (
        "reported", 10_000_001, 1_000_000, "KRW")  # 10% rounded down
    assert data["terms"]["community_share_bp"] == 1000 and "10%" in data["rule"]
    assert data["due_on"] is None and data["late"] is False  # a proposal's first report sets the schedule
    distribution = data["distribution"]
    assert distribution["status"] == "preview"
    assert distribution["parts"] == {"proposer_amount": 200_000, "contributor_amount": 200_000,
                                     "backer_amount": 500_000, "commons_amount": 100_000}
    # backers are capped at 2x their 30,000 and 10,000: 80,000 in all; the rest goes to the commons fund
    assert distribution["by_role"] == {"proposer_amount": 200_000, "contributor_amount": 200_000,
                                       "backer_amount": 80_000, "commons_amount": 520_000, "withheld_amount": 0,
                                       "recipient_count": 5}
    body = created.get_data(as_text=True)
    assert big.display_name not in body and "lines" not in distribution  # per role, never per person
    # the public sees the parts by the terms, not the preview; the lead does
    public = client.get(f"/api/v1/revenue-reports/{data['id']}").get_json()
    assert public["distribution"]["by_role"] is None and public["distribution"]["parts"] == distribution["parts"]
    assert "payment_reference" not in public
    mine = client.get(f"/api/v1/revenue-reports/{data['id']}", headers=lead).get_json()
    assert mine["distribution"]["by_role"] == distribution["by_role"]
    # nothing moves until a steward records the pool
    assert wallet_balance(big) == 0 and db.session.scalar(sa.select(sa.func.count(DistributionLine.id))) == 0
    assert ledger_violations() == []


def test_an_evidence_file_is_kept_and_a_bad_one_refused(client, db, market, api_headers):
    proposal = market[0]
    lead, url = api_headers(proposal.lead_expert), f"/api/v1/proposals/{proposal.id}/revenue-reports"
    for name, content, field in (("매출.exe", b"MZ", "evidence"), ("매출.pdf", None, "evidence_file"),
                                 ("매출.pdf", b"", "evidence")):
        encoded = "%%%" if content is None else base64.b64encode(content).decode()
        body = report_body(evidence_file={"filename": name, "content_base64": encoded})
        assert field in error_of(client.post(url, json=body, headers=lead), 422, "validation_failed")["fields"]
    error_of(client.post(url, json=report_body(evidence_file="매출.pdf"), headers=lead), 422, "validation_failed")
    assert report_count() == 0
    pdf = base64.b64encode(b"%PDF-1.4 sales 2026").decode()
    done = client.post(url, json=report_body(evidence_file={"filename": "매출 내역.pdf", "content_base64": pdf}),
                       headers=lead)
    assert done.status_code == 201 and done.get_json()["evidence_name"] == "매출 내역.pdf"


def test_only_the_lead_of_an_earning_proposal_reports(client, db, market, create_proposal, create_user, api_headers):
    proposal = market[0]
    url = f"/api/v1/proposals/{proposal.id}/revenue-reports"
    error_of(client.post(url, json=report_body()), 401, "not_authenticated")
    error_of(client.post(url, json=report_body(), headers=api_headers(create_user())), 403, "not_lead")
    error_of(client.post(url, json={}, headers=api_headers(create_user())), 403, "not_lead")  # before the fields
    funding = create_proposal("funding")
    error_of(client.post(f"/api/v1/proposals/{funding.id}/revenue-reports", json=report_body(),
                         headers=api_headers(funding.lead_expert)), 409, "not_earning")
    error_of(client.post("/api/v1/proposals/999999/revenue-reports", json=report_body(),
                         headers=api_headers(proposal.lead_expert)), 404, "not_found")
    assert report_count() == 0


def test_overlapping_periods_are_refused(client, db, market, api_headers):
    proposal = market[0]
    lead, url = api_headers(proposal.lead_expert), f"/api/v1/proposals/{proposal.id}/revenue-reports"
    assert client.post(url, json=report_body(), headers=lead).status_code == 201
    error = error_of(client.post(url, json=report_body(period_start=(END - timedelta(days=5)).isoformat()),
                                 headers=lead), 409, "overlapping_period")
    assert "period_start" in error["fields"]
    assert report_count() == 1


BAD_REPORTS = [
    ({"revenue_amount": -1}, 422, "validation_failed", "revenue_amount"),
    ({"revenue_amount": 1.5}, 400, "invalid_type", "revenue_amount"),
    ({"revenue_amount": True}, 400, "invalid_type", "revenue_amount"),
    ({"revenue_amount": "1000"}, 400, "invalid_type", "revenue_amount"),
    ({"revenue_amount": 10**13 + 1}, 422, "validation_failed", "revenue_amount"),
    ({"revenue_amount": None}, 422, "validation_failed", "revenue_amount"),
    ({"period_start": "2026-13-45"}, 422, "validation_failed", "period_start"),
    ({"period_end": "2026/09/30"}, 422, "validation_failed", "period_end"),
    ({"period_start": 20260701}, 400, "invalid_type", "period_start"),
    ({"period_start": END.isoformat(), "period_end": START.isoformat()}, 422, "validation_failed", "period_end"),
    ({"period_end": (utcnow().date() + timedelta(days=1)).isoformat()}, 422, "validation_failed", "period_end"),
    ({"period_start": (END - timedelta(days=400)).isoformat()}, 422, "validation_failed", "period_end"),
    ({"evidence_note": "가" * 5001}, 422, "validation_failed", "evidence_note"),
    ({"distributed": True}, 400, "unknown_fields", "distributed"),
]


def test_bad_reports_are_refused_and_nothing_is_written(client, db, market, api_headers):
    proposal = market[0]
    lead, url = api_headers(proposal.lead_expert), f"/api/v1/proposals/{proposal.id}/revenue-reports"
    for changes, status, code, field in BAD_REPORTS:
        error = error_of(client.post(url, json=report_body(**changes), headers=lead), status, code)
        assert field in error["fields"], (changes, error)
    error_of(client.post(url, data="[]", headers={**lead, "Content-Type": "application/json"}), 400, "invalid_json")
    assert report_count() == 0 and ledger_violations() == []


def test_a_retried_report_is_filed_once(client, db, market, api_headers):
    proposal = market[0]
    headers = {**api_headers(proposal.lead_expert), "Idempotency-Key": "report-q3"}
    url = f"/api/v1/proposals/{proposal.id}/revenue-reports"
    first = client.post(url, json=report_body(), headers=headers)
    again = client.post(url, json=report_body(), headers=headers)
    assert first.status_code == again.status_code == 201 and first.get_json()["id"] == again.get_json()["id"]
    error_of(client.post(url, json=report_body(revenue_amount=5), headers=headers), 409, "idempotency_key_reused")
    assert report_count() == 1


def test_a_steward_records_the_pool_and_it_is_distributed_by_role(client, db, market, create_user, api_headers,
                                                                   steward_headers):
    from app.auth.operations import grant_role
    from app.core.security import Role

    proposal, (big, small), (helper_a, helper_b) = market
    report = file_report(proposal, start=START, end=END)
    url = f"/api/v1/revenue-reports/{report.id}/pool-paid"
    error_of(client.post(url, json={"reference": "NH 1"}), 401, "not_authenticated")
    error_of(client.post(url, json={"reference": "NH 1"}, headers=api_headers(create_user())), 403, "not_steward")
    grant_role(proposal.lead_expert, Role("steward"))
    db.session.commit()
    error_of(client.post(url, json={"reference": "NH 1"}, headers=api_headers(proposal.lead_expert)), 403,
             "party_to_matter")
    assert "reference" in error_of(client.post(url, json={}, headers=steward_headers), 422, "validation_failed")[
        "fields"]
    assert wallet_balance(big) == 0  # an unpaid pool is never distributed
    done = client.post(url, json={"reference": "농협 이체 2026-10-05"}, headers=steward_headers)
    assert done.status_code == 200, done.get_json()
    data = done.get_json()
    assert data["status"] == "distributed" and data["paid_via"] == "bank" and data["distributed_at"]
    assert data["payment_reference"] == "농협 이체 2026-10-05"
    assert data["distribution"]["status"] == "distributed"
    by_role = data["distribution"]["by_role"]
    assert by_role == {"proposer_amount": 200_000, "contributor_amount": 200_000, "backer_amount": 80_000,
                       "commons_amount": 520_000, "withheld_amount": 0, "recipient_count": 5}
    assert sum(by_role[f"{r}_amount"] for r in ("proposer", "contributor", "backer", "commons")) == 1_000_000
    assert (wallet_balance(big), wallet_balance(small)) == (60_000, 20_000)  # both at their 2x cap
    assert wallet_balance(helper_a) + wallet_balance(helper_b) == 200_000
    error_of(client.post(url, json={"reference": "again"}, headers=steward_headers), 409, "already_paid")
    assert ledger_violations() == []


def test_a_zero_revenue_report_is_paid_in_and_distributes_nothing(client, db, market, steward_headers):
    report = file_report(market[0], revenue_amount=0, start=START, end=END)
    done = client.post(f"/api/v1/revenue-reports/{report.id}/pool-paid", json={"reference": "없음 0원"},
                       headers=steward_headers)
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json()["distribution"]["by_role"]["recipient_count"] == 0
    assert ledger_violations() == []


def test_a_steward_rejects_a_report_with_a_reason_and_the_team_files_again(client, db, market, api_headers,
                                                                          steward_headers):
    proposal = market[0]
    report = file_report(proposal, start=START, end=END)
    url = f"/api/v1/revenue-reports/{report.id}/reject"
    error_of(client.post(url, json={"reason": "증빙 없음"}, headers=api_headers(proposal.lead_expert)), 403,
             "not_steward")
    error_of(client.post(url, json={"reason": " "}, headers=steward_headers), 422, "validation_failed")
    done = client.post(url, json={"reason": "세금계산서 합계와 매출이 다릅니다."}, headers=steward_headers)
    assert done.status_code == 200
    data = done.get_json()
    assert (data["status"], data["reason"], data["distribution"]) == ("rejected", "세금계산서 합계와 매출이 다릅니다.", None)
    assert client.post(f"/api/v1/revenue-reports/{report.id}/pool-paid", json={"reference": "NH 1"},
                       headers=steward_headers).status_code == 409  # a rejected pool is never paid in
    again = client.post(f"/api/v1/proposals/{proposal.id}/revenue-reports", json=report_body(revenue_amount=9_000_000),
                        headers=api_headers(proposal.lead_expert))
    assert again.status_code == 201 and ledger_violations() == []


def test_the_public_sees_reports_per_role_and_the_payment_health(client, db, market):
    proposal, (big, _small), _h = market
    first = file_report(proposal, revenue_amount=2_000_000, start=EARLIER[0], end=EARLIER[1])
    pay_and_distribute(first)
    second = file_report(proposal, revenue_amount=3_000_000, start=START, end=END)
    page = client.get(f"/api/v1/proposals/{proposal.id}/revenue-reports?per_page=1")
    assert page.status_code == 200
    listed = page.get_json()
    assert listed["total"] == 2 and [r["id"] for r in listed["items"]] == [second.id] and listed["has_next"]
    older = client.get(f"/api/v1/proposals/{proposal.id}/revenue-reports?page=2&per_page=1").get_json()["items"][0]
    assert older["id"] == first.id and older["distribution"]["by_role"]["backer_amount"] == 80_000  # both capped
    assert older["distribution"]["by_role"]["recipient_count"] == 5
    body = page.get_data(as_text=True) + str(older)
    assert big.display_name not in body and "user_id" not in body
    revenue = client.get(f"/api/v1/proposals/{proposal.id}/revenue").get_json()
    assert revenue["health"]["state"] == "on_time" and revenue["health"]["reports"] == 2
    assert revenue["health"]["next_due_on"] is not None and revenue["reporting"]["interval_months"] == 3
    assert (revenue["revenue_amount"], revenue["pool_amount"]) == (5_000_000, 500_000)
    assert revenue["distributed"]["backer_amount"] == 80_000 and revenue["currency"] == "KRW"
    assert client.get("/api/v1/proposals/999999/revenue").status_code == 404
    assert client.get("/api/v1/revenue-reports/999999").get_json()["error"]["code"] == "report_not_found"


def test_a_late_report_shows_as_late(client, db, market, api_headers):
    proposal = market[0]
    year_ago = utcnow().date() - timedelta(days=400)
    file_report(proposal, start=year_ago, end=year_ago + timedelta(days=60))
    late = client.post(f"/api/v1/proposals/{proposal.id}/revenue-reports", json=report_body(),
                       headers=api_headers(proposal.lead_expert)).get_json()
    assert late["late"] is True and late["due_on"]
    health = client.get(f"/api/v1/proposals/{proposal.id}/revenue").get_json()["health"]
    assert health["late"] == 1 and health["state"] == "late"


# wallets, statements, earnings
@pytest.fixture
def paid(db, market):
    """The market proposal with two reports distributed (the backers reach their caps on the second)."""
    proposal = market[0]
    pay_and_distribute(file_report(proposal, revenue_amount=1_500_000, start=EARLIER[0], end=EARLIER[1]))
    pay_and_distribute(file_report(proposal, revenue_amount=10_000_001, start=START, end=END))
    return market


def test_the_wallet_shows_the_balance_and_every_entry(client, db, paid, api_headers):
    _proposal, (big, _small), _h = paid
    headers = api_headers(big)
    data = client.get("/api/v1/me/wallet", headers=headers).get_json()
    assert data["balance_amount"] == wallet_balance(big) == 60_000 and data["held_amount"] == 0
    assert data["currency"] == "KRW" and data["payout_min_amount"] == 10_000 and data["payouts"] == []
    entries = data["entries"]
    assert entries["total"] == 2 and {e["kind"] for e in entries["items"]} == {"revenue.backer"}
    assert sum(e["amount"] for e in entries["items"]) == 60_000
    assert {e["subject"]["type"] for e in entries["items"]} == {"revenue_report"}
    assert client.get("/api/v1/me", headers=headers).get_json()["wallet_balance_amount"] == 60_000
    error_of(client.get("/api/v1/me/wallet"), 401, "not_authenticated")


def test_statements_itemise_each_line_with_the_rule_and_equal_the_ledger(client, db, paid, api_headers):
    proposal, (big, _small), _h = paid
    headers = api_headers(big)
    data = client.get("/api/v1/me/statements", headers=headers).get_json()
    assert data["total"] == 2 and data["totals"]["net_amount"] == wallet_balance(big)
    newest, oldest = data["items"]
    assert (oldest["revenue_amount"], oldest["pool_amount"], oldest["gross_amount"]) == (1_500_000, 150_000, 56_250)
    assert (newest["gross_amount"], newest["cap_amount"], newest["received_total_amount"]) == (3_750, 60_000, 60_000)
    assert (newest["role"], newest["weight"], newest["weight_total"]) == ("backer", 3, 4)
    assert (newest["community_share_bp"], newest["role_bp"], newest["backers_cap_multiple_bp"]) == (1000, 5000, 20000)
    assert "10%" in newest["rule"] and newest["proposal"]["id"] == proposal.id
    assert newest["withheld_amount"] == 0 and newest["net_amount"] == 3_750
    year = utcnow().year
    assert data["annual_summary"] == [{"year": year, "gross_amount": 60_000, "withheld_amount": 0,
                                       "net_amount": 60_000, "lines": 2, "currency": "KRW"}]
    assert client.get(f"/api/v1/me/statements?year={year}", headers=headers).get_json()["total"] == 2
    assert client.get("/api/v1/me/statements?year=2001", headers=headers).get_json()["items"] == []
    paged = client.get("/api/v1/me/statements?per_page=1&page=2", headers=headers).get_json()
    assert [i["id"] for i in paged["items"]] == [oldest["id"]] and paged["totals"] == data["totals"]
    for bad in ("1999", "20x6", "-1", "99999"):
        error_of(client.get(f"/api/v1/me/statements?year={bad}", headers=headers), 400, "invalid_year")
    assert ledger_violations() == []


def test_the_csv_statement_equals_the_json_one_and_opens_in_excel(client, db, paid, api_headers):
    from app.extensions import db as _db

    proposal, _backers, (helper, _other) = paid
    proposal.title = "=HYPERLINK(\"http://evil.example\",\"수익\")"
    _db.session.commit()
    headers = api_headers(helper)
    statement = client.get("/api/v1/me/statements", headers=headers).get_json()
    response = client.get("/api/v1/me/statements.csv", headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode()), "Excel needs the BOM to read UTF-8"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == statement["total"] == 2
    for key in ("gross_amount", "withheld_amount", "net_amount"):
        assert sum(int(r[key]) for r in rows) == statement["totals"][key]
    assert [int(r["report_id"]) for r in rows] == [i["report_id"] for i in statement["items"]]
    assert rows[0]["role"] == "contributor" and rows[0]["received_total_amount"] == "" and rows[0]["rule"]
    assert rows[0]["proposal_title"].startswith("'=")  # never a formula in the spreadsheet
    year = utcnow().year
    named = client.get(f"/api/v1/me/statements.csv?year={year}", headers=headers)
    assert f"gops-statement-{year}.csv" in named.headers["Content-Disposition"]
    error_of(client.get("/api/v1/me/statements.csv"), 401, "not_authenticated")


def test_earnings_give_one_point_per_period_whatever_the_roles(client, db, earning, api_headers):
    from app.proposals.terms import confirm_contribution, record_contribution

    proposal, (backer,), _h = earning(backers=((2,),), contributors=(4,))
    confirm_contribution(record_contribution(proposal, proposal.lead_expert, backer, kind="research", points=4),
                         backer)
    db.session.commit()
    pay_and_distribute(file_report(proposal, revenue_amount=1_000_000, start=START, end=END))
    data = client.get("/api/v1/me/earnings", headers=api_headers(backer)).get_json()
    (item,) = data["items"]
    assert item["proposal_id"] == proposal.id and item["roles"] == ["backer", "contributor"]
    assert item["series"] == [{"period_end": END.isoformat(), "amount": wallet_balance(backer)}]
    assert item["total_amount"] == data["total_amount"] == wallet_balance(backer) and item["next_due_on"]
    proposer = client.get("/api/v1/me/earnings", headers=api_headers(proposal.idea.author)).get_json()
    assert proposer["items"][0]["roles"] == ["proposer"] and proposer["total_amount"] == 20_000


def test_the_portfolio_shows_what_the_units_earned(client, db, paid, api_headers):
    proposal, (big, small), _h = paid
    (item,) = client.get("/api/v1/me/portfolio", headers=api_headers(small)).get_json()["items"]
    assert (item["invested_amount"], item["received_amount"], item["multiple_bp"]) == (10_000, 20_000, 20_000)
    assert item["payment_health"]["state"] == "on_time" and item["payment_health"]["reports"] == 2
    assert item["proposal"]["id"] == proposal.id


def test_the_commons_fund_shows_every_movement(client, db, paid):
    from app.extensions import db as _db

    commons = _db.session.scalars(sa.select(DistributionLine.gross_amount).where(DistributionLine.role == "commons"))
    expected = sum(commons)
    data = client.get("/api/v1/commons?per_page=1").get_json()
    assert data["balance_amount"] == data["inflow_amount"] == expected == balance(find_account("commons_fund"))
    assert data["outflow_amount"] == 0 and data["currency"] == "KRW"
    movements = data["movements"]
    assert movements["total"] == 2 and len(movements["items"]) == 1 and movements["has_next"]
    (newest,) = movements["items"]
    assert newest["direction"] == "in" and newest["kind"] == "revenue.commons"
    assert newest["report"]["period_end"] == END.isoformat() and newest["report"]["proposal"]["id"] == paid[0].id
    assert sum(m["in_amount"] for m in data["monthly"]) == expected
    error_of(client.get("/api/v1/commons?page=0"), 400, "invalid_page")


# payouts
@pytest.fixture
def rich(db, paid, api_headers):
    """The bigger backer (60,000 won in the wallet) and their headers."""
    backer = paid[1][0]
    return backer, api_headers(backer)


def _no_full_number(*responses):
    for response in responses:
        body = response.get_data(as_text=True)
        assert NUMBER not in body and NUMBER.replace("-", "") not in body, body


def test_a_payout_is_held_masked_decided_and_the_number_shown_only_in_the_queue(client, db, rich, steward_headers):
    backer, headers = rich
    asked = client.post("/api/v1/me/payouts", json={**BANK, "amount": 50_000}, headers=headers)
    assert asked.status_code == 201, asked.get_json()
    payout = asked.get_json()
    assert (payout["status"], payout["amount"], payout["account_masked"]) == ("requested", 50_000, "***-****-**78-91")
    assert payout["bank_name"] and payout["holder_name"] == "김시민" and "account_number" not in payout
    wallet = client.get("/api/v1/me/wallet", headers=headers)
    assert (wallet.get_json()["balance_amount"], wallet.get_json()["held_amount"]) == (10_000, 50_000)
    queue = client.get("/api/v1/payouts", headers=steward_headers)
    (waiting,) = queue.get_json()["items"]
    assert waiting["account_number"] == NUMBER and waiting["can_decide"] is True
    assert waiting["user"]["id"] == backer.id
    error_of(client.get("/api/v1/payouts", headers=headers), 403, "not_steward")
    error_of(client.get("/api/v1/payouts?status=waiting", headers=steward_headers), 400, "invalid_status")
    url = f"/api/v1/payouts/{payout['id']}/paid"
    error_of(client.post(url, json={"reference": "NH 1"}, headers=headers), 403, "not_steward")
    error_of(client.post(url, json={}, headers=steward_headers), 422, "validation_failed")
    done = client.post(url, json={"reference": "NH 20261202-0001"}, headers=steward_headers)
    assert done.status_code == 200
    assert (done.get_json()["status"], done.get_json()["reference"]) == ("paid", "NH 20261202-0001")
    assert done.get_json()["account_number"] is None
    error_of(client.post(url, json={"reference": "NH 2"}, headers=steward_headers), 409, "already_decided")
    history = client.get("/api/v1/payouts?status=paid", headers=steward_headers)
    assert [p["id"] for p in history.get_json()["items"]] == [payout["id"]]
    assert client.get("/api/v1/payouts", headers=steward_headers).get_json()["items"] == []
    statements = client.get("/api/v1/me/statements", headers=headers)
    _no_full_number(asked, wallet, done, history, statements, client.get("/api/v1/me/wallet", headers=headers))
    assert wallet_balance(backer) == 10_000 and ledger_violations() == []


def test_a_rejected_or_cancelled_payout_returns_to_the_wallet(client, db, rich, create_user, api_headers,
                                                             steward_headers):
    backer, headers = rich
    first = client.post("/api/v1/me/payouts", json={**BANK, "amount": 30_000}, headers=headers).get_json()
    url = f"/api/v1/payouts/{first['id']}/reject"
    error_of(client.post(url, json={"reason": ""}, headers=steward_headers), 422, "validation_failed")
    rejected = client.post(url, json={"reason": "예금주 이름이 다릅니다."}, headers=steward_headers)
    assert rejected.get_json()["status"] == "rejected" and rejected.get_json()["reason"] == "예금주 이름이 다릅니다."
    assert wallet_balance(backer) == 60_000
    second = client.post("/api/v1/me/payouts", json={**BANK, "amount": 60_000}, headers=headers).get_json()
    cancel = f"/api/v1/me/payouts/{second['id']}/cancel"
    error_of(client.post(cancel, headers=api_headers(create_user())), 404, "payout_not_found")
    error_of(client.post(cancel, headers=steward_headers), 404, "payout_not_found")
    done = client.post(cancel, headers=headers)
    assert done.status_code == 200 and done.get_json()["status"] == "cancelled"
    error_of(client.post(cancel, headers=headers), 409, "already_decided")
    error_of(client.post(url, json={"reason": "다시"}, headers=steward_headers), 409, "already_decided")
    _no_full_number(rejected, done)
    assert wallet_balance(backer) == 60_000 and ledger_violations() == []


def test_nobody_decides_their_own_payout(client, db, rich):
    from app.auth.operations import grant_role
    from app.core.security import Role

    backer, headers = rich
    payout = client.post("/api/v1/me/payouts", json={**BANK, "amount": 20_000}, headers=headers).get_json()
    grant_role(backer, Role("steward"))
    db.session.commit()
    (mine,) = client.get("/api/v1/payouts", headers=headers).get_json()["items"]
    assert mine["can_decide"] is False
    error_of(client.post(f"/api/v1/payouts/{payout['id']}/paid", json={"reference": "self"}, headers=headers), 403,
             "party_to_matter")
    error_of(client.post(f"/api/v1/payouts/{payout['id']}/reject", json={"reason": "self"}, headers=headers), 403,
             "party_to_matter")
    assert db.session.get(Payout, payout["id"]).status == "requested" and ledger_violations() == []


BAD_PAYOUTS = [
    ({"amount": 60_001}, 409, "over_balance", None),
    ({"amount": 9_999}, 422, "validation_failed", "amount"),
    ({"amount": 0}, 422, "validation_failed", "amount"),
    ({"amount": -10_000}, 422, "validation_failed", "amount"),
    ({"amount": 20_000.5}, 400, "invalid_type", "amount"),
    ({"amount": True}, 400, "invalid_type", "amount"),
    ({"amount": "20000"}, 400, "invalid_type", "amount"),
    ({"bank_code": "999"}, 422, "validation_failed", "bank_code"),
    ({"bank_code": None}, 422, "validation_failed", "bank_code"),
    ({"account_number": "12-34"}, 422, "validation_failed", "account_number"),
    ({"account_number": "1234567890123456789"}, 422, "validation_failed", "account_number"),
    ({"account_number": "302--1234-5678"}, 422, "validation_failed", "account_number"),
    ({"holder_name": ""}, 422, "validation_failed", "holder_name"),
    ({"holder_name": "<script>"}, 422, "validation_failed", "holder_name"),
    ({"method": "cash"}, 422, "validation_failed", "method"),
    ({"method": None}, 422, "validation_failed", "method"),
    ({"method": "connect", "connected_account": "acct_!"}, 422, "validation_failed", "connected_account"),
    ({"user_id": 1}, 400, "unknown_fields", "user_id"),
]


def test_bad_payouts_are_refused_and_nothing_is_held(client, db, rich):
    backer, headers = rich
    for changes, status, code, field in BAD_PAYOUTS:
        body = {**BANK, "amount": 20_000, **changes}
        response = client.post("/api/v1/me/payouts", json=body, headers=headers)
        error = error_of(response, status, code)
        assert field is None or field in error["fields"], (changes, error)
        _no_full_number(response)
    assert db.session.scalar(sa.select(sa.func.count(Payout.id))) == 0
    assert wallet_balance(backer) == 60_000 and ledger_violations() == []


def test_someone_without_money_or_unverified_cannot_ask(client, db, paid, create_user, api_headers):
    error_of(client.post("/api/v1/me/payouts", json={**BANK, "amount": 20_000},
                         headers=api_headers(create_user())), 409, "over_balance")
    error_of(client.post("/api/v1/me/payouts", json={**BANK, "amount": 20_000},
                         headers=api_headers(create_user(verified=False))), 403, "not_verified")
    error_of(client.post("/api/v1/me/payouts", json={**BANK, "amount": 20_000}), 401, "not_authenticated")
    assert db.session.scalar(sa.select(sa.func.count(Payout.id))) == 0


def test_a_retried_payout_request_is_held_once(client, db, rich):
    backer, headers = rich
    keyed = {**headers, "Idempotency-Key": "payout-1"}
    first = client.post("/api/v1/me/payouts", json={**BANK, "amount": 40_000}, headers=keyed)
    again = client.post("/api/v1/me/payouts", json={**BANK, "amount": 40_000}, headers=keyed)
    assert first.status_code == again.status_code == 201 and first.get_json() == again.get_json()
    error_of(client.post("/api/v1/me/payouts", json={**BANK, "amount": 10_000}, headers=keyed), 409,
             "idempotency_key_reused")
    _no_full_number(first, again)
    assert db.session.scalar(sa.select(sa.func.count(Payout.id))) == 1
    assert wallet_balance(backer) == 20_000 and ledger_violations() == []


@pytest.fixture
def connect(app, payments):
    """FakeStripeConnect (tests/fakes/stripe_connect.py): localstripe has no Connect, so its two transfer endpoints
    are served by a small local fake, reached through the same gateway."""
    from flask import current_app

    from tests.fakes.stripe_connect import serve

    url, fake, stop = serve()
    for each in (app, current_app._get_current_object()):
        each.config["STRIPE_CONNECT_BASE"] = url
        each.extensions.pop("gops_gateway", None)
    yield fake
    stop()


def test_a_connect_payout_is_sent_by_one_transfer(client, db, rich, connect, steward_headers):
    backer, headers = rich
    asked = client.post("/api/v1/me/payouts", json={"method": "connect", "connected_account": "acct_1GopsCitizen",
                                                    "amount": 30_000}, headers=headers)
    assert asked.status_code == 201 and asked.get_json()["method"] == "connect"
    bank = client.post("/api/v1/me/payouts", json={**BANK, "amount": 10_000}, headers=headers).get_json()
    url = f"/api/v1/payouts/{asked.get_json()['id']}/transfer"
    error_of(client.post(url, headers=headers), 403, "not_steward")
    error_of(client.post(f"/api/v1/payouts/{bank['id']}/transfer", headers=steward_headers), 409, "not_connect")
    sent = client.post(url, headers=steward_headers)
    assert sent.status_code == 200, sent.get_json()
    assert sent.get_json()["status"] == "paid" and sent.get_json()["reference"].startswith("tr_")
    error_of(client.post(url, headers=steward_headers), 409, "already_decided")
    (transfer,) = connect.transfers.values()
    assert (transfer["amount"], transfer["destination"]) == (30_000, "acct_1GopsCitizen")
    assert wallet_balance(backer) == 20_000 and ledger_violations() == []


def test_every_write_and_personal_read_needs_a_login(client, db):
    calls = [("post", "/api/v1/proposals/1/revenue-reports"), ("post", "/api/v1/revenue-reports/1/pool-paid"),
             ("post", "/api/v1/revenue-reports/1/reject"), ("get", "/api/v1/me/wallet"),
             ("get", "/api/v1/me/statements"), ("get", "/api/v1/me/statements.csv"), ("get", "/api/v1/me/earnings"),
             ("post", "/api/v1/me/payouts"), ("post", "/api/v1/me/payouts/1/cancel"), ("get", "/api/v1/payouts"),
             ("post", "/api/v1/payouts/1/paid"), ("post", "/api/v1/payouts/1/reject"),
             ("post", "/api/v1/payouts/1/transfer")]
    for method, url in calls:
        response = getattr(client, method)(url, json={})
        assert response.status_code == 401, (method, url, response.status_code)
        assert response.get_json()["error"]["code"] == "not_authenticated"


def test_the_openapi_document_names_every_distribution_path(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/proposals/{proposal_id}/revenue-reports", "/api/v1/revenue-reports/{report_id}/pool-paid",
                 "/api/v1/me/wallet", "/api/v1/me/statements", "/api/v1/me/statements.csv", "/api/v1/me/payouts",
                 "/api/v1/payouts/{payout_id}/paid", "/api/v1/commons", "/api/v1/proposals/{proposal_id}/revenue"):
        assert path in paths
    assert "text/csv" in paths["/api/v1/me/statements.csv"]["get"]["responses"]["200"]["content"]


def test_a_payout_asked_in_the_contracts_words_is_the_same(client, db, rich):
    backer, headers = rich
    short = {"amount": 20_000, "bank": BANK["bank_code"], "account_number": BANK["account_number"],
             "holder": BANK["holder_name"]}  # API.md: {amount, bank, account_number, holder}
    asked = client.post("/api/v1/me/payouts", json=short, headers=headers)
    assert asked.status_code == 201, asked.get_json()
    assert (asked.get_json()["method"], asked.get_json()["bank_code"], asked.get_json()["holder_name"]) == (
        "bank", BANK["bank_code"], BANK["holder_name"])
    assert wallet_balance(backer) == 40_000 and ledger_violations() == []
