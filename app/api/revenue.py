"""API: revenue reports, the pool paid in and distributed, a proposal's payment health, and the commons fund.

A report is filed by the proposal's lead expert on its frozen share terms; a steward who is not a party records the
team's transfer of the pool, and the pool is split at once by `app.proposals.revenue_split` (the same split the
proposal page's worked example shows). The public sees reports, pools, due dates and amounts per role, never per
person; the lead expert also sees what each role would receive before the pool is paid in. Money is integer won,
with "currency": "KRW" on the object that holds it.
"""
from flask import jsonify, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.api import bp
from app.api.auth import created, get_or_404, json_body, refuse_unknown, require_user, validation_is_422
from app.api.serializers import capped_page_json, iso, proposal_ref_json
from app.core.errors import PermissionDenied
from app.core.forms import api_form
from app.core.idempotency import commit, idempotent
from app.core.pagination import page_args, paginate
from app.distribution import queries
from app.distribution.forms import PoolPaidForm, ReasonForm, RevenueReportForm
from app.distribution.models import RevenueReport
from app.distribution.operations import decode_evidence, pay_in_and_distribute, reject_report, report_revenue, split_for
from app.distribution.parameters import report_grace_days, report_interval_months
from app.distribution.presenting import rule_in_words
from app.distribution.states import ReportStatus
from app.extensions import db
from app.proposals.models import Proposal
from app.proposals.revenue_split import ROLES, split_pool

REPORT_FIELDS = ("period_start", "period_end", "revenue_amount", "evidence_note", "evidence_file")
TERM_FIELDS = ("community_share_bp", "proposer_bp", "contributors_bp", "backers_bp", "commons_bp",
               "backers_cap_multiple_bp", "withholding_bp")
#: the report's statuses whose pool is not distributed yet: what each role would get is a preview
UNDISTRIBUTED = (ReportStatus.REPORTED.value, ReportStatus.POOL_PAID.value)


# shapes
def _day(value) -> str | None:
    return value.isoformat() if value is not None else None


def health_json(health: dict) -> dict:
    """A proposal's payment health: reports on time and late, periods missed, the next report's due date."""
    return {"state": health["state"], "on_time": health["on_time"], "late": health["late"],
            "missed": health["missed"], "reports": health["reports"], "next_due_on": _day(health["next_due_on"])}


def _amounts(per_role: dict) -> dict:
    return {f"{role}_amount": int(per_role.get(role, 0)) for role in ROLES}


def distribution_json(report: RevenueReport, totals: dict | None = None, split=None) -> dict | None:
    """The pool per role: `parts` by the terms, and `by_role` what each role receives (once distributed, from its
    lines; before, only when `split` previews it). Never per person. None for a rejected report."""
    if report.status == ReportStatus.REJECTED.value:
        return None
    parts = split_pool(report.revenue_amount, report.terms, proposer=None, contributors=[], backers=[]).parts
    by_role = None
    if report.status == ReportStatus.DISTRIBUTED.value:
        totals = totals or {}
        by_role = {**_amounts(totals), "withheld_amount": int(totals.get("withheld", 0)),
                   "recipient_count": int(totals.get("people", 0))}
    elif split is not None:
        by_role = {**_amounts({role: split.total(role) for role in ROLES}), "withheld_amount": split.withheld_amount,
                   "recipient_count": sum(1 for line in split.lines if line.role != "commons")}
    return {"status": "distributed" if report.status == ReportStatus.DISTRIBUTED.value else "preview",
            "pool_amount": report.pool_amount, "parts": _amounts(parts), "by_role": by_role, "currency": "KRW"}


def report_json(report: RevenueReport, viewer=None, *, totals: dict | None = None, split=None) -> dict:
    """A revenue report: its period, revenue, pool, the copied terms and the rule in words, where it stands (late or
    on time, paid in, distributed) and its distribution per role; the transfer's reference for its lead and stewards."""
    data = {"id": report.id, "proposal": proposal_ref_json(report.proposal),
            "period_start": _day(report.period_start), "period_end": _day(report.period_end),
            "revenue_amount": report.revenue_amount, "pool_amount": report.pool_amount, "currency": "KRW",
            "status": report.status, "status_label": str(report.status_label), "late": report.late,
            "due_on": _day(report.due_on), "terms": {k: getattr(report, k) for k in TERM_FIELDS},
            "rule": rule_in_words(report), "evidence_note": report.evidence_note,
            "evidence_name": report.evidence_name, "paid_via": report.paid_via, "paid_at": iso(report.paid_at),
            "distributed_at": iso(report.distributed_at), "reason": report.reason, "created_at": iso(report.created_at),
            "distribution": distribution_json(report, totals, split)}
    if viewer is not None and viewer.is_authenticated and (report.proposal.is_lead(viewer)
                                                          or viewer.has_role("steward")):
        data["payment_reference"] = report.payment_reference
    return data


def _preview(report: RevenueReport, viewer):
    """What each role would receive now, for the proposal's lead expert while the pool is not distributed."""
    if report.status in UNDISTRIBUTED and report.proposal.is_lead(viewer):
        return split_for(report)
    return None


def _report(report_id) -> RevenueReport:
    return get_or_404(RevenueReport, report_id, code="report_not_found")


def _steward(user) -> None:
    if not user.has_role("steward"):
        raise PermissionDenied(_l("Only stewards can do this."), code="not_steward")


# reports
@bp.post("/proposals/<int:proposal_id>/revenue-reports")
@validation_is_422
@idempotent
def post_revenue_report(proposal_id):
    """The lead expert reports a period's revenue `{period_start, period_end, revenue_amount, evidence_note?,
    evidence_file?: {filename, content_base64}}` → 201 report, with what each role would receive once paid in."""
    user = require_user()
    proposal = get_or_404(Proposal, proposal_id)
    if not proposal.can_edit(user):  # before validating, so a stranger learns nothing from field errors
        raise PermissionDenied(_l("Only the lead expert reports revenue."), code="not_lead")
    payload = json_body()
    refuse_unknown(payload, REPORT_FIELDS)
    form = api_form(RevenueReportForm, payload)
    report = report_revenue(proposal, user, period_start=form.period_start.data, period_end=form.period_end.data,
                            revenue_amount=form.revenue_amount.data, evidence_note=form.evidence_note.data or "",
                            evidence=decode_evidence(payload.get("evidence_file")))
    commit()
    return created(report_json(report, user, split=split_for(report)),
                   url_for("api.get_revenue_report", report_id=report.id))


@bp.get("/proposals/<int:proposal_id>/revenue-reports")
def list_revenue_reports(proposal_id):
    """A proposal's reports, newest period first: pools, status, due dates, late flags, amounts per role."""
    proposal = get_or_404(Proposal, proposal_id)
    page, per_page = page_args()
    pagination = paginate(queries.reports_query(proposal.id), page, per_page)
    totals = queries.totals_by_role([r.id for r in pagination.items])
    return jsonify(capped_page_json([report_json(r, current_user, totals=totals.get(r.id))
                                     for r in pagination.items], pagination))


@bp.get("/revenue-reports/<int:report_id>")
def get_revenue_report(report_id):
    """One report, with its distribution per role (for its lead expert, before distribution: a preview)."""
    report = _report(report_id)
    return jsonify(report_json(report, current_user, totals=queries.totals_by_role([report.id]).get(report.id),
                               split=_preview(report, current_user)))


@bp.get("/proposals/<int:proposal_id>/revenue")
def get_proposal_revenue(proposal_id):
    """A proposal's payment health (on time, late, missed, the next report due), its reporting rules and totals."""
    proposal = get_or_404(Proposal, proposal_id)
    reports = [r for r in queries.reports_of(proposal.id) if r.status != ReportStatus.REJECTED.value]
    totals = queries.totals_by_role([r.id for r in reports if r.status == ReportStatus.DISTRIBUTED.value])
    distributed = {role: sum(t[role] for t in totals.values()) for role in ROLES}
    return jsonify({"proposal": proposal_ref_json(proposal), "health": health_json(queries.health(proposal.id)),
                    "reporting": {"interval_months": report_interval_months(), "grace_days": report_grace_days()},
                    "revenue_amount": sum(r.revenue_amount for r in reports),
                    "pool_amount": sum(r.pool_amount for r in reports),
                    "distributed": {**_amounts(distributed),
                                    "withheld_amount": sum(t["withheld"] for t in totals.values())},
                    "currency": "KRW"})


@bp.post("/revenue-reports/<int:report_id>/pool-paid")
@validation_is_422
def post_pool_paid(report_id):
    """A steward who is not a party records the team's transfer of the pool `{reference}`; it is distributed at once
    → the report with its distribution per role."""
    user = require_user()
    report = _report(report_id)
    _steward(user)
    form = api_form(PoolPaidForm, json_body())
    pay_in_and_distribute(report, user, form.reference.data)
    db.session.commit()
    return jsonify(report_json(report, user, totals=queries.totals_by_role([report.id]).get(report.id)))


@bp.post("/revenue-reports/<int:report_id>/reject")
@validation_is_422
def post_report_rejection(report_id):
    """A steward who is not a party rejects a report whose pool is not paid in `{reason}`; the team files again."""
    user = require_user()
    report = _report(report_id)
    _steward(user)
    form = api_form(ReasonForm, json_body())
    reject_report(report, user, form.reason.data)
    db.session.commit()
    return jsonify(report_json(report, user))


# the commons fund
def movement_json(row, reports: dict) -> dict:
    """One movement of the commons fund: in (a report's commons part) or out, with what it was about."""
    kind, _sep, ident = (row.reference or "").partition(":")
    report = reports.get(int(ident)) if kind == "revenue_report" and ident.isdigit() else None
    return {"transaction_id": row.id, "amount": row.amount, "direction": "in" if row.amount > 0 else "out",
            "kind": row.kind, "subject": {"type": kind, "id": int(ident) if ident.isdigit() else None},
            "report": {"id": report.id, "proposal": proposal_ref_json(report.proposal),
                       "period_start": _day(report.period_start), "period_end": _day(report.period_end)}
            if report is not None else None,
            "created_at": iso(row.created_at), "currency": "KRW"}


@bp.get("/commons")
def get_commons():
    """The commons fund: balance, all it took in and paid out, its movements (newest first, paginated) and a series
    per month."""
    page, per_page = page_args()
    summary = queries.commons_summary()
    stmt = queries.commons_movements_query(summary["account"])
    pagination = paginate(stmt, page, per_page,
                          rows=lambda limit, offset: db.session.execute(stmt.limit(limit).offset(offset)).all())
    rows = list(pagination.items)
    reports = queries.reports_by_id(queries.referenced_ids([r.reference for r in rows], "revenue_report"))
    return jsonify({"balance_amount": summary["balance_amount"], "inflow_amount": summary["inflow_amount"],
                    "outflow_amount": summary["outflow_amount"], "currency": "KRW",
                    "movements": capped_page_json([movement_json(r, reports) for r in rows], pagination),
                    "monthly": queries.commons_monthly(summary["account"])})
