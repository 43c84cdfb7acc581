"""Funding pages: the rounds, a round with its pledge form, questions, matching offers and the lead's drafts.

The lead's drafts and the decisions on a round are in `draft_routes.py`; the stewards' desk, the portfolio and
the investor page in `desk_routes.py`. Views are thin: load,
check, validate the form, call one operation (committed through `core.web.attempt`) or one workflow
(which commits itself around its call to the payment processor), redirect.
"""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.core.errors import DomainError
from app.core.formatting import format_won
from app.core.forms import ActionForm
from app.core.lookup import get_by_id
from app.core.pagination import page_args, paginate
from app.core.parties import is_party
from app.core.security import allow_payment_script, user_key
from app.core.timeutil import as_utc, utcnow
from app.core.web import attempt, flash_form_errors, found, safe_next
from app.extensions import db, limiter
from app.funding import bp, matching, operations, queries, workflows
from app.funding.forms import (
    CATEGORY_LABELS, AnswerForm, MatchingPoolForm, OptionalReasonForm, PledgeForm, QuestionForm, ReasonForm,
)
from app.funding.gateway import GatewayError, gateway
from app.funding.models import Pledge, Round, RoundQuestion
from app.funding.parameters import cancel_cutoff_hours
from app.funding.pledging import PledgeRefused
from app.funding.states import ROUND, PledgeStatus, RoundStatus
from app.funding.workflows import PaymentPending
from app.proposals.models import Organization, Proposal
from app.proposals.queries import confirmed_points, my_organizations, share_terms_of, team_of, updates_of
from app.proposals.states import ORG_KINDS, TEAM_ROLES, Stage
from app.proposals.terms import worked_example

#: a round's dates are typed and shown in Korean time
KST = ZoneInfo("Asia/Seoul")
EXAMPLE_REVENUE = 100_000_000
#: statuses the list may be filtered by (drafts are never listed)
LISTED = tuple(queries.PUBLIC_ROUND)


def _round_or_404(round_id) -> Round:
    """The round, or 404 when it does not exist or is a draft this viewer may not see."""
    round_ = get_by_id(Round, round_id)
    if not queries.round_visible_to(round_, current_user):
        abort(404)
    return round_


def _back(round_: Round, anchor: str | None = None):
    return redirect(url_for("funding.show", round_id=round_.id, _anchor=anchor))


# what pages show of a round
def progress(round_: Round) -> dict:
    """The bar's numbers, in whole percent: raised of the cap (the bar), the target's place on it, raised of the
    target (may pass 100)."""
    return {"bar": min(round_.raised_amount * 100 // round_.cap_amount, 100),
            "target_at": min(round_.target_amount * 100 // round_.cap_amount, 100),
            "of_target": round_.percent_of_target()}


def _span(delta: timedelta) -> str:
    seconds = max(int(delta.total_seconds()), 0)
    if seconds >= 2 * 86400:
        return ngettext("%(num)d day", "%(num)d days", seconds // 86400)
    if seconds >= 3600:
        return ngettext("%(num)d hour", "%(num)d hours", seconds // 3600)
    return ngettext("%(num)d minute", "%(num)d minutes", max(seconds // 60, 1))


def time_left(round_: Round, now: datetime | None = None) -> str:
    """Where the round stands in time, in words: opens in, left, closing, or how it ended."""
    now = now or utcnow()
    opens, closes = as_utc(round_.opens_at), as_utc(round_.closes_at)
    if round_.status in (RoundStatus.DRAFT.value, RoundStatus.APPROVED.value):
        return _("Opens in %(span)s", span=_span(opens - now)) if opens > now else _("Opens soon")
    if round_.status == RoundStatus.OPEN.value:
        return _("%(span)s left", span=_span(closes - now)) if closes > now else _("Time is up: closing soon")
    return round_.status_label


@bp.app_template_global("round_progress")
def round_progress(round_: Round) -> dict:
    """Progress and time left of a round, for any page that shows one."""
    return {**progress(round_), "time_left": time_left(round_)}


@bp.app_template_global("funding_of")
def funding_of(proposal: Proposal, terms=None) -> dict:
    """What a proposal's page shows of its funding: the round this viewer may see, and whether its lead may
    draft one now (funding stage, frozen terms, no round in preparation or open)."""
    can_draft = bool(proposal.can_edit(current_user) and proposal.stage == Stage.FUNDING.value
                     and terms is not None and terms.is_frozen and not queries.has_active_round(proposal.id))
    return {"round": queries.round_for_proposal_page(proposal, current_user), "can_draft": can_draft}


@bp.route("/rounds")
def index():
    """Public rounds, open ones first, paginated."""
    status = request.args.get("status") or None
    if status is not None and status not in LISTED:
        abort(400)
    page, per_page = page_args(20)
    pagination = paginate(queries.rounds_query(status), page, per_page)
    return render_template("funding/index.html", pagination=pagination, status=status,
                           statuses={s: ROUND.label(s) for s in LISTED})


@bp.route("/rounds/<int:round_id>")
def show(round_id):
    """A round: progress, offering, risks, terms, team, updates, matching, questions; the backer's pledges and form."""
    return _render_round(_round_or_404(round_id))


def why_no_pledge(round_: Round, user) -> str | None:
    """Why this viewer cannot pledge now, in words they can act on; None when they can."""
    if round_.can_pledge(user):
        return None
    if not user.is_authenticated:
        return _("Log in to back this round.")
    if not user.is_verified:
        return _("Verify your email address before pledging.")
    if user.is_restricted:
        return _("Your account cannot pledge while it is suspended.")
    if is_party(round_, user):
        return _("The people behind a proposal (its lead expert, proposer and team) cannot back its round.")
    if round_.status in (RoundStatus.DRAFT.value, RoundStatus.APPROVED.value) or \
            (round_.status == RoundStatus.OPEN.value and as_utc(round_.opens_at) > utcnow()):
        return _("Pledges open when the round opens.")
    return _("This round is not taking pledges.")


def _payment_script() -> dict | None:
    """Stripe.js's address and the publishable key, with the page's policy widened for it; None if unconfigured."""
    try:
        script = gateway().publishable()
    except GatewayError:
        return None
    if not script.get("js_url"):
        return None
    allow_payment_script(script["js_url"])
    return script


def _render_round(round_: Round, pledge_form: PledgeForm | None = None, status: int = 200):
    proposal, user = round_.proposal, current_user
    terms = share_terms_of(proposal)
    contributors = confirmed_points(proposal)
    now = utcnow()
    hours = cancel_cutoff_hours()
    context = {
        "round": round_, "proposal": proposal, "terms": terms, "now": now, "progress": progress(round_),
        "time_left": time_left(round_, now), "example_revenue": EXAMPLE_REVENUE,
        "example": worked_example(terms, EXAMPLE_REVENUE, contributors) if terms else None,
        "team": [m for m in team_of(proposal) if m.status == "accepted" and m.user_id != proposal.lead_expert_id], "updates": updates_of(proposal)[:5],
        "pools": queries.pools_of(round_), "questions": queries.questions_of(round_),
        "labels": {"roles": TEAM_ROLES, "org_kinds": ORG_KINDS, "categories": CATEGORY_LABELS},
        "cutoff": round_.cancel_cutoff(hours), "cutoff_hours": hours, "action_form": ActionForm(),
        "reason_form": ReasonForm(), "note_form": OptionalReasonForm(),
        "can": {"edit": round_.can_edit(user), "approve": round_.can_approve(user),
                "return": round_.status == RoundStatus.APPROVED.value and ROUND.can(round_, RoundStatus.DRAFT, user),
                "open": round_.status == RoundStatus.APPROVED.value and ROUND.can(round_, RoundStatus.OPEN, user),
                "cancel": ROUND.can(round_, RoundStatus.CANCELLED, user), "close": round_.can_close(user),
                "pledge": round_.can_pledge(user), "answer": proposal.can_post_update(user),
                "ask": bool(user.is_authenticated and user.can_participate()
                            and round_.status in (RoundStatus.APPROVED.value, RoundStatus.OPEN.value))},
        "room": None, "my_pledges": [], "script": None, "pledge_form": None, "no_pledge": why_no_pledge(round_, user),
        "question_form": QuestionForm(), "answer_form": AnswerForm(), "pool_form": None, "my_orgs": [],
    }
    if user.is_authenticated:
        context["room"] = queries.room_for(user, round_)
        context["my_pledges"] = queries.pledges_of(user, round_)
        if round_.status in (RoundStatus.DRAFT.value, RoundStatus.APPROVED.value, RoundStatus.OPEN.value):
            context["my_orgs"] = my_organizations(user)
            context["pool_form"] = MatchingPoolForm() if context["my_orgs"] else None
    if context["can"]["pledge"]:
        context["script"] = _payment_script()
        allowed = {"general", user.investor_category or "general"}
        context["allowed_categories"] = allowed
        form = pledge_form or PledgeForm(units=round_.min_units, investor_category=user.investor_category or "general")
        form.payment_method.data = ""  # a card token is used once: the script asks for a new one
        context["pledge_form"] = form
    return render_template("funding/show.html", **context), status


@bp.route("/rounds/<int:round_id>/pledges", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config.get("PLEDGES_PER_USER", "20 per hour"), key_func=user_key)
def pledge(round_id):
    """Pledge units with the card Stripe.js tokenized: reserve, charge into escrow, book (the workflow commits)."""
    round_ = _round_or_404(round_id)
    refused = why_no_pledge(round_, current_user)
    if refused:
        flash(refused, "error")
        return _back(round_, "pledge")
    form = PledgeForm()
    if not form.validate_on_submit():
        return _render_round(round_, form, 400)
    try:
        placed = workflows.place_pledge(round_, current_user, form.units.data, form.payment_method.data,
                                        investor_category=form.investor_category.data,
                                        risk_acknowledged=bool(form.risk_acknowledged.data))
    except PaymentPending as exc:
        flash(str(exc.message))
        return _back(round_, "my-pledges")
    except DomainError as exc:
        db.session.rollback()
        if exc.fields and not isinstance(exc, PledgeRefused):
            for name, messages in exc.fields.items():
                field = getattr(form, name, None)
                if field is None:
                    flash(" ".join(messages), "error")
                else:
                    field.errors = [*field.errors, *messages]
            return _render_round(round_, form, exc.status)
        flash(str(exc.message), "error")
        return _back(round_, "pledge")
    flash(_("Thank you: your pledge of %(units)d units (%(amount)s) is paid into the round's escrow.",
            units=placed.units, amount=format_won(placed.amount)))
    return _back(round_, "my-pledges")


@bp.route("/pledges/<int:pledge_id>/cancel", methods=["POST"])
@login_required
def cancel_pledge(pledge_id):
    """The backer cancels a paid pledge before the cutoff: the room is freed, the refund asked for at once."""
    pledge_ = found(get_by_id(Pledge, pledge_id))
    back = safe_next(request.form.get("next"), url_for("funding.show", round_id=pledge_.round_id,
                                                       _anchor="my-pledges"))
    form = ActionForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    try:
        workflows.cancel(pledge_, current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(back)
    if pledge_.status == PledgeStatus.REFUNDED.value:
        flash(_("Your pledge is cancelled and %(amount)s is refunded to your card.", amount=format_won(pledge_.amount)))
    else:
        flash(_("Your pledge is cancelled. The refund of %(amount)s is on its way; your portfolio shows when it is "
                "done.", amount=format_won(pledge_.amount)))
    return redirect(back)


# questions and matching
@bp.route("/rounds/<int:round_id>/questions", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["COMMENTS_PER_USER"], key_func=user_key)
def ask(round_id):
    """A verified user asks the team a public question."""
    round_ = _round_or_404(round_id)
    form = QuestionForm()
    done = attempt(lambda: operations.ask_question(round_, current_user, form.body.data),
                   _("Your question is posted; the team is told."), form=form)
    return _back(round_, f"question-{done.value.id}" if done else "questions")


@bp.route("/rounds/<int:round_id>/questions/<int:question_id>/answer", methods=["POST"])
@login_required
def answer(round_id, question_id):
    """The team answers a question, once, in public."""
    round_ = _round_or_404(round_id)
    question = found(get_by_id(RoundQuestion, question_id), round_id=round_.id)
    form = AnswerForm()
    attempt(lambda: operations.answer_question(question, current_user, form.answer.data),
            _("Your answer is posted."), form=form)
    return _back(round_, f"question-{question.id}")


@bp.route("/rounds/<int:round_id>/matching-pools", methods=["POST"])
@login_required
def offer_matching(round_id):
    """A confirmed representative offers to match the round's pledges from a deposit paid in first."""
    round_ = _round_or_404(round_id)
    form = MatchingPoolForm()
    mine = my_organizations(current_user)
    organization = (get_by_id(Organization, form.organization_id.data) if form.organization_id.data
                    else mine[0] if len(mine) == 1 else None)
    if form.validate_on_submit() and organization is None:
        flash(_("Choose the organization that offers the matching."), "error")
        return _back(round_, "matching")
    attempt(lambda: matching.create_pool(round_, organization, current_user, factor_bp=form.factor_bp.data,
                                         pledge_cap_amount=form.pledge_cap_amount.data,
                                         round_cap_amount=form.round_cap_amount.data),
            _("Your offer is recorded. It matches pledges once a steward records your deposit."), form=form)
    return _back(round_, "matching")


from app.funding import desk_routes, draft_routes  # noqa: E402,F401 - the rest of funding's pages
