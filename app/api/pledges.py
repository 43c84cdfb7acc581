"""API: pledges (charged at once into a round's escrow), the backer's portfolio, and the investor category with its
requests and decisions.

Pledging and cancelling run the workflows the pages run (`app.funding.workflows`): they commit between their steps,
because a call to the payment processor sits in the middle, so an Idempotency-Key is claimed with the pledge's
reservation (`idempotent_workflow`). Money is integer won, with "currency": "KRW" on the object that holds it.
"""
import hashlib
from functools import wraps

import sqlalchemy as sa
from flask import jsonify, make_response, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.api import bp
from app.api.auth import created, field_error, get_or_404, json_body, require_user, validation_is_422
from app.api.revenue import health_json
from app.api.rounds import visible_round
from app.api.serializers import iso, org_json, proposal_ref_json, user_public_json
from app.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from app.core.forms import api_form
from app.core.idempotency import MAX_KEY_LENGTH, IdempotencyRecord, commit, idempotent
from app.core.lookup import get_by_id
from app.core.timeutil import utcnow
from app.distribution import queries as revenue_queries
from app.extensions import db
from app.funding import queries, workflows
from app.funding import operations as ops
from app.funding.forms import CategoryRequestForm, DecisionForm, PledgeForm
from app.funding.models import INVESTOR_CATEGORIES, InvestorProfile, Pledge
from app.funding.parameters import cancel_cutoff_hours, limits_for
from app.funding.pledging import PledgeRefused, matches_of
from app.funding.states import PledgeStatus, RoundStatus
from app.funding.workflows import PaymentPending

#: basis points in a whole: a multiple of 2x is 20000
BP = 10_000


# shapes
def pledge_json(pledge: Pledge, *, with_matches: bool = False) -> dict:
    """A pledge (its backer's view): units, won, state and the time of each state."""
    round_ = pledge.round
    cutoff = round_.cancel_cutoff(cancel_cutoff_hours())
    data = {"id": pledge.id, "round_id": pledge.round_id, "proposal": proposal_ref_json(round_.proposal),
            "units": pledge.units, "amount": pledge.amount, "currency": "KRW", "status": pledge.status,
            "status_label": str(pledge.status_label), "investor_category": pledge.investor_category,
            "refund_reason": pledge.refund_reason, "last_error": pledge.last_error,
            "cancellable": (pledge.status == PledgeStatus.SUCCEEDED.value and round_.status == RoundStatus.OPEN.value
                            and utcnow() < cutoff),
            "cancel_until": iso(cutoff),
            "created_at": iso(pledge.created_at), "succeeded_at": iso(pledge.succeeded_at),
            "failed_at": iso(pledge.failed_at), "cancel_requested_at": iso(pledge.cancel_requested_at),
            "refunded_at": iso(pledge.refunded_at), "settled_at": iso(pledge.settled_at)}
    if with_matches:
        data["matches"] = [{"pool_id": m.pool_id, "organization": org_json(m.pool.organization), "units": m.units,
                            "amount": m.amount, "status": m.status, "currency": "KRW"} for m in matches_of(pledge)]
    return data


def category_request_json(profile: InvestorProfile) -> dict:
    """A request to count as a qualified or professional investor (for its backer and stewards)."""
    return {"id": profile.id, "user": user_public_json(profile.user), "requested_category": profile.requested_category,
            "evidence": profile.evidence, "status": profile.status, "status_label": str(profile.status_label),
            "reason": profile.reason, "created_at": iso(profile.created_at), "decided_at": iso(profile.decided_at)}


def _own_pledge(pledge_id, user) -> Pledge:
    """The user's own pledge; anyone else's is not found."""
    pledge = get_by_id(Pledge, pledge_id)
    if pledge is None or not pledge.is_backer(user):
        raise NotFound(code="pledge_not_found")
    return pledge


# pledges
def _fingerprint() -> str:
    return hashlib.sha256(request.method.encode() + b" " + request.path.encode() + b"\n"
                          + request.get_data()).hexdigest()


def _record(scope: str, key: str) -> IdempotencyRecord | None:
    return db.session.scalar(sa.select(IdempotencyRecord).where(IdempotencyRecord.scope == scope,
                                                                IdempotencyRecord.key == key))


def _stored_response(scope: str, key: str, fingerprint: str):
    """The first response for this key; 409 if the key came with another request or its request is still running;
    None if the key is new."""
    record = _record(scope, key)
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        raise Conflict(_l("This Idempotency-Key was used with a different request."), code="idempotency_key_reused")
    if record.status_code is None:
        raise Conflict(_l("A request with this Idempotency-Key is still in progress."), code="idempotency_in_progress")
    return make_response(record.response_body, record.status_code, {"Content-Type": "application/json"})


def idempotent_workflow(view):
    """Idempotency-Key for a write whose workflow commits on its own (a pledge: reserve, charge, book).

    The key's record is added before the view runs, so it is committed with the workflow's first step (the
    pledge's reservation) or not at all: a refusal before that leaves nothing, and the retry runs again. Once
    committed, the key belongs to that pledge: the response is stored when the view answers, and a retry gets it
    (or 409 while the first request still runs; never a second charge). Of two requests with one key at once, the
    second's first commit fails on the key and takes nothing. A worker killed between the reservation and its answer
    leaves the key in progress: its retries get 409, and the pledge is in the backer's portfolio.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if not key or not current_user.is_authenticated:
            return view(*args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            raise InvalidInput(_l("The Idempotency-Key is too long."), code="invalid_idempotency_key")
        scope, fingerprint = f"user:{current_user.id}", _fingerprint()
        stored = _stored_response(scope, key, fingerprint)
        if stored is not None:
            return stored
        record = IdempotencyRecord(scope=scope, key=key, fingerprint=fingerprint)
        db.session.add(record)
        try:
            response = make_response(view(*args, **kwargs))
        except sa.exc.IntegrityError:
            db.session.rollback()
            stored = _stored_response(scope, key, fingerprint)
            if stored is None:
                raise
            return stored
        except DomainError as exc:
            db.session.rollback()
            record = _record(scope, key)
            if record is None:
                raise  # refused before anything was committed: nothing to keep, a retry runs again
            body = {"error": {"code": exc.code, "message": str(exc.message), "fields": exc.fields}}
            response = make_response(jsonify(body), exc.status)
        record.status_code, record.response_body = response.status_code, response.get_data(as_text=True)
        db.session.commit()
        return response

    return wrapper


@bp.post("/rounds/<int:round_id>/pledges")
@idempotent_workflow
@validation_is_422
def post_pledge(round_id):
    """A verified backer pledges whole units `{units, payment_method, investor_category, risk_acknowledged}`, charged
    at once into the round's escrow → 201. 202: the processor has not answered for sure (the pledge is processing);
    422 card_declined: the failed pledge is recorded (its id in the error)."""
    user = require_user()
    round_ = visible_round(round_id, user)
    form = api_form(PledgeForm, json_body())
    try:
        pledge = workflows.place_pledge(round_, user, form.units.data, form.payment_method.data,
                                        investor_category=form.investor_category.data,
                                        risk_acknowledged=form.risk_acknowledged.data)
    except PaymentPending as pending:
        if getattr(pending, "pledge", None) is None:
            raise
        return jsonify(pledge_json(pending.pledge)), 202
    except PledgeRefused as refused:
        pledge = getattr(refused, "pledge", None)
        if refused.code != "card_declined" or pledge is None:
            raise
        message = str(refused.message)
        return jsonify({"error": {"code": refused.code, "message": message, "pledge_id": pledge.id,
                                  "pledge": pledge_json(pledge),
                                  "fields": {"payment_method": [message], "pledge_id": [str(pledge.id)]}}}), 422
    return created(pledge_json(pledge, with_matches=True), url_for("api.get_pledge", pledge_id=pledge.id))


@bp.get("/pledges/<int:pledge_id>")
def get_pledge(pledge_id):
    """One of my pledges, with its matches."""
    return jsonify(pledge_json(_own_pledge(pledge_id, require_user()), with_matches=True))


@bp.post("/pledges/<int:pledge_id>/cancel")
@validation_is_422
def cancel_pledge(pledge_id):
    """The backer cancels until the cutoff before closing: the room is freed and the money refunded (a refund the
    processor refuses stays `refund_pending` and is retried)."""
    user = require_user()
    pledge = _own_pledge(pledge_id, user)
    workflows.cancel(pledge, user)
    return jsonify(pledge_json(pledge, with_matches=True))


@bp.get("/me/portfolio")
def get_portfolio():
    """Per proposal I backed: units held, won invested, refunded and in escrow, and my pledges; and what the units
    have earned: won received (gross), the multiple so far (received / invested, in basis points) and the proposal's
    payment health."""
    user = require_user()
    rows = queries.portfolio(user)
    ids = [row["proposal"].id for row in rows]
    received, healths = revenue_queries.received_by_proposal(user.id, ids), revenue_queries.healths(ids)
    items = []
    for row in rows:
        proposal, invested = row["proposal"], row["invested_amount"]
        got = received.get(proposal.id, 0)
        items.append({"proposal": proposal_ref_json(proposal), "units": row["units"], "invested_amount": invested,
                      "refunded_amount": row["refunded_amount"], "in_escrow_amount": row["in_escrow_amount"],
                      "received_amount": got, "multiple_bp": got * BP // invested if invested else None,
                      "payment_health": health_json(healths[proposal.id]), "currency": "KRW",
                      "pledges": [pledge_json(p) for p in row["pledges"]]})
    return jsonify({"items": items})


# investor category
@bp.get("/me/investor")
def get_investor():
    """My verified investor category, its limits in won and what is left over 12 months, and my latest request."""
    user = require_user()
    room = queries.year_room(user)
    latest = queries.verification_of(user)

    def limits(category):
        both = limits_for(category)
        return {"category": category, "per_proposal_limit_amount": both[0] if both else None,
                "per_year_limit_amount": both[1] if both else None, "currency": "KRW"}

    return jsonify({**limits(room.category), "per_year_used_amount": room.year_used,
                    "per_year_left_amount": room.year_left,
                    "latest_request": category_request_json(latest) if latest else None,
                    "categories": [limits(c) for c in INVESTOR_CATEGORIES]})


@bp.post("/me/investor-category-requests")
@validation_is_422
@idempotent
def post_category_request():
    """Ask to count as a qualified or professional investor `{category, evidence}`; a steward checks it → 201."""
    user = require_user()
    form = api_form(CategoryRequestForm, json_body())
    profile = ops.request_category(user, form.category.data, form.evidence.data)
    commit()
    return jsonify(category_request_json(profile)), 201


@bp.get("/investor-category-requests")
def list_category_requests():
    """Requests waiting for a steward, oldest first (stewards)."""
    user = require_user()
    if not user.has_role("steward"):
        raise PermissionDenied(_l("Only stewards can do this."), code="not_steward")
    return jsonify({"items": [category_request_json(p) for p in queries.pending_verifications()]})


@bp.post("/investor-category-requests/<int:request_id>/decision")
@validation_is_422
def decide_category_request(request_id):
    """A steward who is not the backer verifies `{approve: true, reason}` (it counts from now) or declines."""
    user = require_user()
    profile = get_or_404(InvestorProfile, request_id)
    payload = json_body()
    form = api_form(DecisionForm, payload)
    if not isinstance(payload.get("approve"), bool):  # no default: a verdict is said, never assumed
        raise field_error("approve", _l("Choose one of the listed options."))
    ops.decide_category(profile, user, form.approve.data, form.reason.data)
    db.session.commit()
    return jsonify(category_request_json(profile))
