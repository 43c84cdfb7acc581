"""The stewards' revenue desk: pools to record (then distributed at once) or reports to reject, payouts to pay by
bank (with the transfer's reference), to send by Stripe Connect, or to reject. The machines refuse a steward who is
a party to the matter; the refusal is shown as a message."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError
from app.core.forms import ActionForm
from app.core.formatting import format_won
from app.core.lookup import get_by_id
from app.core.parties import is_party
from app.core.web import attempt, flash_form_errors, found
from app.distribution import bp, operations, payouts, queries, workflows
from app.distribution.models import Payout, RevenueReport
from app.distribution.forms import PayoutDecisionForm, PoolPaidForm, ReasonForm
from app.distribution.presenting import period
from app.extensions import db


def _steward_only() -> None:
    if not current_user.has_role("steward"):
        abort(403)


def _back():
    return redirect(url_for("distribution.desk"))


@bp.route("/revenue/desk")
@login_required
def desk():
    """What waits for a steward: reports whose pool is to arrive, payouts to send (account numbers shown whole)."""
    _steward_only()
    reports = queries.reports_awaiting_pool()
    waiting = payouts.pending_payouts()
    party = {("report", r.id): is_party(r, current_user) for r in reports} | \
        {("payout", p.id): is_party(p, current_user) for p in waiting}
    return render_template("distribution/desk.html", reports=reports, payouts=waiting, period=period, party=party,
                           pool_form=PoolPaidForm(), paid_form=PayoutDecisionForm(), reason_form=ReasonForm(),
                           action_form=ActionForm())


@bp.route("/revenue-reports/<int:report_id>/pool-paid", methods=["POST"])
@login_required
def pool_paid(report_id):
    """The team's transfer of the pool arrived: record its reference and distribute the pool at once."""
    _steward_only()
    report = found(get_by_id(RevenueReport, report_id))
    form = PoolPaidForm()
    done = attempt(lambda: operations.pay_in_and_distribute(report, current_user, form.reference.data), form=form)
    if done:
        flash(_("The pool of %(amount)s is recorded and distributed to %(title)s's people and the commons fund.",
                amount=format_won(report.pool_amount), title=report.proposal.title))
    return _back()


@bp.route("/revenue-reports/<int:report_id>/reject", methods=["POST"])
@login_required
def reject_report(report_id):
    """Reject a report whose pool has not come (wrong figures or evidence), with the reason; the team files again."""
    _steward_only()
    report = found(get_by_id(RevenueReport, report_id))
    form = ReasonForm()
    attempt(lambda: operations.reject_report(report, current_user, form.reason.data),
            _("The report is rejected; the lead expert is told your reason."), form=form)
    return _back()


@bp.route("/payouts/<int:payout_id>/paid", methods=["POST"])
@login_required
def payout_paid(payout_id):
    """The steward made the bank transfer: record its reference (the account number is erased)."""
    _steward_only()
    payout = found(get_by_id(Payout, payout_id))
    form = PayoutDecisionForm()
    attempt(lambda: payouts.mark_paid(payout, current_user, form.reference.data),
            _("The payout of %(amount)s is recorded as paid.", amount=format_won(payout.amount)), form=form)
    return _back()


@bp.route("/payouts/<int:payout_id>/reject", methods=["POST"])
@login_required
def payout_reject(payout_id):
    """Refuse a payout, with the reason: the money goes back to the wallet."""
    _steward_only()
    payout = found(get_by_id(Payout, payout_id))
    form = ReasonForm()
    attempt(lambda: payouts.reject_payout(payout, current_user, form.reason.data),
            _("The payout is rejected; the money is back in the wallet and its owner is told why."), form=form)
    return _back()


@bp.route("/payouts/<int:payout_id>/transfer", methods=["POST"])
@login_required
def payout_transfer(payout_id):
    """Send a Connect payout through the processor (the workflow commits around the call)."""
    _steward_only()
    payout = found(get_by_id(Payout, payout_id))
    form = ActionForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back()
    try:
        workflows.pay_by_transfer(payout, current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _back()
    flash(_("The payout of %(amount)s is sent to the connected account (transfer %(reference)s).",
            amount=format_won(payout.amount), reference=payout.reference))
    return _back()
