"""A person's own money pages: the wallet with its payouts, itemised statements (and their CSV), the earnings
dashboard. Everything here is the logged-in person's own; account numbers are shown masked."""
import csv
import io

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.core.forms import ActionForm
from app.core.formatting import format_day
from app.core.lookup import get_by_id
from app.core.web import attempt, found
from app.distribution import bp, payouts, queries
from app.distribution.models import Payout
from app.distribution.forms import PayoutForm
from app.distribution.parameters import payout_min_amount
from app.distribution.presenting import (
    ROLE_LABELS, connect_available, describe_entry, earnings_chart, period, rule_in_words, weight_text,
)


def _payout_form(form: PayoutForm | None = None) -> PayoutForm:
    form = form or PayoutForm()
    form.bank_code.choices = [SelectChoice("", _("Choose your bank")), *form.bank_code.choices]
    return form


def _render_wallet(form: PayoutForm | None = None, status: int = 200):
    wallet = queries.wallet(current_user)
    reports, held_by = queries.wallet_subjects(wallet["entries"])
    entries = [(e, describe_entry(e, reports, held_by)) for e in wallet["entries"]]
    return render_template("distribution/wallet.html", wallet=wallet, entries=entries, form=_payout_form(form),
                           connect=connect_available(), minimum=payout_min_amount(), action_form=ActionForm()), status


@bp.route("/me/wallet")
@login_required
def wallet():
    """Balance, money held for payouts asked for, every movement in words, payouts and the payout form."""
    return _render_wallet()


@bp.route("/me/payouts", methods=["POST"])
@login_required
def request_payout():
    """Ask for part or all of the balance to be paid out; it is held at once, so it never passes the balance."""
    form = _payout_form(PayoutForm())
    method = form.method.data if connect_available() else "bank"
    done = attempt(lambda: payouts.request_payout(
        current_user, form.amount.data, method=method, bank_code=form.bank_code.data or None,
        account_number=form.account_number.data, holder_name=form.holder_name.data,
        connected_account=form.connected_account.data),
        _("Your payout is asked for: the money is held until a steward sends it."), form=form, redirecting=False)
    if done:
        return redirect(url_for("distribution.wallet", _anchor="payouts"))
    return _render_wallet(form, 400 if form.errors else 409)


@bp.route("/payouts/<int:payout_id>/cancel", methods=["POST"])
@login_required
def cancel_payout(payout_id):
    """Its owner takes back a payout no steward has decided yet: the money returns to the wallet."""
    payout = found(get_by_id(Payout, payout_id))
    attempt(lambda: payouts.cancel_payout(payout, current_user), _("The payout is cancelled; the money is back in "
                                                                   "your wallet."), form=ActionForm())
    return redirect(url_for("distribution.wallet", _anchor="payouts"))


def _year() -> int | None:
    raw = request.args.get("year") or None
    if raw is None:
        return None
    if not raw.isdigit() or not 2000 <= int(raw) <= 2200:
        abort(400)
    return int(raw)


def _statement(year: int | None) -> tuple[list, dict]:
    rows = queries.statement(current_user.id, year)
    sums = {key: sum(getattr(r.line, key) for r in rows) for key in ("gross_amount", "withheld_amount", "net_amount")}
    return rows, sums


@bp.route("/me/statements")
@login_required
def statements():
    """Every line the person received, itemised with the rule it followed, and a summary per year."""
    year = _year()
    rows, sums = _statement(year)
    return render_template("distribution/statements.html", rows=rows, sums=sums, year=year,
                           years=queries.annual_summary(current_user.id), roles=ROLE_LABELS, rule=rule_in_words,
                           weight=weight_text, period=period)


#: the CSV's columns, in order (headers in the page's language)
def _csv_header() -> list[str]:
    return [_("Report"), _("Proposal"), _("Period starts"), _("Period ends"), _("Distributed"), _("Revenue (won)"),
            _("Pool (won)"), _("Rule"), _("Role"), _("Weight"), _("Total weight"), _("Gross (won)"),
            _("Withheld (won)"), _("Net (won)"), _("Received from this proposal so far (won)"), _("Cap (won)")]


@bp.route("/me/statements.csv")
@login_required
def statements_csv():
    """The same statement as a spreadsheet: UTF-8 with a BOM (Excel reads Korean), a header row, one row per line."""
    year = _year()
    rows, _sums = _statement(year)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(_csv_header())
    for row in rows:
        line, report = row.line, row.line.report
        writer.writerow([report.id, report.proposal.title, report.period_start.isoformat(),
                         report.period_end.isoformat(), format_day(report.distributed_at, "yyyy-MM-dd"),
                         report.revenue_amount, report.pool_amount, rule_in_words(report), str(ROLE_LABELS[line.role]),
                         line.weight, line.weight_total, line.gross_amount, line.withheld_amount, line.net_amount,
                         row.received_total_amount if line.role == "backer" else "",
                         line.cap_amount if line.cap_amount is not None else ""])
    name = f"gops-statement-{year}.csv" if year else "gops-statement.csv"
    return Response(out.getvalue().encode("utf-8"), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/me/earnings")
@login_required
def earnings():
    """Revenue share per proposal over time (a chart), totals per proposal and role, and each next report due."""
    rows = queries.earnings_by_proposal(current_user.id)
    total = sum(r["total_amount"] for r in rows)
    return render_template("distribution/earnings.html", rows=rows, total=total, chart=earnings_chart(rows),
                           roles=ROLE_LABELS)
