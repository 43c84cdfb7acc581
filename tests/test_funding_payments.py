"""The processor's side, against a real localstripe: webhooks once in any order, lost answers, late payments,
refunds made elsewhere or failing, reconcile."""
import json
import random

import pytest
import sqlalchemy as sa

from app.core.timeutil import as_utc
from app.funding.gateway import gateway, use_gateway
from app.funding.models import PaymentEvent, Pledge
from app.funding.pledging import reserve_pledge
from app.funding.stripe_gateway import StripeGateway
from app.ledger.models import LedgerTransaction
from app.ledger.queries import balance, find_account
from scripts.localstripe_server import free_port
from tests.fixtures.funding import (
    CARD, DECLINED, close_at_end, deliver, ledger_violations, processor_events, signed,
)


def charged_behind_our_back(db, round_, user, units=1, card=CARD):
    """A pledge reserved and charged at the processor, whose answer never reached our records (a crash)."""
    pledge = reserve_pledge(round_, user, units, investor_category="general", risk_acknowledged=True)
    db.session.commit()
    gw = gateway()
    created = gw.create(amount=pledge.amount, payment_method=card, metadata={"pledge": pledge.reference},
                        idempotency_key=pledge.key("create"))
    gw.confirm(created.id, idempotency_key=pledge.key("confirm"))
    return pledge, created.id


def snapshot(db, round_) -> dict:
    db.session.expire_all()
    pledges = db.session.scalars(sa.select(Pledge).where(Pledge.round_id == round_.id).order_by(Pledge.id)).all()
    db.session.refresh(round_)
    charges = db.session.scalar(sa.select(sa.func.count(LedgerTransaction.id)).where(
        LedgerTransaction.kind == "pledge.charge", LedgerTransaction.reference.in_([f"pledge:{p.id}" for p in pledges])))
    return {"statuses": [p.status for p in pledges], "raised": round_.raised_amount,
            "committed": round_.committed_amount, "backers": round_.backer_count,
            "escrow": balance(find_account("round_escrow", "round", round_.id)), "charges": charges}


def test_webhooks_three_times_in_shuffled_order_equal_one_ordered_delivery(db, client, create_round, create_user,
                                                                            payments):
    states = []
    for delivery in ("ordered", "shuffled"):
        round_ = create_round()
        users = [create_user() for _ in range(4)]
        intents = [charged_behind_our_back(db, round_, users[0], 2)[1],
                   charged_behind_our_back(db, round_, users[1], 3)[1],
                   charged_behind_our_back(db, round_, users[0], 1)[1]]
        try:
            charged_behind_our_back(db, round_, users[2], 4, card=DECLINED)
        except Exception:  # noqa: BLE001 - the processor refuses the card; its event still comes
            pass
        events = [e for e in processor_events(payments) if e["data"]["object"]["metadata"].get("pledge") in {
            p.reference for p in db.session.scalars(sa.select(Pledge).where(Pledge.round_id == round_.id))}]
        assert len(events) == 4 and len({e["data"]["object"]["id"] for e in events} & set(intents)) == 3
        batch = events if delivery == "ordered" else random.Random(7).sample(events * 3, len(events) * 3)
        for event in batch:
            assert deliver(client, event).status_code == 200
        states.append(snapshot(db, round_))
    assert states[0] == states[1]
    assert states[0]["statuses"] == ["succeeded", "succeeded", "succeeded", "failed"]
    assert states[0]["charges"] == 3 and states[0]["backers"] == 2 and states[0]["raised"] == 60_000
    assert db.session.scalar(sa.select(sa.func.count(PaymentEvent.id))) == 8  # each event stored once
    assert ledger_violations() == []


def test_a_forged_or_stale_webhook_is_refused_and_changes_nothing(db, client, create_round, create_user, payments):
    round_ = create_round()
    pledge, intent = charged_behind_our_back(db, round_, create_user())
    # this payment's event: localstripe serves the whole run, and its `created` is whole seconds
    event = [e for e in processor_events(payments) if e["data"]["object"]["id"] == intent][-1]
    assert deliver(client, event, secret="whsec_someone_else").status_code == 400
    assert deliver(client, event, at=1_000_000_000).status_code == 400  # signed in 2001: a replay
    tampered = {**event, "data": {"object": {**event["data"]["object"], "amount": 1}}}
    _body, signature = signed(event)  # a signature over the original body
    response = client.post("/stripe/webhook", data=json.dumps(tampered, sort_keys=True),
                           headers={"Stripe-Signature": signature, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert client.post("/stripe/webhook", data=b"{}").status_code == 400
    db.session.refresh(pledge)
    assert pledge.status == "created" and db.session.scalar(sa.select(sa.func.count(PaymentEvent.id))) == 0
    assert deliver(client, event).get_json()["outcome"] == f"pledge {pledge.id} succeeded"
    assert deliver(client, event).get_json()["outcome"] == "already processed"


def test_a_payment_that_succeeds_after_its_round_failed_is_refunded(db, client, create_round, create_user, payments):
    round_ = create_round(target_amount=1_000_000)
    pledge = reserve_pledge(round_, create_user(), 2, investor_category="general", risk_acknowledged=True)
    db.session.commit()
    gw = gateway()
    created = gw.create(amount=pledge.amount, payment_method=CARD, metadata={"pledge": pledge.reference},
                        idempotency_key=pledge.key("create"))
    pledge.payment_intent_id = created.id
    db.session.commit()
    assert close_at_end(round_) == "failed"  # the payment was still unconfirmed: nothing to refund yet
    assert pledge.status == "created"
    gw.confirm(created.id, idempotency_key=pledge.key("confirm"))
    event = [e for e in processor_events(payments) if e["data"]["object"]["id"] == created.id][-1]
    assert deliver(client, event).status_code == 200
    db.session.refresh(pledge)
    assert (pledge.status, pledge.refund_reason) == ("refunded", "late_payment")
    assert gw.fetch(created.id).refunded_amount == pledge.amount
    assert balance(find_account("round_escrow", "round", round_.id)) == 0
    assert ledger_violations() == []


def test_reconcile_books_a_charge_whose_answer_was_lost(db, create_round, create_user, payments):
    from app.funding.payments import reconcile

    round_ = create_round()
    pledge, intent = charged_behind_our_back(db, round_, create_user(), 3)
    assert pledge.payment_intent_id is None  # we never heard back
    changes = reconcile()
    assert changes == [f"pledge {pledge.id} succeeded"]
    db.session.refresh(pledge)
    assert pledge.status == "succeeded" and pledge.payment_intent_id == intent
    assert reconcile() == []  # nothing left to repair
    assert ledger_violations() == []


def test_reconcile_records_a_refund_made_outside_the_platform(db, create_round, place, create_user, payments):
    from app.funding.payments import reconcile

    round_ = create_round()
    pledge = place(round_, create_user(), units=2)
    gateway().refund(pledge.payment_intent_id, amount=pledge.amount, metadata={"by": "dashboard"},
                     idempotency_key="outside-1")
    changes = reconcile()
    assert changes == [f"pledge {pledge.id} was refunded outside the platform: recorded"]
    db.session.refresh(pledge), db.session.refresh(round_)
    assert (pledge.status, pledge.refund_reason) == ("refunded", "outside")
    assert (round_.raised_amount, round_.committed_amount, round_.backer_count) == (0, 0, 0)
    assert gateway().fetch(pledge.payment_intent_id).refunded_amount == pledge.amount  # not refunded twice
    assert ledger_violations() == []


def test_a_failed_refund_stays_pending_and_is_retried_never_forced(app, db, create_round, place, create_user,
                                                                   payments):
    from app.funding.closing import refund_pending
    from app.funding.workflows import cancel

    round_ = create_round()
    backer = create_user()
    pledge = place(round_, backer, units=2)
    unreachable = StripeGateway("sk_test_gops", api_base=f"http://127.0.0.1:{free_port()}", timeout=2)
    use_gateway(unreachable)  # a real connection refused: the processor is down
    try:
        cancel(pledge, backer)
        assert (pledge.status, pledge.refund_attempts) == ("refund_pending", 1) and pledge.last_error
        assert refund_pending() == (0, 1)
    finally:
        use_gateway(None)
    db.session.refresh(round_)
    assert round_.raised_amount == 0  # the room is free at once; the money waits in escrow for its refund
    assert balance(find_account("round_escrow", "round", round_.id)) == pledge.amount
    assert ledger_violations() == []
    assert refund_pending() == (1, 0)
    db.session.refresh(pledge)
    assert pledge.status == "refunded" and gateway().fetch(pledge.payment_intent_id).refunded_amount == pledge.amount
    assert ledger_violations() == []


def test_a_refund_made_just_before_a_crash_is_not_made_again(db, create_round, place, create_user, payments):
    from app.funding.workflows import close

    round_ = create_round(target_amount=1_000_000)
    pledges = [place(round_, create_user(), units=2) for _ in range(3)]
    first = pledges[0]
    # the refund went through at the processor, then the process died before recording it
    gateway().refund(first.payment_intent_id, amount=first.amount, metadata={"pledge": first.reference, "op": "refund"},
                     idempotency_key=first.key("refund"))
    assert close(round_, now=as_utc(round_.closes_at)) == "failed"
    for pledge in pledges:
        db.session.refresh(pledge)
        assert pledge.status == "refunded"
        assert gateway().fetch(pledge.payment_intent_id).refunded_amount == pledge.amount
    assert ledger_violations() == []
