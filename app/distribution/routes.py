"""Distribution's public pages: a proposal's revenue (history, health, the rule, the lead's report form with its
worked example), a report's evidence for the team and stewards, the commons fund; and what the proposal page and
the portfolio show of revenue (template globals: proposals and funding cannot import distribution).

A person's wallet, statements and earnings are in `me_routes.py`; the stewards' desk in `desk_routes.py`.
"""
from datetime import date

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.lookup import get_by_id
from app.core.pagination import page_args, paginate
from app.core.web import attempt, found
from app.distribution import bp, notices, operations, queries  # noqa: F401 - notices registers the kinds
from app.distribution.models import RevenueReport
from app.distribution.operations import EARNING
from app.distribution.forms import RevenueReportForm
from app.distribution.parameters import withholding_bp
from app.distribution.presenting import HEALTH_LABELS, ROLE_LABELS, commons_chart, percent, period, rule_in_words
from app.distribution.states import ReportStatus
from app.extensions import db
from app.proposals.models import Proposal
from app.proposals.queries import confirmed_points, share_terms_of
from app.proposals.states import Stage
from app.proposals.terms import worked_example

#: on the proposal page, the worked example's revenue
EXAMPLE_REVENUE = 100_000_000
#: stages before any round can have succeeded: no units, no revenue (their pages read nothing of distribution)
BEFORE_UNITS = (Stage.DRAFTING.value, Stage.REVIEW.value)


@bp.app_template_filter("percent_bp")
def percent_bp(bp_: int | None) -> str:
    """Basis points as a percentage: 1540 -> "15.4%"."""
    return percent(bp_)


@bp.app_template_filter("isodate")
def isodate(value: str | None):
    """An ISO date string (as the queries give due dates) as a date, for the date filter."""
    return date.fromisoformat(value) if value else None


# what other features' pages show of revenue
@bp.app_template_global("revenue_of")
def revenue_of(proposal: Proposal) -> dict | None:
    """The proposal page's revenue box: its payment health and how many reports (None before it earns)."""
    if proposal.stage in BEFORE_UNITS:
        return None
    health = queries.healths([proposal.id])[proposal.id]
    if not health["reports"] and proposal.stage not in EARNING:
        return None
    return {"health": health, "health_label": HEALTH_LABELS[health["state"]]}


@bp.app_template_global("revenue_example")
def revenue_example(proposal: Proposal, terms, contributors, revenue_amount: int = EXAMPLE_REVENUE) -> dict | None:
    """The worked example on the real cap table (units, invested, received so far), once the proposal has one: the
    same split a distribution of that revenue would make now. None before anyone holds units."""
    if proposal.stage in BEFORE_UNITS:
        return None
    backers = operations.backers_of(proposal.id)
    if not backers:
        return None
    example = worked_example(terms, revenue_amount, contributors, backers=backers)
    split = example["split"]
    mine = None
    if current_user.is_authenticated:
        mine = next((line for line in split.lines if line.key == ("user", current_user.id) and line.role == "backer"),
                    None)
    return {**example, "real": True, "totals": {role: split.total(role) for role in ROLE_LABELS},
            "backer_count": len(backers), "mine": mine}


@bp.app_template_global("portfolio_revenue")
def portfolio_revenue(rows: list[dict]) -> dict[int, dict]:
    """Per proposal of the portfolio: received as a backer, the multiple so far (received / invested) and its
    payment health, in two queries however many proposals."""
    ids = [row["proposal"].id for row in rows]
    received = queries.received_by_proposal(current_user.id, ids)
    health = queries.healths(ids)
    out = {}
    for row in rows:
        pid, invested = row["proposal"].id, row["invested_amount"]
        got = received.get(pid, 0)
        hundredths = got * 100 // invested if invested else None
        out[pid] = {"received_amount": got, "health": health[pid], "health_label": HEALTH_LABELS[health[pid]["state"]],
                    "multiple": None if hundredths is None else f"{hundredths // 100}.{hundredths % 100:02d}×"}
    return out


# a proposal's revenue
def _proposal_or_404(proposal_id) -> Proposal:
    return found(get_by_id(Proposal, proposal_id))


def can_report(proposal: Proposal, user, terms) -> bool:
    """Whether this viewer may file a revenue report now: the lead expert, earning, on frozen terms."""
    return bool(proposal.can_edit(user) and proposal.stage in EARNING and terms is not None and terms.is_frozen)


def sees_evidence(proposal: Proposal, user) -> bool:
    """The evidence file is for the team and the stewards."""
    return bool(user.is_authenticated and (user.has_role("steward") or proposal.can_post_update(user)))


def preview(proposal: Proposal, terms, revenue_amount: int) -> dict:
    """What a report of this revenue would pay if distributed now: `split_for` on an unsaved draft of it."""
    draft = RevenueReport(proposal=proposal, proposal_id=proposal.id, revenue_amount=revenue_amount,
                          community_share_bp=terms.community_share_bp, proposer_bp=terms.proposer_bp,
                          contributors_bp=terms.contributors_bp, backers_bp=terms.backers_bp,
                          commons_bp=terms.commons_bp, backers_cap_multiple_bp=terms.backers_cap_multiple_bp)
    split = operations.split_for(draft)
    names = {uid: name for uid, name, _points in confirmed_points(proposal)}
    return {"split": split, "totals": {role: split.total(role) for role in ROLE_LABELS},
            "contributors": [(names.get(line.key[1], ""), line.gross_amount) for line in split.lines
                             if line.role == "contributor"],
            "backers": sum(1 for line in split.lines if line.role == "backer"), "withheld": split.withheld_amount,
            "rate": withholding_bp()}


def _render_revenue(proposal: Proposal, form: RevenueReportForm | None = None, example=None, status: int = 200):
    terms = share_terms_of(proposal)
    reports = queries.reports_of(proposal.id)
    allowed = can_report(proposal, current_user, terms)
    if allowed and form is None:
        form = RevenueReportForm()
    return render_template(
        "distribution/revenue.html", proposal=proposal, terms=terms, reports=reports,
        totals=queries.totals_by_role([r.id for r in reports if r.status == ReportStatus.DISTRIBUTED.value]),
        health=queries.healths([proposal.id])[proposal.id], health_labels=HEALTH_LABELS, roles=ROLE_LABELS,
        rule=rule_in_words(terms) if terms is not None and terms.is_frozen else None, period=period,
        form=form if allowed else None, example=example, evidence=sees_evidence(proposal, current_user),
        distributed=sum(r.pool_amount for r in reports if r.status == ReportStatus.DISTRIBUTED.value)), status


@bp.route("/proposals/<int:proposal_id>/revenue")
def proposal_revenue(proposal_id):
    """A proposal's revenue, in public: reports, their distributions per role (never per person), health, the rule."""
    return _render_revenue(_proposal_or_404(proposal_id))


@bp.route("/proposals/<int:proposal_id>/revenue", methods=["POST"])
@login_required
def file_report(proposal_id):
    """The lead expert previews the split of a period's revenue, or files the report (one press each)."""
    proposal = _proposal_or_404(proposal_id)
    terms = share_terms_of(proposal)
    if not can_report(proposal, current_user, terms):
        abort(403)
    form = RevenueReportForm()
    if request.form.get("action") == "preview":
        if not form.validate_on_submit():
            return _render_revenue(proposal, form, status=400)
        return _render_revenue(proposal, form, example=preview(proposal, terms, form.revenue_amount.data))
    done = attempt(lambda: operations.report_revenue(
        proposal, current_user, period_start=form.period_start.data, period_end=form.period_end.data,
        revenue_amount=form.revenue_amount.data, evidence_note=form.evidence_note.data or "",
        evidence=form.evidence_upload()), _("The report is filed. A steward distributes the pool once your transfer "
                                            "of it arrives."), form=form, redirecting=False)
    if done:
        return redirect(url_for("distribution.proposal_revenue", proposal_id=proposal.id,
                                _anchor=f"report-{done.value.id}"))
    return _render_revenue(proposal, form, status=400)


@bp.route("/revenue-reports/<int:report_id>")
def report(report_id):
    """A report's place on its proposal's revenue page (the public log and notifications link here)."""
    report_ = found(get_by_id(RevenueReport, report_id))
    return redirect(url_for("distribution.proposal_revenue", proposal_id=report_.proposal_id,
                            _anchor=f"report-{report_.id}"))


@bp.route("/revenue-reports/<int:report_id>/evidence")
@login_required
def evidence(report_id):
    """The report's evidence file, for the proposal's team and the stewards only (404 for anyone else)."""
    report_ = found(get_by_id(RevenueReport, report_id))
    if not report_.evidence_path or not sees_evidence(report_.proposal, current_user):
        abort(404)
    return send_file(report_.evidence_path, as_attachment=True, download_name=report_.evidence_name or "evidence")


# the commons fund
@bp.route("/commons")
def commons():
    """The commons fund: balance, inflow and outflow, every movement (newest first, paginated), a monthly chart."""
    page, per_page = page_args(20)
    summary = queries.commons_summary()
    movements = queries.commons_movements_query(summary["account"])
    pagination = paginate(movements, page, per_page,
                          rows=lambda limit, offset: db.session.execute(movements.limit(limit).offset(offset)).all())
    reports = queries.reports_by_id(queries.referenced_ids([m.reference for m in pagination.items], "revenue_report"))
    return render_template("distribution/commons.html", summary=summary, pagination=pagination, reports=reports,
                           chart=commons_chart(queries.commons_monthly(summary["account"])), period=period)


from app.distribution import desk_routes, me_routes  # noqa: E402,F401 - the rest of distribution's pages
