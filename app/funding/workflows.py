"""Flows with a call to the payment processor in the middle: they commit between steps, so no database
transaction stays open across a network call, and every step is recorded before the next one starts.

Pages, the API and the CLI call these (and commit nothing more); everything else in funding flushes only.
"""
import logging

from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError
from app.extensions import db
from app.funding import closing
from app.funding.gateway import GatewayError, gateway
from app.funding.models import Pledge, Round
from app.core.timeutil import utcnow
from app.funding.pledging import (
    PledgeRefused, cancel_pledge, check_payment_method, fail_pledge, record_payment, reserve_pledge,
)
from app.funding.states import PledgeStatus

log = logging.getLogger(__name__)


class PaymentPending(DomainError):
    """The processor has not answered for sure; the pledge stays "processing" and is checked again."""

    status = 202
    code = "payment_pending"
    default_message = _l("Your payment is being processed. Your portfolio shows when it is done.")


def place_pledge(round_: Round, user, units, payment_method, *, investor_category=None,
                 risk_acknowledged=False) -> Pledge:
    """Reserve, charge and book a pledge. A declined card leaves a failed pledge (and raises PledgeRefused after
    committing it); an unclear answer leaves it processing, for the webhook or reconcile to settle (PaymentPending).
    Either exception carries the committed pledge as `.pledge`."""
    payment_method = check_payment_method(payment_method)
    pledge = reserve_pledge(round_, user, units, investor_category=investor_category,
                            risk_acknowledged=risk_acknowledged)
    db.session.commit()
    try:
        charge(pledge, payment_method)
    except PaymentPending as pending:
        pending.pledge = pledge  # the caller answers with the pledge still processing
        raise
    if pledge.status == PledgeStatus.FAILED.value:
        refused = PledgeRefused(_l("The card was declined: %(error)s", error=pledge.last_error or ""),
                                code="card_declined")
        refused.pledge = pledge  # the failed pledge is recorded: the caller may name it
        raise refused
    return pledge


def charge(pledge: Pledge, payment_method: str) -> Pledge:
    """Create the payment (its id committed), confirm it, and record the answer (committed)."""
    gw = gateway()
    amount, metadata = pledge.amount, {"pledge": pledge.reference, "pledge_id": pledge.id, "round_id": pledge.round_id}
    create_key, confirm_key = pledge.key("create"), pledge.key("confirm")  # read once: commits expire the row
    try:
        created = gw.create(amount=amount, payment_method=payment_method, metadata=metadata,
                            idempotency_key=create_key)
    except GatewayError as exc:
        db.session.rollback()
        if exc.permanent:  # the processor answered that this card cannot be used: nothing was charged
            fail_pledge(pledge, str(exc), utcnow())
            db.session.commit()
            return pledge
        log.warning("payment for pledge %s not created: %s", pledge.id, exc)
        raise PaymentPending() from exc
    record_payment(pledge, created)
    db.session.commit()
    try:
        payment = gw.confirm(created.id, idempotency_key=confirm_key)
    except GatewayError as exc:
        db.session.rollback()
        log.warning("payment %s for pledge %s not confirmed: %s", created.id, pledge.id, exc)
        raise PaymentPending() from exc
    record_payment(pledge, payment)
    db.session.commit()
    if pledge.status == PledgeStatus.REFUND_PENDING.value:  # paid just after the round closed
        closing.refund(pledge)
        db.session.commit()
    return pledge


def cancel(pledge: Pledge, user) -> Pledge:
    """The backer cancels: the room is freed at once (committed), then the refund is asked for (committed)."""
    cancel_pledge(pledge, user)
    db.session.commit()
    closing.refund(pledge)
    db.session.commit()
    return pledge


def close(round_: Round, actor=None, now=None, progress=None) -> str:
    """Close a due round or finish closing it (see `closing.close_round`)."""
    return closing.close_round(round_, actor, now, progress)
