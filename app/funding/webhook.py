"""POST /stripe/webhook: the processor's signed events, each stored by id and applied once.

The signature is checked before anything is read; a forged, stale or malformed request gets 400
and writes nothing. A verified event is applied in one transaction with its record, so a crash
leaves it unprocessed for the processor's next delivery. A payment that succeeded after its round
closed is refunded right after (its own transaction).
"""
import logging

from flask import jsonify, request

from app.extensions import csrf, db, limiter
from app.funding import bp, closing
from app.funding.gateway import GatewayError, WebhookRejected, gateway
from app.funding.payments import receive_event
from app.funding.states import PledgeStatus

log = logging.getLogger(__name__)


@bp.post("/stripe/webhook")
@csrf.exempt
@limiter.exempt
def stripe_webhook():
    """Verify, store once, apply from the API's state."""
    try:
        event = gateway().verify_webhook(request.get_data(cache=False), request.headers.get("Stripe-Signature"))
    except WebhookRejected as exc:
        log.warning("webhook refused: %s", exc)
        return jsonify(error={"code": "invalid_signature", "message": "The signature does not check out.",
                              "fields": {}}), 400
    try:
        outcome, pledge = receive_event(event)
        db.session.commit()
    except GatewayError as exc:  # the API could not be asked: let the processor deliver it again
        db.session.rollback()
        log.warning("webhook %s not applied: %s", event.get("id"), exc)
        return jsonify(error={"code": "retry_later", "message": "Try again later.", "fields": {}}), 503
    if pledge is not None and pledge.status == PledgeStatus.REFUND_PENDING.value:
        closing.refund(pledge)
        db.session.commit()
    return jsonify(received=True, outcome=outcome)
