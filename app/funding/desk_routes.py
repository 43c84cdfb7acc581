"""The stewards' funding desk, a backer's portfolio and investor page (funding's pages that are not a round's)."""
from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.forms import ActionForm
from app.core.lookup import get_by_id
from app.core.timeutil import utcnow
from app.core.web import attempt, found
from app.funding import bp, closing, matching, operations, queries
from app.funding.forms import CATEGORY_LABELS, CategoryRequestForm, DecisionForm, DepositForm
from app.funding.models import INVESTOR_CATEGORIES, InvestorProfile, MatchingPool
from app.funding.parameters import cancel_cutoff_hours, limits_for
from app.funding.states import VerificationStatus


def _steward_only() -> None:
    if not current_user.has_role("steward"):
        abort(403)


@bp.route("/funding/desk")
@login_required
def desk():
    """What waits for a steward: drafts to approve, deposits to record, categories to verify, rounds to close."""
    _steward_only()
    return render_template("funding/desk.html", drafts=queries.rounds_awaiting_approval(),
                           pools=queries.pools_awaiting_deposit(), requests=queries.pending_verifications(),
                           due=closing.due_rounds(), deposit_form=DepositForm(), decision_form=DecisionForm(),
                           categories=CATEGORY_LABELS, action_form=ActionForm())


def _back_to_desk():
    return redirect(url_for("funding.desk"))


@bp.route("/funding/pools/<int:pool_id>/deposit", methods=["POST"])
@login_required
def record_deposit(pool_id):
    """A steward who is not a party records the pool's deposit (a transfer reference); the pool starts matching."""
    _steward_only()
    pool = found(get_by_id(MatchingPool, pool_id))
    form = DepositForm()
    attempt(lambda: matching.record_deposit(pool, current_user, form.reference.data),
            _("The deposit is recorded: the pool matches pledges from now on."), form=form)
    return _back_to_desk()


def _decide(profile_id: int, approve: bool):
    _steward_only()
    profile = found(get_by_id(InvestorProfile, profile_id))
    form = DecisionForm()
    attempt(lambda: operations.decide_category(profile, current_user, approve, form.reason.data),
            _("The category is verified.") if approve else _("The request is declined."), form=form)
    return _back_to_desk()


@bp.route("/funding/investor-requests/<int:profile_id>/verify", methods=["POST"])
@login_required
def verify_category(profile_id):
    """A steward verifies the evidence: the backer's category counts from now."""
    return _decide(profile_id, True)


@bp.route("/funding/investor-requests/<int:profile_id>/decline", methods=["POST"])
@login_required
def decline_category(profile_id):
    """A steward declines the request, with the reason."""
    return _decide(profile_id, False)


@bp.route("/me/portfolio")
@login_required
def portfolio():
    """Per proposal: units, invested, refunded, in escrow, and every pledge with its states and times."""
    rows = queries.portfolio(current_user)
    totals = {key: sum(r[key] for r in rows) for key in ("invested_amount", "refunded_amount", "in_escrow_amount")}
    return render_template("funding/portfolio.html", rows=rows, totals=totals, action_form=ActionForm(), now=utcnow(),
                           cutoff_hours=cancel_cutoff_hours())


@bp.route("/me/investor", methods=["GET", "POST"])
@login_required
def investor():
    """The backer's verified category and its limits, the pending request, and the form to ask for another."""
    form = CategoryRequestForm()
    done = attempt(lambda: operations.request_category(current_user, form.category.data, form.evidence.data),
                   _("Your request is sent. A steward checks the evidence; you are told the decision."), form=form,
                   redirecting=False)
    if done:
        return redirect(url_for("funding.investor"))
    latest = queries.verification_of(current_user)
    pending = latest if latest is not None and latest.status == VerificationStatus.PENDING.value else None
    return render_template("funding/investor.html", form=form, latest=latest, pending=pending,
                           category=current_user.investor_category or "general", categories=CATEGORY_LABELS,
                           limits={c: limits_for(c) for c in INVESTOR_CATEGORIES}), 200 if not form.errors else 400
