"""Pledge verbs: reserve room, record what the processor says, cancel, refund. They flush; callers commit.

A pledge goes through three transactions, never holding one open across a call to the processor
(`workflows.place_pledge` runs them): (1) `reserve_pledge` checks the rules and reserves the
pledge's won (and its match) under the round's cap in one conditional UPDATE, so concurrent
pledges can never pass the cap (a row lock on PostgreSQL, the database's single write lock on
SQLite; `CHECK (committed_amount <= cap_amount)` is the backstop); (2) the payment is created and
its id kept; (3) `record_payment` applies the processor's answer: booked processor -> escrow when
it succeeded, the room released when it failed. Webhooks and `flask payments reconcile` call
`record_payment` too, with the payment fetched from the API, so order and repetition do not matter.
"""
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.auth.models import User
from app.core.errors import Conflict, InvalidInput, PermissionDenied
from app.core.parties import is_party
from app.core.sql import dialect_insert
from app.core.timeutil import as_utc, utcnow
from app.extensions import db
from app.funding import matching
from app.funding.gateway import Payment
from app.funding.limits import backer_room
from app.funding.models import INVESTOR_CATEGORIES, Match, Pledge, RiskAcknowledgement, Round
from app.funding.parameters import cancel_cutoff_hours
from app.funding.signals import pledge_failed, pledge_paid, pledge_refunded, pledges_refunded
from app.funding.states import PLEDGE, PledgeStatus, RoundStatus
from app.ledger.operations import account, post, post_many

P = PledgeStatus
MAX_UNITS = 10**9
#: the forms a payment method id takes: PaymentMethods, and cards or sources from Stripe.js's tokens
PAYMENT_METHOD_PREFIXES = ("pm_", "card_", "src_")


class PledgeRefused(Conflict):
    """A rule refuses the pledge (closed round, over the cap, over a limit): 422 with a reason."""

    status = 422
    code = "pledge_refused"


def _invalid(name: str, message) -> InvalidInput:
    return InvalidInput(message, code="validation_failed", fields={name: [str(message)]})


def check_payment_method(value) -> str:
    """A payment method id as the processor's browser script or its test cards name it."""
    if not isinstance(value, str) or not value.startswith(PAYMENT_METHOD_PREFIXES) or not 4 <= len(value) <= 100 \
            or not value.replace("_", "").isalnum():
        raise _invalid("payment_method", _l("Enter a card (the payment method is missing or not valid)."))
    return value


def escrow(round_id: int):
    """The round's escrow account."""
    return account("round_escrow", "round", round_id)


def processor():
    """The payment processor's clearing account."""
    return account("processor")


def _lock_backer(user_id: int) -> None:
    """Serialize one backer's pledges, so two at once cannot both pass a limit (PostgreSQL: a row lock;
    SQLite: the write that reserves room takes the database's lock before any limit is read).

    FOR NO KEY UPDATE, not FOR UPDATE: rows that refer to the backer (a holding, a pledge, a risk
    acknowledgement) check their foreign key with FOR KEY SHARE, which FOR UPDATE blocks. A pledge being
    booked (the round locked) would then wait for the backer's next pledge, itself waiting for the round.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(User.id).where(User.id == user_id).with_for_update(key_share=True))


def reserve_pledge(round_: Round, user, units, *, investor_category: str | None = None,
                   risk_acknowledged: bool = False, now: datetime | None = None) -> Pledge:
    """Check the rules and reserve the pledge's won under the cap: a new pledge, "created", not yet charged."""
    now = now or utcnow()
    if not (user and user.is_authenticated):
        raise PermissionDenied(_l("Please log in first."), code="not_authenticated")
    if not user.can_participate():
        raise PermissionDenied(_l("Verify your email address before pledging."), code="not_verified")
    if is_party(round_, user):
        raise PermissionDenied(_l("The people behind a proposal (its lead expert, proposer and team) cannot back its "
                                 "round."), code="party_to_matter")
    if not isinstance(units, int) or isinstance(units, bool) or units < 1:
        raise _invalid("units", _l("Pledge a whole number of units, at least 1."))
    if units > MAX_UNITS:
        raise _invalid("units", _l("That is more units than the round has."))
    if units < round_.min_units:
        raise _invalid("units", _l("The smallest pledge is %(n)d units.", n=round_.min_units))
    if investor_category not in INVESTOR_CATEGORIES:
        raise _invalid("investor_category", _l("Choose your investor category."))
    if investor_category != "general" and investor_category != user.investor_category:
        raise PledgeRefused(_l("Your category counts once a steward has verified your evidence; until then you "
                               "pledge as a general investor."), code="category_not_verified")
    if risk_acknowledged is not True:
        raise _invalid("risk_acknowledged", _l("Read and accept the risk statement first."))
    if not (round_.status == RoundStatus.OPEN.value and as_utc(round_.opens_at) <= now < as_utc(round_.closes_at)):
        raise PledgeRefused(_l("This round is not taking pledges."), code="round_not_open")
    amount = units * round_.unit_price

    _lock_backer(user.id)
    # the reservation: one conditional UPDATE, so of concurrent pledges only those that fit get through (an amount
    # over the whole cap never fits, and may not fit a 64-bit integer either: SQLite would refuse the parameter)
    reserved = amount <= round_.cap_amount and db.session.execute(
        sa.update(Round).where(Round.id == round_.id, Round.status == RoundStatus.OPEN.value,
                               Round.committed_amount + amount <= Round.cap_amount)
        .values(committed_amount=Round.committed_amount + amount).execution_options(synchronize_session=False))
    if not reserved or reserved.rowcount != 1:
        db.session.refresh(round_)
        left_units = round_.room_amount // round_.unit_price
        raise PledgeRefused(_l("Only %(n)d units are left under the round's cap.", n=left_units), code="over_cap")
    room = backer_room(user, round_.proposal_id, now)
    passed = room.which(amount)
    if passed is not None:
        left = room.left or 0
        message = (_l("This is over your limit per proposal: you may pledge %(left)s won more to it.", left=f"{left:,}")
                   if passed == "issuer" else
                   _l("This is over your limit for 12 months: you may pledge %(left)s won more.", left=f"{left:,}"))
        raise PledgeRefused(message, code="over_limit")
    db.session.execute(dialect_insert(RiskAcknowledgement).values(
        user_id=user.id, round_id=round_.id, version=round_.risk_version, acknowledged_at=now)
        .on_conflict_do_nothing(index_elements=["user_id", "round_id", "version"]))
    pledge = Pledge(round_id=round_.id, backer_id=user.id, proposal_id=round_.proposal_id, units=units, amount=amount,
                    reference=secrets.token_hex(12), status=P.CREATED.value, investor_category=investor_category,
                    created_at=now)
    db.session.add(pledge)
    db.session.flush()
    matching.reserve_matches(round_, pledge, user)
    db.session.refresh(round_)
    return pledge


def record_payment(pledge: Pledge, payment: Payment, now: datetime | None = None) -> str:
    """Apply what the processor says about the pledge's payment; returns what changed ("" if nothing).

    Safe to call any number of times, in any order, from the pledge flow, a webhook or reconcile:
    each change is a compare-and-set on the pledge's state, and each booking has its own ledger key.
    """
    now = now or utcnow()
    if payment.metadata.get("pledge") not in (None, pledge.reference) or payment.amount != pledge.amount:
        raise Conflict(_l("The payment does not belong to this pledge."), code="payment_mismatch")
    if pledge.payment_intent_id is None:
        pledge.payment_intent_id = payment.id
        db.session.flush()
    changed = ""
    if payment.status == "succeeded" and pledge.status == P.CREATED.value:
        changed = _book_charge(pledge, now)
    elif payment.status in ("failed", "canceled") and pledge.status == P.CREATED.value:
        changed = fail_pledge(pledge, payment.error or "declined", now)
    if payment.status == "succeeded" and payment.refunded_amount >= pledge.amount:
        changed = (changed + "; " if changed else "") + _refunded_outside(pledge, payment, now)
    return changed


def _book_charge(pledge: Pledge, now: datetime) -> str:
    if not PLEDGE.move_if(pledge, P.SUCCEEDED, values={"succeeded_at": now, "last_error": None}):
        return ""
    post("pledge.charge", f"pledge:{pledge.id}", pledge.key("charge"),
         [(processor(), -pledge.amount), (escrow(pledge.round_id), pledge.amount)], at=now)
    status = db.session.scalar(sa.select(Round.status).where(Round.id == pledge.round_id))
    if status != RoundStatus.OPEN.value:
        # paid after the round closed: the money goes back (the refund runs after this commits)
        PLEDGE.move(pledge, P.REFUND_PENDING, values={"refund_reason": "late_payment", "cancel_requested_at": now})
        _release_matches(pledge)
        return f"pledge {pledge.id} paid after its round closed: refund due"
    db.session.execute(sa.update(Round).where(Round.id == pledge.round_id).values(  # locks the round's row
        raised_amount=Round.raised_amount + pledge.amount).execution_options(synchronize_session=False))
    if _has_no_other_money_in(pledge):  # read under the lock, so two of one backer's pledges count once
        db.session.execute(sa.update(Round).where(Round.id == pledge.round_id).values(
            backer_count=Round.backer_count + 1).execution_options(synchronize_session=False))
    matching.pay_matches(pledge, now)
    round_ = db.session.get(Round, pledge.round_id)
    db.session.expire(round_, ["raised_amount", "committed_amount", "matched_amount", "backer_count"])
    pledge_paid.send(pledge, round=round_)
    return f"pledge {pledge.id} succeeded"


def _has_no_other_money_in(pledge: Pledge) -> bool:
    """Whether the backer has no other paid pledge in the round (read after the round's row is locked)."""
    return db.session.scalar(sa.select(sa.func.count(Pledge.id)).where(
        Pledge.round_id == pledge.round_id, Pledge.backer_id == pledge.backer_id, Pledge.id != pledge.id,
        Pledge.status == P.SUCCEEDED.value)) == 0


def fail_pledge(pledge: Pledge, error: str, now: datetime) -> str:
    """The payment failed: the pledge is failed and its room (and matches) released; nothing was booked."""
    if not PLEDGE.move_if(pledge, P.FAILED, values={"failed_at": now, "last_error": (error or "")[:300]}):
        return ""
    db.session.execute(sa.update(Round).where(Round.id == pledge.round_id).values(
        committed_amount=Round.committed_amount - pledge.amount).execution_options(synchronize_session=False))
    _release_matches(pledge)
    pledge_failed.send(pledge, round=db.session.get(Round, pledge.round_id))
    return f"pledge {pledge.id} failed: {error}"


def _release_matches(pledge: Pledge) -> None:
    matching.release_matches(pledge)


def cancel_pledge(pledge: Pledge, user, now: datetime | None = None) -> None:
    """The backer cancels until the cutoff before closing: the room is freed and a refund is due at once."""
    now = now or utcnow()
    if not pledge.is_backer(user):
        raise PermissionDenied(_l("Only the backer can cancel a pledge."), code="not_backer")
    if pledge.status in (P.REFUND_PENDING.value, P.REFUNDED.value):
        raise Conflict(_l("This pledge is already cancelled."), code="already_cancelled")
    if pledge.status == P.CREATED.value:
        raise Conflict(_l("The payment is still being processed; try again in a minute."), code="processing")
    if pledge.status != P.SUCCEEDED.value:
        raise Conflict(_l("Only a paid pledge in an open round can be cancelled."), code="not_cancellable")
    round_ = db.session.get(Round, pledge.round_id)
    hours = cancel_cutoff_hours()
    if round_.status != RoundStatus.OPEN.value or now >= round_.cancel_cutoff(hours):
        raise Conflict(_l("Pledges can be cancelled until %(hours)d hours before the round closes.", hours=hours),
                       code="past_cutoff")
    if not PLEDGE.move_if(pledge, P.REFUND_PENDING, user, values={"cancel_requested_at": now,
                                                                   "refund_reason": "cancelled"}):
        raise Conflict(_l("This pledge is already cancelled."), code="already_cancelled")
    _take_out_of_open_round(pledge, round_, now)


def _take_out_of_open_round(pledge: Pledge, round_: Round, now: datetime) -> None:
    """A paid pledge leaves an open round: its match goes back to the pool, its won and backer leave the totals."""
    match_amount = matching.reverse_matches(pledge, now)
    db.session.execute(sa.update(Round).where(Round.id == round_.id).values(  # locks the round's row
        raised_amount=Round.raised_amount - pledge.amount - match_amount,
        committed_amount=Round.committed_amount - pledge.amount - match_amount,
        matched_amount=Round.matched_amount - match_amount).execution_options(synchronize_session=False))
    if _has_no_other_money_in(pledge):
        db.session.execute(sa.update(Round).where(Round.id == round_.id).values(
            backer_count=Round.backer_count - 1).execution_options(synchronize_session=False))
    db.session.refresh(round_)


def record_refund(pledge: Pledge, refund_id: str, now: datetime | None = None) -> bool:
    """The processor refunded the pledge: book escrow -> processor, once. False if it was already recorded."""
    now = now or utcnow()
    if not PLEDGE.move_if(pledge, P.REFUNDED, values={"refunded_at": now, "refund_id": refund_id,
                                                      "last_error": None}):
        return False
    post("pledge.refund", f"pledge:{pledge.id}", pledge.key("refund"),
         [(escrow(pledge.round_id), -pledge.amount), (processor(), pledge.amount)], at=now)
    pledge_refunded.send(pledge, round=db.session.get(Round, pledge.round_id))
    return True


def record_refunds(refunds: list[tuple[Pledge, str]], now: datetime | None = None) -> int:
    """Many refunds the processor made (a closing round's): each pledge refunded and booked escrow -> processor
    once, in a few statements; pledges already recorded are left as they are. Returns the pledges recorded."""
    now = now or utcnow()
    if not refunds:
        return 0
    ids = [p.id for p, _refund_id in refunds]
    pending = set(db.session.scalars(sa.select(Pledge.id).where(Pledge.id.in_(ids),
                                                                Pledge.status == P.REFUND_PENDING.value)))
    todo = [(p, refund_id) for p, refund_id in refunds if p.id in pending]
    if not todo:
        return 0
    processor_account = processor()
    escrows = {round_id: escrow(round_id) for round_id in {p.round_id for p, _r in todo}}
    post_many([("pledge.refund", f"pledge:{p.id}", p.key("refund"),
                [(escrows[p.round_id], -p.amount), (processor_account, p.amount)]) for p, _r in todo], at=now)
    PLEDGE.move_each(Pledge, P.REFUND_PENDING, P.REFUNDED, [
        {"id": p.id, "refunded_at": now, "refund_id": refund_id, "last_error": None} for p, refund_id in todo])
    for p, _refund_id in todo:
        db.session.expire(p)
    pledges_refunded.send(escrows, pledge_ids=[p.id for p, _r in todo])
    return len(todo)


def note_refund_failure(pledge: Pledge, error: str) -> None:
    """A refund that did not go through stays pending, to be retried; the attempt and the error are kept."""
    db.session.execute(sa.update(Pledge).where(Pledge.id == pledge.id).values(
        refund_attempts=Pledge.refund_attempts + 1, last_error=(error or "")[:300])
        .execution_options(synchronize_session=False))
    db.session.refresh(pledge)


def _refunded_outside(pledge: Pledge, payment: Payment, now: datetime) -> str:
    """The processor shows the payment refunded, but our records do not: someone refunded it elsewhere."""
    if pledge.status == P.SUCCEEDED.value:
        round_ = db.session.get(Round, pledge.round_id)
        PLEDGE.move(pledge, P.REFUND_PENDING, values={"cancel_requested_at": now, "refund_reason": "outside"})
        if round_.status == RoundStatus.OPEN.value:
            _take_out_of_open_round(pledge, round_, now)
        else:
            matching.reverse_matches(pledge, now)
    if pledge.status == P.REFUND_PENDING.value:
        refund_id = next((rid for rid, _amount, _meta in payment.refunds), "outside")
        if record_refund(pledge, refund_id, now):
            return f"pledge {pledge.id} was refunded outside the platform: recorded"
    if pledge.status == P.SETTLED.value:
        return f"pledge {pledge.id} is settled but was refunded outside the platform: a steward must look"
    return ""


def pledges_awaiting_refund(round_id: int | None = None, limit: int | None = None) -> list[Pledge]:
    """Pledges whose refund is due or failed before, oldest first."""
    stmt = sa.select(Pledge).where(Pledge.status == P.REFUND_PENDING.value)
    if round_id is not None:
        stmt = stmt.where(Pledge.round_id == round_id)
    stmt = stmt.order_by(Pledge.id)
    return db.session.scalars(stmt.limit(limit) if limit else stmt).all()


def matches_of(pledge: Pledge) -> list[Match]:
    """The pledge's matches."""
    return db.session.scalars(sa.select(Match).where(Match.pledge_id == pledge.id)).all()
