"""The processor's side: webhook events applied once, and `reconcile` for what webhooks missed.

An event is stored by its id first (a second delivery finds it and does nothing); applying it
fetches the PaymentIntent from the API and records what it says, so events may come in any order
and any number of times. `reconcile` asks the API about every pledge whose state could still
change or be wrong, and reports each repair.
"""
import logging
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.core.sql import dialect_insert
from app.core.timeutil import as_utc, utcnow
from app.extensions import db
from app.funding import closing
from app.funding.gateway import GatewayError, gateway
from app.funding.models import PaymentEvent, Pledge
from app.funding.pledging import fail_pledge, record_payment
from app.funding.states import PledgeStatus

log = logging.getLogger(__name__)
P = PledgeStatus
#: a pledge with no payment recorded for this long, and none found at the processor, failed to start
ORPHAN_AFTER = timedelta(minutes=30)


def _pledge_for(payment_intent_id: str, reference: str | None) -> Pledge | None:
    pledge = db.session.scalar(sa.select(Pledge).where(Pledge.payment_intent_id == payment_intent_id))
    if pledge is None and reference:
        pledge = db.session.scalar(sa.select(Pledge).where(Pledge.reference == reference))
    return pledge


def receive_event(event: dict, now: datetime | None = None) -> tuple[str, Pledge | None]:
    """Store a verified event and apply it once (flush); (outcome, the pledge it touched)."""
    now = now or utcnow()
    event_id = str(event.get("id") or "")
    kind = str(event.get("type") or "")
    obj = (event.get("data") or {}).get("object") or {}
    if not event_id:
        return "no event id", None
    intent_id = obj.get("id") if obj.get("object") == "payment_intent" else None
    db.session.execute(dialect_insert(PaymentEvent).values(
        event_id=event_id[:100], type=kind[:60], payment_intent_id=intent_id, received_at=now)
        .on_conflict_do_nothing(index_elements=["event_id"]))
    stored = db.session.scalar(sa.select(PaymentEvent).where(PaymentEvent.event_id == event_id[:100])
                               .with_for_update())
    if stored.processed_at is not None:
        return "already processed", None
    outcome, pledge = "ignored", None
    if intent_id:
        reference = ((obj.get("metadata") or {}).get("pledge"))
        pledge = _pledge_for(intent_id, reference)
        if pledge is None:
            outcome = "no pledge for this payment"
        else:
            payment = gateway().fetch(intent_id)  # the API's state, not the event's
            outcome = record_payment(pledge, payment, now) or "nothing to change"
    stored.processed_at, stored.outcome = now, outcome[:200]
    db.session.flush()
    return outcome, pledge


def reconcile(now: datetime | None = None, progress=None) -> list[str]:
    """Compare every pledge that could still change with the processor; repair and refund; what changed.

    Commits after each pledge. Settled pledges are checked for refunds made outside the platform
    too (reported for a steward: their money is in a treasury already).
    """
    now = now or utcnow()
    changes: list[str] = []
    gw = gateway()
    last_id = 0
    states = (P.CREATED.value, P.SUCCEEDED.value, P.REFUND_PENDING.value, P.SETTLED.value)
    while True:
        batch = db.session.scalars(sa.select(Pledge).where(Pledge.status.in_(states), Pledge.id > last_id)
                                   .order_by(Pledge.id).limit(200)).all()
        if not batch:
            break
        for pledge in batch:
            last_id = pledge.id
            try:
                change = _reconcile_one(gw, pledge, now)
            except GatewayError as exc:
                db.session.rollback()
                change = f"pledge {pledge.id}: the processor did not answer ({exc})"
            if change:
                changes.append(change)
            db.session.commit()
            if progress:
                progress(1)
    return changes


def _reconcile_one(gw, pledge: Pledge, now: datetime) -> str:
    if pledge.payment_intent_id is None:
        payment = gw.find("pledge", pledge.reference)
        if payment is None:
            if pledge.status == P.CREATED.value and now - as_utc(pledge.created_at) > ORPHAN_AFTER:
                fail_pledge(pledge, "no payment was made", now)
                return f"pledge {pledge.id}: no payment was ever made; marked failed"
            return ""
    else:
        payment = gw.fetch(pledge.payment_intent_id)
    if payment.status == "pending" and pledge.status == P.CREATED.value and payment.client_secret is None \
            and now - as_utc(pledge.created_at) > ORPHAN_AFTER:
        return f"pledge {pledge.id}: payment {payment.id} is still processing"
    change = record_payment(pledge, payment, now)
    if pledge.status == P.REFUND_PENDING.value:
        db.session.commit()
        if closing.refund(pledge, now):
            change = (change + "; " if change else "") + f"pledge {pledge.id} refunded"
        else:
            change = (change + "; " if change else "") + f"pledge {pledge.id}: refund failed, will retry"
    return change
