"""The lead expert's round drafts, and the decisions on a round: approve, return, open early, cancel, close."""
from datetime import datetime, timedelta, timezone

from flask import abort, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError
from app.core.forms import ActionForm
from app.core.lookup import get_by_id
from app.core.timeutil import as_utc, utcnow
from app.core.web import attempt, flash_form_errors, found
from app.extensions import db
from app.funding import bp, closing, operations, workflows
from app.funding.forms import OptionalReasonForm, ReasonForm, RoundForm
from app.funding.models import Round
from app.funding.parameters import round_days
from app.funding.routes import KST, _back, _round_or_404
from app.funding.states import RoundStatus
from app.proposals.models import Proposal
from app.proposals.queries import share_terms_of


def _local_input(value: datetime | None) -> datetime | None:
    """A stored time as the naive Korean time a datetime-local input shows."""
    return as_utc(value).astimezone(KST).replace(tzinfo=None) if value else None


def _as_utc_from_korea(value: datetime | None) -> datetime | None:
    """A typed date and time: Korean time unless it names its offset; stored as aware UTC."""
    if value is None:
        return None
    try:
        return (value.replace(tzinfo=KST) if value.tzinfo is None else value).astimezone(timezone.utc)
    except (OverflowError, ValueError):  # year 1 or 9999 at the edge of what a datetime holds
        return None


def _round_values(form: RoundForm) -> dict:
    return {"target_amount": form.target_amount.data, "cap_amount": form.cap_amount.data,
            "unit_price": form.unit_price.data, "min_units": form.min_units.data or 1,
            "opens_at": _as_utc_from_korea(form.opens_at.data), "closes_at": _as_utc_from_korea(form.closes_at.data),
            "offering_summary": form.offering_summary.data, "risk_statement": form.risk_statement.data}


def _round_form_page(form: RoundForm, proposal: Proposal, round_: Round | None):
    return render_template("funding/round_form.html", form=form, proposal=proposal, round=round_,
                           terms=share_terms_of(proposal), days=round_days()), 200 if not form.errors else 400


@bp.route("/proposals/<int:proposal_id>/rounds/new", methods=["GET", "POST"])
@login_required
def new_round(proposal_id):
    """The lead expert drafts a round on the proposal's frozen terms; a steward approves it."""
    proposal = found(get_by_id(Proposal, proposal_id))
    if not proposal.can_edit(current_user):
        abort(403)
    start = (utcnow() + timedelta(days=1)).astimezone(KST).replace(hour=10, minute=0, second=0, microsecond=0)
    form = RoundForm(data=None if request.method == "POST" else {
        "min_units": 1, "opens_at": start.replace(tzinfo=None), "closes_at": (start + timedelta(days=30)).replace(tzinfo=None)})
    done = attempt(lambda: operations.draft_round(proposal, current_user, _round_values(form)),
                   _("The round is drafted. A steward reviews it before it opens."), form=form, redirecting=False)
    if done:
        return _back(done.value)
    return _round_form_page(form, proposal, None)


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@login_required
def edit_round(round_id):
    """The lead expert changes a draft."""
    round_ = _round_or_404(round_id)
    if not round_.can_edit(current_user):
        abort(403)
    data = None
    if request.method != "POST":
        data = {name: getattr(round_, name) for name in operations.ROUND_FIELDS}
        data |= {"opens_at": _local_input(round_.opens_at), "closes_at": _local_input(round_.closes_at)}
    form = RoundForm(data=data)
    done = attempt(lambda: operations.edit_round(round_, current_user, _round_values(form)), _("Your changes are saved."),
                   form=form, redirecting=False)
    if done:
        return _back(round_)
    return _round_form_page(form, round_.proposal, round_)


@bp.route("/rounds/<int:round_id>/open", methods=["POST"])
@login_required
def open_now(round_id):
    """The lead expert (or a steward) opens an approved round before its opening time."""
    round_ = _round_or_404(round_id)
    attempt(lambda: operations.open_round(round_, current_user), _("The round is open for pledges."), form=ActionForm())
    return _back(round_)


@bp.route("/rounds/<int:round_id>/approve", methods=["POST"])
@login_required
def approve(round_id):
    """A steward who is not a party approves the draft (a note is optional)."""
    round_ = _round_or_404(round_id)
    form = OptionalReasonForm()
    attempt(lambda: operations.approve_round(round_, current_user, form.reason.data or None),
            _("The round is approved; it opens at its opening time."), form=form)
    return _back(round_)


@bp.route("/rounds/<int:round_id>/return", methods=["POST"])
@login_required
def return_to_draft(round_id):
    """Back to draft to change it, with the reason (a steward asking for changes, or the lead)."""
    round_ = _round_or_404(round_id)
    form = ReasonForm()
    attempt(lambda: operations.return_round(round_, current_user, form.reason.data),
            _("The round is back in draft; the lead expert can change it."), form=form)
    return _back(round_)


@bp.route("/rounds/<int:round_id>/cancel", methods=["POST"])
@login_required
def cancel_round(round_id):
    """Stop a round, with the reason in the public log; every pledge in it is refunded."""
    round_ = _round_or_404(round_id)
    form = ReasonForm()
    if attempt(lambda: closing.cancel_open_round(round_, current_user, form.reason.data),
               _("The round is cancelled; its backers are refunded."), form=form):
        _finish_closing(round_)
    return _back(round_)


def _finish_closing(round_: Round) -> None:
    """Refund or settle what a closed round holds (the workflow commits pledge by pledge)."""
    try:
        workflows.close(round_, current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")


@bp.route("/rounds/<int:round_id>/close", methods=["POST"])
@login_required
def close_now(round_id):
    """A steward closes a round whose time is up: funded (settled) or not (refunded), as the numbers say; or finishes
    closing one that a crash or a failed refund left with work to do."""
    round_ = _round_or_404(round_id)
    form = ActionForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
    elif not (round_.can_close(current_user) or (current_user.has_role("steward") and round_.status in closing.CLOSED)):
        flash(_("Only a steward can close a round, once its time is up."), "error")
    else:
        _finish_closing(round_)
        if round_.status == RoundStatus.SUCCEEDED.value:
            flash(_("The round is funded: the money moved to the proposal and the units are issued."))
        elif round_.status == RoundStatus.FAILED.value:
            flash(_("The round did not reach its target: its backers are refunded."))
    return _back(round_)
