"""The OpenAPI document's part for revenue sharing (app/api/revenue.py and app/api/wallet.py): reports, pools and their
distribution, payment health, the commons fund, wallets, statements, earnings and payouts. Added to the document in
app/api/openapi.py when the API loads."""
from app.api.openapi import (
    IDEMPOTENCY, KRW, PAGE, PATHS, PROPOSAL_ID, SCHEMAS, _op, _page_of, _path, _q, _ref, _when, _with,
)
from app.distribution.models import BANK_CODES

REPORT_ID, PAYOUT_ID = _path("report_id"), _path("payout_id")
REPORT_STATUS = ["reported", "pool_paid", "distributed", "rejected"]
PAYOUT_STATUS = ["requested", "paid", "rejected", "cancelled"]
ROLES = ["proposer", "contributor", "backer", "commons"]
HEALTH_STATES = ["none", "on_time", "late", "missed"]
DAY = {"type": "string", "format": "date"}
DAY_OR_NULL = {"type": "string", "format": "date", "nullable": True}
TEXT_OR_NULL = {"type": "string", "nullable": True}
INT = {"type": "integer"}
INT_OR_NULL = {"type": "integer", "nullable": True}
REFERENCE = {"type": "object", "required": ["reference"], "properties": {
    "reference": {"type": "string", "minLength": 2, "maxLength": 120, "description": "the bank transfer's reference"}}}
REASON = {"type": "object", "required": ["reason"], "properties": {
    "reason": {"type": "string", "minLength": 1, "maxLength": 500}}}
YEAR = _q("year", {"type": "integer", "minimum": 2000, "maximum": 2200}, "lines distributed in that year")
ROLE_AMOUNTS = {f"{role}_amount": INT for role in ROLES}


def _subject():
    return {"type": "object", "properties": {"type": {"type": "string", "description": "revenue_report, payout, ..."},
                                             "id": INT_OR_NULL}}


REVENUE_SCHEMAS = {
    "RoleAmounts": {"type": "object", "properties": ROLE_AMOUNTS},
    "Distribution": {"type": "object", "description": "the pool per role, never per person", "properties": {
        "status": {"type": "string", "enum": ["preview", "distributed"]}, "pool_amount": INT,
        "parts": {"allOf": [_ref("RoleAmounts")], "description": "the pool split by the terms' shares"},
        "by_role": {"type": "object", "nullable": True, "description":
                    "what each role receives (a part nobody can take goes to the commons fund): once distributed, "
                    "from its lines; before, for the proposal's lead expert only", "properties": {
                        **ROLE_AMOUNTS, "withheld_amount": INT,
                        "recipient_count": {"type": "integer", "description": "people and organizations paid"}}},
        "currency": KRW}},
    "ReportTerms": {"type": "object", "description": "the frozen share terms copied on the report", "properties": {
        **{k: INT for k in ("community_share_bp", "proposer_bp", "contributors_bp", "backers_bp", "commons_bp")},
        "backers_cap_multiple_bp": INT_OR_NULL,
        "withholding_bp": {**INT_OR_NULL, "description": "the rate applied when it was distributed"}}},
    "RevenueReport": {"type": "object", "properties": {
        "id": INT, "proposal": _ref("ProposalRef"), "period_start": DAY, "period_end": DAY,
        "revenue_amount": INT, "pool_amount": {**INT, "description": "revenue x community_share_bp / 10000, rounded "
                                                              "down"},
        "currency": KRW, "status": {"type": "string", "enum": REPORT_STATUS}, "status_label": {"type": "string"},
        "late": {"type": "boolean"}, "due_on": {**DAY_OR_NULL, "description": "null for a proposal's first report"},
        "terms": _ref("ReportTerms"), "rule": {"type": "string", "description": "the split rule in words"},
        "evidence_note": {"type": "string"}, "evidence_name": TEXT_OR_NULL,
        "paid_via": {"type": "string", "nullable": True, "enum": ["bank", "card", None]}, "paid_at": _when(),
        "distributed_at": _when(), "reason": {**TEXT_OR_NULL, "description": "why a steward rejected it"},
        "created_at": {"type": "string", "format": "date-time"},
        "payment_reference": {**TEXT_OR_NULL, "description": "the pool's transfer (its lead expert and stewards)"},
        "distribution": {"allOf": [_ref("Distribution")], "nullable": True}}},
    "RevenueReportInput": {"type": "object", "required": ["period_start", "period_end", "revenue_amount"],
                           "additionalProperties": False, "properties": {
        "period_start": DAY, "period_end": {**DAY, "description": "ended before today; periods never overlap"},
        "revenue_amount": {"type": "integer", "minimum": 0, "maximum": 10**13, "description": "whole won"},
        "evidence_note": {"type": "string", "maxLength": 5000},
        "evidence_file": {"type": "object", "nullable": True, "required": ["filename", "content_base64"],
                          "properties": {"filename": {"type": "string",
                                                      "description": ".pdf .png .jpg .csv .xlsx .txt"},
                                         "content_base64": {"type": "string", "description": "under 1.5 MB"}}}}},
    "PaymentHealth": {"type": "object", "properties": {
        "state": {"type": "string", "enum": HEALTH_STATES}, "on_time": INT, "late": INT,
        "missed": {**INT, "description": "periods whose report is overdue"}, "reports": INT,
        "next_due_on": DAY_OR_NULL}},
    "ProposalRevenue": {"type": "object", "properties": {
        "proposal": _ref("ProposalRef"), "health": _ref("PaymentHealth"),
        "reporting": {"type": "object", "properties": {"interval_months": INT, "grace_days": INT}},
        "revenue_amount": INT, "pool_amount": INT,
        "distributed": {"type": "object", "properties": {**ROLE_AMOUNTS, "withheld_amount": INT}}, "currency": KRW}},
    "CommonsMovement": {"type": "object", "properties": {
        "transaction_id": INT, "amount": {**INT, "description": "in: positive; out: negative"},
        "direction": {"type": "string", "enum": ["in", "out"]}, "kind": {"type": "string"}, "subject": _subject(),
        "report": {"type": "object", "nullable": True, "properties": {
            "id": INT, "proposal": _ref("ProposalRef"), "period_start": DAY, "period_end": DAY}},
        "created_at": {"type": "string", "format": "date-time"}, "currency": KRW}},
    "Commons": {"type": "object", "properties": {
        "balance_amount": INT, "inflow_amount": INT, "outflow_amount": INT, "currency": KRW,
        "movements": _page_of("CommonsMovement"),
        "monthly": {"type": "array", "items": {"type": "object", "properties": {
            "month": {"type": "string", "description": "YYYY-MM"}, "in_amount": INT, "out_amount": INT}}}}},
    "WalletEntry": {"type": "object", "properties": {
        "transaction_id": INT, "amount": INT, "kind": {"type": "string"},
        "role": {"type": "string", "nullable": True, "enum": [*ROLES, None]}, "subject": _subject(),
        "created_at": {"type": "string", "format": "date-time"}, "currency": KRW}},
    "Payout": {"type": "object", "properties": {
        "id": INT, "amount": INT, "currency": KRW, "status": {"type": "string", "enum": PAYOUT_STATUS},
        "status_label": {"type": "string"}, "method": {"type": "string", "enum": ["bank", "connect"]},
        "bank_code": TEXT_OR_NULL, "bank_name": TEXT_OR_NULL,
        "account_masked": {**TEXT_OR_NULL, "description": "all but the last four digits hidden"},
        "holder_name": TEXT_OR_NULL, "connected_account": TEXT_OR_NULL, "reference": TEXT_OR_NULL,
        "reason": TEXT_OR_NULL, "created_at": {"type": "string", "format": "date-time"}, "decided_at": _when(),
        "user": {"allOf": [_ref("UserPublic")], "description": "stewards' views"},
        "can_decide": {"type": "boolean", "description": "stewards' views: not a party to it"},
        "account_number": {**TEXT_OR_NULL, "description": "the stewards' queue only, while the payout waits"}}},
    "PayoutInput": {"type": "object", "required": ["amount", "method"], "additionalProperties": False,
                    "properties": {
        "amount": {"type": "integer", "minimum": 1, "maximum": 10**13,
                   "description": "whole won, at least the smallest payout and at most the balance"},
        "method": {"type": "string", "enum": ["bank", "connect"]},
        "bank_code": {"type": "string", "enum": list(BANK_CODES),
                      "description": "bank: the KFTC code of the bank (004 KB국민은행, 011 NH농협은행 ...)"},
        "account_number": {"type": "string", "minLength": 10, "maxLength": 20, "pattern": "^[0-9]+(-[0-9]+)*$",
                           "description": "bank: 10 to 16 digits, dashes allowed"},
        "holder_name": {"type": "string", "minLength": 2, "maxLength": 40, "description": "bank: as the bank has it"},
        "bank": {"type": "string", "enum": list(BANK_CODES), "description": "the same as bank_code (API.md's name)"},
        "holder": {"type": "string", "minLength": 2, "maxLength": 40, "description": "the same as holder_name"},
        "connected_account": {"type": "string", "pattern": "^acct_[A-Za-z0-9]{6,40}$",
                              "description": "connect: the connected Stripe account"}}},
    "Wallet": {"type": "object", "properties": {
        "balance_amount": INT, "held_amount": {**INT, "description": "asked for, not yet paid"},
        "payout_min_amount": INT, "currency": KRW, "entries": _page_of("WalletEntry"),
        "payouts": {"type": "array", "items": _ref("Payout"), "description": "the latest 50"}}},
    "StatementLine": {"type": "object", "properties": {
        "id": INT, "report_id": INT, "proposal": _ref("ProposalRef"), "period_start": DAY, "period_end": DAY,
        "distributed_at": _when(), "revenue_amount": INT, "pool_amount": INT,
        "rule": {"type": "string", "description": "the split rule in words"}, "community_share_bp": INT,
        "role_bp": {**INT, "description": "the role's share of the pool"}, "backers_cap_multiple_bp": INT_OR_NULL,
        "withholding_bp": INT_OR_NULL, "role": {"type": "string", "enum": ROLES},
        "weight": {**INT, "description": "points (contributors), units (backers), 1 (proposer)"},
        "weight_total": INT, "gross_amount": INT, "withheld_amount": INT, "net_amount": INT,
        "cap_amount": {**INT_OR_NULL, "description": "backers under a cap: the most they may receive"},
        "received_total_amount": {**INT_OR_NULL, "description": "backers: received from the proposal so far, gross"},
        "currency": KRW}},
    "Statement": {"allOf": [_page_of("StatementLine"), {"type": "object", "properties": {
        "year": INT_OR_NULL,
        "totals": {"type": "object", "properties": {"gross_amount": INT, "withheld_amount": INT, "net_amount": INT,
                                                     "lines": INT, "currency": KRW}},
        "annual_summary": {"type": "array", "items": {"type": "object", "properties": {
            "year": INT, "gross_amount": INT, "withheld_amount": INT, "net_amount": INT, "lines": INT,
            "currency": KRW}}},
        "currency": KRW}}]},
    "Earnings": {"type": "object", "properties": {
        "items": {"type": "array", "items": {"type": "object", "properties": {
            "proposal_id": INT, "title": {"type": "string"},
            "roles": {"type": "array", "items": {"type": "string", "enum": ROLES}}, "total_amount": INT,
            "next_due_on": DAY_OR_NULL, "currency": KRW,
            "series": {"type": "array", "items": {"type": "object", "properties": {
                "period_end": DAY, "amount": INT}}}}}},
        "total_amount": INT, "currency": KRW}},
}

CSV = {"description": "CSV, UTF-8 with a byte-order mark: a header row, one row per line",
       "content": {"text/csv": {"schema": {"type": "string"}}}}


def _csv(op):
    op["responses"]["200"] = CSV
    return op


REVENUE_PATHS = {
    "/api/v1/proposals/{proposal_id}/revenue-reports": {
        "post": _op("Report a period's revenue (the lead expert of a proposal in a testbed or on the market, on its "
                    "frozen terms) → 201, with what each role would receive once the pool is paid in; 409 "
                    "not_earning, overlapping_period", "201", _ref("RevenueReport"), _ref("RevenueReportInput"),
                    [PROPOSAL_ID, IDEMPOTENCY], True, ["distribution"]),
        "get": _op("A proposal's revenue reports, newest period first: pools, status, due dates, late flags and "
                   "amounts per role (never per person)", schema=_page_of("RevenueReport"),
                   params=[PROPOSAL_ID, *PAGE], tags=["distribution"])},
    "/api/v1/revenue-reports/{report_id}": {"get": _op(
        "One report with its distribution per role (for its lead expert, before distribution: a preview)",
        schema=_ref("RevenueReport"), params=[REPORT_ID], tags=["distribution"])},
    "/api/v1/proposals/{proposal_id}/revenue": {"get": _op(
        "A proposal's payment health (reports on time, late, missed; the next report due), its reporting rules and "
        "totals", schema=_ref("ProposalRevenue"), params=[PROPOSAL_ID], tags=["distribution"])},
    "/api/v1/revenue-reports/{report_id}/pool-paid": {"post": _op(
        "The team's transfer of the pool arrived (a steward who is not a party): recorded and distributed at once "
        "into wallets and the commons fund; 409 already_paid", schema=_ref("RevenueReport"), body=REFERENCE,
        params=[REPORT_ID], auth=True, tags=["distribution"])},
    "/api/v1/revenue-reports/{report_id}/reject": {"post": _op(
        "Reject a report whose pool is not paid in, saying why (a steward who is not a party); the team files again",
        schema=_ref("RevenueReport"), body=REASON, params=[REPORT_ID], auth=True, tags=["distribution"])},
    "/api/v1/commons": {"get": _op(
        "The commons fund: balance, inflow, outflow, its movements (newest first) and a series per month",
        schema=_ref("Commons"), params=PAGE, tags=["distribution"])},
    "/api/v1/me/wallet": {"get": _op(
        "My wallet: balance, what is held for payouts I asked for, entries (newest first) and my latest payouts",
        schema=_ref("Wallet"), params=PAGE, auth=True, tags=["distribution"])},
    "/api/v1/me/statements": {"get": _op(
        "My itemised revenue-share lines (revenue, pool, the rule, my weight and part, withholding, received against "
        "the cap), their totals and a summary per year", schema=_ref("Statement"), params=[YEAR, *PAGE], auth=True,
        tags=["distribution"])},
    "/api/v1/me/statements.csv": {"get": _csv(_op(
        "The same lines as a CSV download (opens in Excel)", params=[YEAR], auth=True, tags=["distribution"]))},
    "/api/v1/me/earnings": {"get": _op(
        "Per proposal I earn from: my roles, what I received (net), a series per period, the next report due",
        schema=_ref("Earnings"), auth=True, tags=["distribution"])},
    "/api/v1/me/payouts": {"post": _op(
        "Ask to pay out part or all of my balance to a Korean bank account (or a connected Stripe account): held at "
        "once, never past the balance (409 over_balance); the number comes back masked", "201", _ref("Payout"),
        _ref("PayoutInput"), [IDEMPOTENCY], True, ["distribution"])},
    "/api/v1/me/payouts/{payout_id}/cancel": {"post": _op(
        "Take back my payout while no steward has decided it: the money returns to the wallet",
        schema=_ref("Payout"), params=[PAYOUT_ID], auth=True, tags=["distribution"])},
    "/api/v1/payouts": {"get": _op(
        "Payouts in one state (stewards): ?status=requested, the default, is the queue, oldest first, with each "
        "account number whole while it waits", schema=_page_of("Payout"),
        params=[_q("status", {"type": "string", "enum": PAYOUT_STATUS}), *PAGE], auth=True, tags=["distribution"])},
    "/api/v1/payouts/{payout_id}/paid": {"post": _op(
        "Record the bank transfer that paid it (a steward who is not a party); the account number is erased",
        schema=_ref("Payout"), body=REFERENCE, params=[PAYOUT_ID], auth=True, tags=["distribution"])},
    "/api/v1/payouts/{payout_id}/reject": {"post": _op(
        "Refuse it, saying why (a steward who is not a party): the money goes back to the wallet",
        schema=_ref("Payout"), body=REASON, params=[PAYOUT_ID], auth=True, tags=["distribution"])},
    "/api/v1/payouts/{payout_id}/transfer": {"post": _with(_op(
        "Send a Stripe Connect payout (a steward who is not a party): one transfer however often asked; 409 "
        "not_connect for a bank payout", schema=_ref("Payout"), params=[PAYOUT_ID], auth=True, tags=["distribution"]),
        "502", _ref("Error"), "transfer_failed: the processor refused; the payout still waits")},
}

SCHEMAS.update(REVENUE_SCHEMAS)
PATHS.update(REVENUE_PATHS)
# the portfolio's revenue figures (app/api/pledges.py)
SCHEMAS["Holding"]["properties"] |= {
    "received_amount": {**INT, "description": "won the units have earned so far (gross)"},
    "multiple_bp": {**INT_OR_NULL, "description": "received / invested, in basis points (10000 = 1x)"},
    "payment_health": _ref("PaymentHealth")}
