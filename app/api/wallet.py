"""API: a person's wallet, itemised statements (JSON and CSV), the earnings dashboard, and payouts.

A payout request holds its amount at once (wallet -> payout hold), so requests never pass the balance; a steward who
is not a party pays it (a bank transfer's reference, or a Stripe Connect transfer) or rejects it (back to the
wallet). The account number is echoed to nobody: its owner sees it masked, and stewards see it whole only in their
queue while the payout waits. Money is integer won, with "currency": "KRW" on the object that holds it.
"""
import csv
import io

from flask import Response, jsonify, request
from flask_babel import lazy_gettext as _l

from app.api import bp
from app.api.auth import get_or_404, json_body, refuse_unknown, require_user, validation_is_422
from app.api.serializers import capped_page_json, iso, page_json, proposal_ref_json, user_public_json
from app.core.errors import InvalidInput, NotFound, PermissionDenied
from app.core.forms import api_form
from app.core.idempotency import commit, idempotent
from app.core.pagination import page_args, paginate
from app.core.parties import is_party
from app.distribution import payouts, queries, workflows
from app.distribution.forms import PayoutDecisionForm, PayoutForm, ReasonForm
from app.distribution.models import Payout
from app.distribution.parameters import payout_min_amount
from app.distribution.presenting import rule_in_words
from app.distribution.states import PayoutStatus
from app.extensions import db

PAYOUT_FIELDS = ("amount", "method", "bank_code", "account_number", "holder_name", "connected_account")
#: the contract's short names (API.md: `{amount, bank, account_number, holder}`), accepted for the long ones
PAYOUT_ALIASES = {"bank": "bank_code", "holder": "holder_name"}
#: a line's role -> the report's share of the pool for it
ROLE_BP = {"proposer": "proposer_bp", "contributor": "contributors_bp", "backer": "backers_bp", "commons": "commons_bp"}
CSV_COLUMNS = ("report_id", "proposal_id", "proposal_title", "period_start", "period_end", "distributed_at",
               "revenue_amount", "pool_amount", "rule", "community_share_bp", "role", "role_bp", "weight",
               "weight_total", "gross_amount", "withheld_amount", "net_amount", "cap_amount",
               "received_total_amount", "currency")
#: a spreadsheet runs a cell that starts with one of these as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# shapes
def payout_json(payout: Payout, *, for_steward: bool = False, viewer=None) -> dict:
    """A payout: amount, where it goes (the account number masked), where it stands; for stewards also who asked,
    whether they may decide it, and the whole number while it waits (they need it to transfer)."""
    data = {"id": payout.id, "amount": payout.amount, "currency": "KRW", "status": payout.status,
            "status_label": str(payout.status_label), "method": payout.method, "bank_code": payout.bank_code,
            "bank_name": payout.bank_name or None, "account_masked": payout.account_masked,
            "holder_name": payout.holder_name, "connected_account": payout.connected_account,
            "reference": payout.reference, "reason": payout.reason, "created_at": iso(payout.created_at),
            "decided_at": iso(payout.decided_at)}
    if for_steward:
        data |= {"user": user_public_json(payout.user), "can_decide": not is_party(payout, viewer),
                 "account_number": payout.account_number if payout.status == PayoutStatus.REQUESTED.value else None}
    return data


def entry_json(row) -> dict:
    """One movement of the wallet: a revenue share in, money held for a payout, money returned."""
    kind, _sep, ident = (row.reference or "").partition(":")
    role = row.kind.split(".", 1)[1] if row.kind.startswith("revenue.") else None
    return {"transaction_id": row.id, "amount": row.amount, "kind": row.kind, "role": role,
            "subject": {"type": kind, "id": int(ident) if ident.isdigit() else None},
            "created_at": iso(row.created_at), "currency": "KRW"}


def line_json(row) -> dict:
    """One statement line: the report's revenue and pool, the rule in words and in numbers, the person's weight and
    part, withholding, and for backers the cap and what they have received from the proposal so far."""
    line, report = row.line, row.line.report
    return {"id": line.id, "report_id": report.id, "proposal": proposal_ref_json(report.proposal),
            "period_start": report.period_start.isoformat(), "period_end": report.period_end.isoformat(),
            "distributed_at": iso(report.distributed_at), "revenue_amount": report.revenue_amount,
            "pool_amount": report.pool_amount, "rule": rule_in_words(report),
            "community_share_bp": report.community_share_bp, "role_bp": getattr(report, ROLE_BP[line.role]),
            "backers_cap_multiple_bp": report.backers_cap_multiple_bp, "withholding_bp": report.withholding_bp,
            "role": line.role, "weight": line.weight, "weight_total": line.weight_total,
            "gross_amount": line.gross_amount, "withheld_amount": line.withheld_amount,
            "net_amount": line.net_amount, "cap_amount": line.cap_amount,
            "received_total_amount": row.received_total_amount if line.role == "backer" else None,
            "currency": "KRW"}


# lookups and input
def _year() -> int | None:
    raw = request.args.get("year") or None
    if raw is None:
        return None
    if not raw.isdigit() or not 2000 <= int(raw) <= 2200:
        msg = str(_l("Give a year from 2000 to 2200."))
        raise InvalidInput(msg, code="invalid_year", fields={"year": [msg]})
    return int(raw)


def _own_payout(payout_id, user) -> Payout:
    payout = get_or_404(Payout, payout_id, code="payout_not_found")
    if payout.user_id != user.id:
        raise NotFound(code="payout_not_found")
    return payout


def _steward():
    """The acting user, if a steward (whether they are a party is the operation's question)."""
    user = require_user()
    if not user.has_role("steward"):
        raise PermissionDenied(_l("Only stewards can do this."), code="not_steward")
    return user


# wallet, statements, earnings
@bp.get("/me/wallet")
def get_wallet():
    """My balance, what is held for payouts I asked for, my entries (newest first, paginated) and my latest payouts."""
    user = require_user()
    wallet = queries.wallet(user)
    page, per_page = page_args()
    stmt = queries.wallet_entries_query(user.id)
    pagination = paginate(stmt, page, per_page,
                          rows=lambda limit, offset: db.session.execute(stmt.limit(limit).offset(offset)).all())
    return jsonify({"balance_amount": wallet["balance_amount"], "held_amount": wallet["held_amount"],
                    "payout_min_amount": payout_min_amount(), "currency": "KRW",
                    "entries": capped_page_json([entry_json(r) for r in pagination.items], pagination),
                    "payouts": [payout_json(p) for p in wallet["payouts"]]})


@bp.get("/me/statements")
def get_statements():
    """My itemised revenue-share lines (`?year=`: distributed that year), newest first and paginated, their totals,
    and a summary per year."""
    user = require_user()
    year = _year()
    page, per_page = page_args()
    rows = queries.statement(user.id, year)
    shown = rows[(page - 1) * per_page: page * per_page]
    totals = {key: sum(getattr(r.line, key) for r in rows) for key in ("gross_amount", "withheld_amount", "net_amount")}
    return jsonify({**page_json([line_json(r) for r in shown], page, per_page, len(rows)), "year": year,
                    "totals": {**totals, "lines": len(rows), "currency": "KRW"},
                    "annual_summary": [{**y, "currency": "KRW"} for y in queries.annual_summary(user.id)],
                    "currency": "KRW"})


def _cell(value):
    """A spreadsheet cell: text that would start a formula is quoted (a proposal titled "=HYPERLINK(...)")."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


@bp.get("/me/statements.csv")
def get_statements_csv():
    """The same lines as CSV (UTF-8 with a BOM, so Excel reads Korean): a header row, one row per line."""
    user = require_user()
    year = _year()
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in queries.statement(user.id, year):
        data = line_json(row)
        data |= {"proposal_id": data["proposal"]["id"], "proposal_title": data["proposal"]["title"]}
        writer.writerow([_cell(data[column]) for column in CSV_COLUMNS])
    name = f"gops-statement-{year}.csv" if year else "gops-statement.csv"
    return Response(out.getvalue().encode("utf-8"), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/me/earnings")
def get_earnings():
    """Per proposal I earn from: my roles, what I received (net), a series per period's end, the next report due."""
    user = require_user()
    items = []
    for entry in queries.earnings_by_proposal(user.id):
        per_end: dict[str, int] = {}
        for point in entry["points"]:  # one point per period, whatever roles paid in it
            per_end[point["period_end"]] = per_end.get(point["period_end"], 0) + point["amount"]
        items.append({"proposal_id": entry["proposal_id"], "title": entry["title"], "roles": entry["roles"],
                      "total_amount": entry["total_amount"], "next_due_on": entry["next_due_on"],
                      "series": [{"period_end": end, "amount": amount} for end, amount in sorted(per_end.items())],
                      "currency": "KRW"})
    return jsonify({"items": items, "total_amount": sum(i["total_amount"] for i in items), "currency": "KRW"})


# payouts
@bp.post("/me/payouts")
@validation_is_422
@idempotent
def post_payout():
    """Ask for `{amount, bank, account_number, holder}` (also spelt bank_code, holder_name; method "bank" unless
    given) or `{amount, method: connect, connected_account}` of my wallet → 201 payout, held at once (never past
    the balance), the number masked."""
    user = require_user()
    payload = json_body()
    if isinstance(payload, dict):
        payload = {PAYOUT_ALIASES.get(k, k): v for k, v in payload.items()}
        payload.setdefault("method", "bank")
    refuse_unknown(payload, PAYOUT_FIELDS)
    form = api_form(PayoutForm, payload)
    payout = payouts.request_payout(user, form.amount.data, method=form.method.data,
                                    bank_code=form.bank_code.data or None, account_number=form.account_number.data,
                                    holder_name=form.holder_name.data, connected_account=form.connected_account.data)
    commit()
    return jsonify(payout_json(payout)), 201


@bp.post("/me/payouts/<int:payout_id>/cancel")
@validation_is_422
def cancel_my_payout(payout_id):
    """Take back a payout no steward has decided yet: the money returns to the wallet."""
    user = require_user()
    payout = _own_payout(payout_id, user)
    payouts.cancel_payout(payout, user)
    db.session.commit()
    return jsonify(payout_json(payout))


@bp.get("/payouts")
def list_payouts():
    """Payouts in one state (`?status=requested`, the default: the stewards' queue, oldest first, with the whole
    account number while each waits); stewards only."""
    user = _steward()
    status = request.args.get("status") or PayoutStatus.REQUESTED.value
    if status not in {s.value for s in PayoutStatus}:
        msg = str(_l("Unknown status."))
        raise InvalidInput(msg, code="invalid_status", fields={"status": [msg]})
    page, per_page = page_args()
    pagination = paginate(queries.payouts_query(status), page, per_page)
    return jsonify(capped_page_json([payout_json(p, for_steward=True, viewer=user) for p in pagination.items],
                                    pagination))


@bp.post("/payouts/<int:payout_id>/paid")
@validation_is_422
def post_payout_paid(payout_id):
    """A steward who is not a party made the bank transfer `{reference}`: paid (the account number is erased)."""
    user = _steward()
    payout = get_or_404(Payout, payout_id, code="payout_not_found")
    form = api_form(PayoutDecisionForm, json_body())
    payouts.mark_paid(payout, user, form.reference.data)
    db.session.commit()
    return jsonify(payout_json(payout, for_steward=True, viewer=user))


@bp.post("/payouts/<int:payout_id>/reject")
@validation_is_422
def post_payout_rejection(payout_id):
    """A steward who is not a party refuses `{reason}`: the money goes back to the wallet."""
    user = _steward()
    payout = get_or_404(Payout, payout_id, code="payout_not_found")
    form = api_form(ReasonForm, json_body())
    payouts.reject_payout(payout, user, form.reason.data)
    db.session.commit()
    return jsonify(payout_json(payout, for_steward=True, viewer=user))


@bp.post("/payouts/<int:payout_id>/transfer")
@validation_is_422
def post_payout_transfer(payout_id):
    """A steward who is not a party sends a Stripe Connect payout (one transfer, however often asked); 502
    transfer_failed: the processor refused, the payout still waits."""
    user = _steward()
    payout = get_or_404(Payout, payout_id, code="payout_not_found")
    workflows.pay_by_transfer(payout, user)
    return jsonify(payout_json(payout, for_steward=True, viewer=user))
