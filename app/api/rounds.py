"""API: funding rounds (list, read, draft, edit, approve, return, open, cancel, close), their matching pools and the
questions backers ask the team.

Cancelling an open round and closing run the workflows the pages run (`app.funding.workflows`): they commit between
their steps, because a call to the payment processor sits in the middle. Every other write is one operation the
view commits. Money is integer won, with "currency": "KRW" on the object that holds it.
"""
from datetime import timezone

from flask import current_app, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.api import bp
from app.api.auth import (
    created, field_error, get_or_404, json_body, optional_body, refuse_unknown, require_user, validation_is_422,
)
from app.api.proposals import terms_json
from app.api.serializers import capped_page_json, iso, org_json, proposal_ref_json, user_public_json
from app.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.core.forms import api_form
from app.core.idempotency import commit, idempotent
from app.core.lookup import get_by_id
from app.core.pagination import page_args, paginate
from app.core.security import user_key
from app.core.timeutil import as_utc, utcnow
from app.extensions import db, limiter
from app.funding import closing, matching, queries, workflows
from app.funding import operations as ops
from app.funding.forms import (
    AnswerForm, DepositForm, MatchingPoolForm, OptionalReasonForm, QuestionForm, ReasonForm, RoundEditForm, RoundForm,
)
from app.funding.models import MatchingPool, Round, RoundQuestion
from app.funding.operations import ROUND_FIELDS
from app.funding.parameters import cancel_cutoff_hours
from app.funding.states import ROUND, RoundStatus
from app.proposals.models import Organization, Proposal
from app.proposals.queries import share_terms_of

R = RoundStatus
#: rounds still ahead of their close: they show the time left
RUNNING = (R.DRAFT.value, R.APPROVED.value, R.OPEN.value)
DATE_FIELDS = ("opens_at", "closes_at")


# shapes
def room_json(room, round_: Round | None = None) -> dict | None:
    """A backer's limits and what is left of them (None: no limit); with a round, the units that still fit."""
    if room is None:
        return None
    data = {"category": room.category, "per_proposal_limit_amount": room.issuer_limit,
            "per_year_limit_amount": room.year_limit, "per_proposal_used_amount": room.issuer_used,
            "per_year_used_amount": room.year_used, "per_proposal_left_amount": room.issuer_left,
            "per_year_left_amount": room.year_left, "left_amount": room.left, "currency": "KRW"}
    if round_ is not None:
        fits = round_.room_amount if room.left is None else min(room.left, round_.room_amount)
        data["left_units"] = fits // round_.unit_price
    return data


def pool_json(pool: MatchingPool) -> dict:
    """A matching pool: its terms, where it stands and what it can still promise."""
    return {"id": pool.id, "round_id": pool.round_id, "organization": org_json(pool.organization),
            "factor_bp": pool.factor_bp, "pledge_cap_amount": pool.pledge_cap_amount,
            "round_cap_amount": pool.round_cap_amount, "deposit_amount": pool.round_cap_amount,
            "reserved_amount": pool.reserved_amount, "matched_amount": pool.matched_amount,
            "left_amount": pool.left_amount, "status": pool.status, "status_label": str(pool.status_label),
            "deposited_at": iso(pool.deposited_at), "closed_at": iso(pool.closed_at),
            "created_at": iso(pool.created_at), "currency": "KRW"}


def _seconds_left(round_: Round) -> int:
    if round_.status not in RUNNING:
        return 0
    return max(int((as_utc(round_.closes_at) - utcnow()).total_seconds()), 0)


def round_summary_json(round_: Round) -> dict:
    """A round in a list: its numbers and dates."""
    return {"id": round_.id, "proposal": proposal_ref_json(round_.proposal), "status": round_.status,
            "status_label": str(round_.status_label), "target_amount": round_.target_amount,
            "cap_amount": round_.cap_amount, "unit_price": round_.unit_price, "min_units": round_.min_units,
            "raised_amount": round_.raised_amount, "committed_amount": round_.committed_amount,
            "matched_amount": round_.matched_amount, "backer_count": round_.backer_count,
            "percent_of_target": round_.percent_of_target(), "opens_at": iso(round_.opens_at),
            "closes_at": iso(round_.closes_at), "seconds_left": _seconds_left(round_), "currency": "KRW"}


def round_json(round_: Round, viewer) -> dict:
    """A round with its texts, the proposal's share terms, its matching pools, and the viewer's room and rights."""
    signed_in = bool(viewer and viewer.is_authenticated)
    data = {
        **round_summary_json(round_),
        "offering_summary": round_.offering_summary, "risk_statement": round_.risk_statement,
        "risk_version": round_.risk_version, "needed_amount": closing.needed_amount(round_),
        "room_amount": round_.room_amount, "units_left": round_.room_amount // round_.unit_price,
        "fee_amount": round_.fee_amount,
        "cancel_until": iso(round_.cancel_cutoff(cancel_cutoff_hours())),
        "share_terms": terms_json(share_terms_of(round_.proposal)),
        "matching_pools": [pool_json(p) for p in queries.pools_of(round_)],
        "my_room": room_json(queries.room_for(viewer, round_), round_) if signed_in else None,
        "approved_at": iso(round_.approved_at), "opened_at": iso(round_.opened_at),
        "closed_at": iso(round_.closed_at), "settled_at": iso(round_.settled_at), "created_at": iso(round_.created_at),
    }
    if signed_in:
        data["permissions"] = {
            "edit": round_.can_edit(viewer), "approve": round_.can_approve(viewer),
            "open": ROUND.can(round_, R.OPEN, viewer), "cancel": ROUND.can(round_, R.CANCELLED, viewer),
            "close": round_.can_close(viewer), "pledge": round_.can_pledge(viewer),
        }
    return data


def question_json(question: RoundQuestion) -> dict:
    """A backer's public question and the team's answer."""
    return {"id": question.id, "round_id": question.round_id, "author": user_public_json(question.author),
            "body": question.body, "answer": question.answer,
            "answered_by": user_public_json(question.answered_by) if question.answered_by else None,
            "answered_at": iso(question.answered_at), "created_at": iso(question.created_at)}


# lookups and input
def visible_round(round_id, viewer=current_user) -> Round:
    """The round, if this viewer may see it (drafts: the lead expert and stewards); else NotFound."""
    round_ = get_by_id(Round, round_id)
    if not queries.round_visible_to(round_, viewer):
        raise NotFound(code="round_not_found")
    return round_


def _round_values(form) -> dict:
    """The round fields the form read (those sent), times in UTC (SQLite keeps no offset)."""
    values, bad = {}, {}
    for name in ROUND_FIELDS:
        value = getattr(form, name).data
        if value is None:
            continue
        if name in DATE_FIELDS:
            try:
                value = as_utc(value).astimezone(timezone.utc)
            except OverflowError:
                value = None
            if value is None or not 2000 <= value.year <= 2999:
                bad[name] = [str(_l("Give a date and time."))]
                continue
        values[name] = value
    if bad:
        raise InvalidInput(_l("Some fields are not valid."), code="validation_failed", fields=bad)
    return values


def _round_answer(round_: Round, viewer):
    db.session.refresh(round_)  # the workflows change its totals in SQL
    return jsonify(round_json(round_, viewer))


# rounds
@bp.get("/rounds")
def list_rounds():
    """Public rounds (open first, by closing time, then the rest newest first); `?status=` filters; stewards may
    ask for `draft`."""
    page, per_page = page_args()
    status = request.args.get("status") or None
    if status is not None and status not in {s.value for s in RoundStatus}:
        msg = str(_l("Unknown status."))
        raise InvalidInput(msg, code="invalid_status", fields={"status": [msg]})
    if status == R.DRAFT.value:
        if not (current_user.is_authenticated and current_user.has_role("steward")):
            raise PermissionDenied(_l("Only stewards can do this."), code="not_steward")
        stmt = queries.draft_rounds_query()
    else:
        stmt = queries.rounds_query(status)
    pagination = paginate(stmt, page, per_page)
    return jsonify(capped_page_json([round_summary_json(r) for r in pagination.items], pagination))


@bp.get("/rounds/<int:round_id>")
def get_round(round_id):
    """One round; drafts only for the lead expert and stewards."""
    return jsonify(round_json(visible_round(round_id), current_user))


@bp.post("/proposals/<int:proposal_id>/rounds")
@validation_is_422
@idempotent
def post_round(proposal_id):
    """The lead expert drafts a round of a proposal in the funding stage, on its frozen share terms → 201."""
    user = require_user()
    proposal = get_or_404(Proposal, proposal_id)
    if not proposal.can_edit(user):  # before validating, so a stranger learns nothing from field errors
        raise PermissionDenied(_l("Only the lead expert drafts a round."), code="not_lead")
    form = api_form(RoundForm, json_body())
    round_ = ops.draft_round(proposal, user, _round_values(form))
    commit()
    return created(round_json(round_, user), url_for("api.get_round", round_id=round_.id))


@bp.patch("/rounds/<int:round_id>")
@validation_is_422
def patch_round(round_id):
    """The lead expert changes any of the draft's fields; a new risk statement is a new version."""
    user = require_user()
    round_ = visible_round(round_id, user)
    payload = json_body()
    refuse_unknown(payload, ROUND_FIELDS)
    if not round_.proposal.can_edit(user):
        raise PermissionDenied(_l("Only the lead expert edits a draft round."), code="not_lead")
    if round_.status != R.DRAFT.value:
        raise Conflict(_l("Only the lead expert edits a draft round."), code="not_draft")
    form = api_form(RoundEditForm, payload)
    ops.edit_round(round_, user, {k: v for k, v in _round_values(form).items() if k in payload})
    db.session.commit()
    return _round_answer(round_, user)


@bp.post("/rounds/<int:round_id>/approve")
@validation_is_422
def approve_round(round_id):
    """A steward who is not a party approves the draft `{reason?}`; it opens at `opens_at`."""
    user = require_user()
    round_ = visible_round(round_id, user)
    form = api_form(OptionalReasonForm, optional_body())
    ops.approve_round(round_, user, form.reason.data or None)
    db.session.commit()
    return _round_answer(round_, user)


@bp.post("/rounds/<int:round_id>/return")
@validation_is_422
def return_round(round_id):
    """Back to draft `{reason}` (the lead expert, or a steward asking for changes)."""
    user = require_user()
    round_ = visible_round(round_id, user)
    form = api_form(ReasonForm, json_body())
    ops.return_round(round_, user, form.reason.data)
    db.session.commit()
    return _round_answer(round_, user)


@bp.post("/rounds/<int:round_id>/open")
@validation_is_422
def open_round(round_id):
    """The lead expert or a steward opens an approved round now (before `opens_at`, it then runs from now)."""
    user = require_user()
    round_ = visible_round(round_id, user)
    ops.open_round(round_, user)
    db.session.commit()
    return _round_answer(round_, user)


@bp.post("/rounds/<int:round_id>/cancel")
@validation_is_422
def cancel_round(round_id):
    """Cancel `{reason}`: a round not yet open (the lead expert or a steward, saying why; the lead may withdraw their
    own draft without a reason), or an open one (a steward who is not a party, with a reason: every pledge is
    refunded). A pool's deposit goes back."""
    user = require_user()
    round_ = visible_round(round_id, user)
    if round_.status == R.OPEN.value:
        form = api_form(ReasonForm, json_body())
        closing.cancel_open_round(round_, user, form.reason.data)
    else:
        form = api_form(OptionalReasonForm, optional_body())
        ops.cancel_round(round_, user, form.reason.data)
    db.session.commit()
    workflows.close(round_, user)  # refunds the pledges, returns the pools' deposits; commits as it goes
    return _round_answer(round_, user)


@bp.post("/rounds/<int:round_id>/close")
@validation_is_422
def close_round(round_id):
    """A steward closes a round whose time is up, or finishes a closing (as `flask rounds close-due`); 409 before."""
    user = require_user()
    round_ = visible_round(round_id, user)
    if not user.has_role("steward"):
        raise PermissionDenied(_l("Only stewards can do this."), code="not_steward")
    workflows.close(round_, user)
    return _round_answer(round_, user)


# matching
@bp.post("/rounds/<int:round_id>/matching-pools")
@validation_is_422
@idempotent
def post_matching_pool(round_id):
    """A confirmed representative offers `{organization_id, factor_bp, pledge_cap_amount, round_cap_amount}` → 201
    pool awaiting its deposit (the round cap)."""
    user = require_user()
    round_ = visible_round(round_id, user)
    form = api_form(MatchingPoolForm, json_body())
    organization = get_by_id(Organization, form.organization_id.data) if form.organization_id.data else None
    if organization is None:
        raise field_error("organization_id", _l("There is no such organization or person."))
    pool = matching.create_pool(round_, organization, user, factor_bp=form.factor_bp.data,
                                pledge_cap_amount=form.pledge_cap_amount.data, round_cap_amount=form.round_cap_amount.data)
    commit()
    return jsonify(pool_json(pool)), 201


@bp.post("/matching-pools/<int:pool_id>/deposit")
@validation_is_422
def post_deposit(pool_id):
    """A steward who is not a party records that the deposit arrived `{reference}`; the pool starts matching."""
    user = require_user()
    pool = get_or_404(MatchingPool, pool_id)
    visible_round(pool.round_id, user)
    form = api_form(DepositForm, json_body())
    matching.record_deposit(pool, user, form.reference.data)
    db.session.commit()
    return jsonify(pool_json(pool))


# questions
@bp.get("/rounds/<int:round_id>/questions")
def list_questions(round_id):
    """The round's questions and the team's answers, oldest first."""
    page, per_page = page_args()
    pagination = paginate(queries.questions_query(visible_round(round_id)), page, per_page)
    return jsonify(capped_page_json([question_json(q) for q in pagination.items], pagination))


@bp.post("/rounds/<int:round_id>/questions")
@validation_is_422
@limiter.limit(lambda: current_app.config["COMMENTS_PER_USER"], key_func=user_key)
@idempotent
def post_question(round_id):
    """A verified user asks the team a public question `{body}` → 201."""
    user = require_user()
    round_ = visible_round(round_id, user)
    form = api_form(QuestionForm, json_body())
    question = ops.ask_question(round_, user, form.body.data)
    commit()
    return jsonify(question_json(question)), 201


@bp.post("/questions/<int:question_id>/answer")
@validation_is_422
def answer_question(question_id):
    """Someone who may post the proposal's updates answers `{answer}`, once."""
    user = require_user()
    question = get_or_404(RoundQuestion, question_id)
    visible_round(question.round_id, user)
    form = api_form(AnswerForm, json_body())
    ops.answer_question(question, user, form.answer.data)
    db.session.commit()
    return jsonify(question_json(question))
