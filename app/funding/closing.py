"""Closing rounds: all or nothing, idempotent and crash-safe.

`close_round` decides by the numbers (raised >= target x the success share) and commits the
decision first. A succeeded round then settles in one database transaction: escrow -> treasury
less the platform fee (-> fees), every paid pledge and match settled, the units issued on the cap
table; it happens whole or not at all. A failed (or cancelled) round marks every paid pledge
"refund pending" in one transaction, then refunds them one by one, each in its own transaction
after the processor's answer; killed halfway and run again, it carries on with the pledges still
pending, and the gateway finds a refund already made for a pledge instead of making a second.
"""
import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core.errors import Conflict
from app.core.formatting import format_when
from app.core.sql import dialect_insert
from app.core.timeutil import as_utc, utcnow
from app.extensions import db
from app.funding import matching
from app.funding.gateway import GatewayError, gateway
from app.funding.models import Holding, Match, MatchingPool, Pledge, Round
from app.funding.parameters import fee_bp, success_bp
from app.funding.pledging import escrow, note_refund_failure, record_payment, record_refund, record_refunds
from app.funding.signals import round_settled
from app.funding.states import PLEDGE, ROUND, PledgeStatus, RoundStatus
from app.ledger.operations import account, post

log = logging.getLogger(__name__)
P = PledgeStatus
BP = 10_000
CLOSED = (RoundStatus.SUCCEEDED.value, RoundStatus.FAILED.value, RoundStatus.CANCELLED.value)


def needed_amount(round_: Round) -> int:
    """Won a round must raise to succeed: the target times the success share, rounded up."""
    return -(-round_.target_amount * success_bp() // BP)


def decide(round_: Round, actor=None, now: datetime | None = None) -> bool:
    """Move an open round whose time is up to succeeded or failed (flush); False if it was not open or not due."""
    now = now or utcnow()
    if round_.status != RoundStatus.OPEN.value or as_utc(round_.closes_at) > now:
        return False
    db.session.refresh(round_)
    won = round_.raised_amount >= needed_amount(round_)
    to = RoundStatus.SUCCEEDED if won else RoundStatus.FAILED
    return ROUND.move_if(round_, to, actor, values={"closed_at": now},
                         data={"raised_amount": round_.raised_amount, "needed_amount": needed_amount(round_),
                               "backer_count": round_.backer_count})


def cancel_open_round(round_: Round, steward, reason: str, now: datetime | None = None) -> None:
    """A steward stops an open round (fraud, a broken promise): every pledge is refunded, with the reason public."""
    if not (reason or "").strip():
        from app.core.errors import InvalidInput

        raise InvalidInput(_l("Please say why."), code="validation_failed", fields={"reason": [str(_l("Please say why."))]})
    ROUND.move(round_, RoundStatus.CANCELLED, steward, reason=reason.strip(), values={"closed_at": now or utcnow()})


def settle(round_: Round, now: datetime | None = None) -> int:
    """A succeeded round, in one transaction: escrow -> treasury and fees, pledges and matches settled, units issued.
    Returns the pledges settled (0 if it was settled before)."""
    now = now or utcnow()
    if round_.status != RoundStatus.SUCCEEDED.value:
        raise Conflict(_l("Only a funded round settles."), code="not_succeeded")
    locked = db.session.execute(sa.update(Round).where(Round.id == round_.id, Round.settled_at.is_(None))
                                .values(settled_at=now).execution_options(synchronize_session=False))
    if locked.rowcount != 1:
        return 0
    db.session.refresh(round_)
    raised = round_.raised_amount
    fee = raised * fee_bp() // BP
    legs = [(escrow(round_.id), -raised), (account("proposal_treasury", "proposal", round_.proposal_id), raised - fee)]
    if fee:
        legs.append((account("fees"), fee))
    if raised:
        post("round.settle", f"round:{round_.id}", f"round:{round_.id}:settle", legs, at=now,
             data={"raised_amount": raised, "fee_amount": fee, "fee_bp": fee_bp()})
    db.session.execute(sa.update(Round).where(Round.id == round_.id).values(fee_amount=fee)
                       .execution_options(synchronize_session=False))
    settled = PLEDGE.move_all(Pledge, P.SUCCEEDED, P.SETTLED, Pledge.round_id == round_.id,
                              values={"settled_at": now})
    _issue_units(round_, now)
    db.session.execute(sa.update(Match).where(Match.status == "paid", Match.pool_id.in_(
        sa.select(MatchingPool.id).where(MatchingPool.round_id == round_.id))).values(status="settled")
        .execution_options(synchronize_session=False))
    matching.close_pools(round_, now)
    audit.record(None, "round.settled", round_, data={"raised_amount": raised, "fee_amount": fee,
                                                      "pledges": len(settled)}, at=now)
    round_settled.send(round_, count=len(settled))
    return len(settled)


def _issue_units(round_: Round, now: datetime) -> None:
    """Add the round's settled pledges and matches to the cap table, one INSERT ... SELECT per kind of holder."""
    table = Holding.__table__
    people = (sa.select(sa.literal(round_.proposal_id), Pledge.backer_id, sa.func.sum(Pledge.units),
                        sa.func.sum(Pledge.amount), sa.literal(now))
              .where(Pledge.round_id == round_.id, Pledge.status == P.SETTLED.value).group_by(Pledge.backer_id))
    insert = dialect_insert(Holding).from_select(["proposal_id", "user_id", "units", "invested_amount", "updated_at"],
                                                 people)
    db.session.execute(insert.on_conflict_do_update(
        index_elements=["proposal_id", "user_id"], index_where=sa.text("user_id IS NOT NULL"),
        set_={"units": table.c.units + insert.excluded.units,
              "invested_amount": table.c.invested_amount + insert.excluded.invested_amount,
              "updated_at": insert.excluded.updated_at}))
    organizations = (sa.select(sa.literal(round_.proposal_id), MatchingPool.organization_id, sa.func.sum(Match.units),
                               sa.func.sum(Match.amount), sa.literal(now))
                     .join(MatchingPool, MatchingPool.id == Match.pool_id)
                     .where(MatchingPool.round_id == round_.id, Match.status == "paid")
                     .group_by(MatchingPool.organization_id))
    insert = dialect_insert(Holding).from_select(
        ["proposal_id", "organization_id", "units", "invested_amount", "updated_at"], organizations)
    db.session.execute(insert.on_conflict_do_update(
        index_elements=["proposal_id", "organization_id"], index_where=sa.text("organization_id IS NOT NULL"),
        set_={"units": table.c.units + insert.excluded.units,
              "invested_amount": table.c.invested_amount + insert.excluded.invested_amount,
              "updated_at": insert.excluded.updated_at}))


def start_refunds(round_: Round, now: datetime | None = None) -> int:
    """A failed or cancelled round: every paid pledge becomes refund pending (one transaction), its matches go
    back to their pools, and the pools close. Returns the pledges marked."""
    now = now or utcnow()
    if round_.status not in (RoundStatus.FAILED.value, RoundStatus.CANCELLED.value):
        raise Conflict(_l("Only a round that did not succeed refunds its backers."), code="not_failed")
    reason = "round_failed" if round_.status == RoundStatus.FAILED.value else "round_cancelled"
    marked = PLEDGE.move_all(Pledge, P.SUCCEEDED, P.REFUND_PENDING, Pledge.round_id == round_.id,
                             values={"refund_reason": reason, "cancel_requested_at": now})
    matched = db.session.scalars(sa.select(Pledge).join(Match, Match.pledge_id == Pledge.id)
                                 .where(Pledge.round_id == round_.id, Match.status == "paid")).unique().all()
    for pledge in matched:
        matching.reverse_matches(pledge, now)
    for pledge in db.session.scalars(sa.select(Pledge).join(Match, Match.pledge_id == Pledge.id)
                                     .where(Pledge.round_id == round_.id, Match.status == "reserved")).unique().all():
        matching.release_matches(pledge)
    matching.close_pools(round_, now)
    return len(marked)


def refund(pledge: Pledge, now: datetime | None = None) -> bool:
    """Ask the processor to refund a pending pledge and record it (flush); False (and the error kept) if it failed.

    The processor is asked before anything is written, and the gateway looks for a refund it already
    made for this pledge, so running this twice never refunds twice.
    """
    if pledge.status != P.REFUND_PENDING.value:
        return False
    if pledge.payment_intent_id is None:
        note_refund_failure(pledge, "no payment to refund")
        return False
    try:
        made = gateway().refund(pledge.payment_intent_id, amount=pledge.amount,
                                metadata={"pledge": pledge.reference, "op": "refund"},
                                idempotency_key=pledge.key("refund"))
    except GatewayError as exc:
        log.warning("refund of pledge %s failed: %s", pledge.id, exc)
        note_refund_failure(pledge, str(exc))
        return False
    return record_refund(pledge, made.id, now)


#: refunds asked for at once (config REFUND_BATCH); the processor's calls are network-bound: threads overlap them
REFUND_WORKERS = 8


def refund_pending(round_id: int | None = None, progress=None, now: datetime | None = None) -> tuple[int, int]:
    """Refund every pledge awaiting one (of a round, or all): (refunded, still pending).

    In batches: the processor is asked for each batch's refunds at once, then the batch is recorded
    in one transaction. A refund made before a crash (asked for, never recorded) is found in the
    processor's listing of refunds, taken once per run, and recorded instead of being made again.
    """
    from concurrent.futures import ThreadPoolExecutor

    gw = gateway()
    stmt = sa.select(sa.func.min(Pledge.cancel_requested_at)).where(Pledge.status == P.REFUND_PENDING.value)
    if round_id is not None:
        stmt = stmt.where(Pledge.round_id == round_id)
    since = db.session.scalar(stmt)
    if since is None:
        return 0, 0
    try:
        known = gw.refunds_since(as_utc(since) - timedelta(days=1))
    except GatewayError as exc:
        log.warning("could not list the refunds already made: %s", exc)
        return 0, db.session.scalar(sa.select(sa.func.count(Pledge.id)).where(Pledge.status == P.REFUND_PENDING.value))
    done = failed = 0
    last_id = 0
    with ThreadPoolExecutor(REFUND_WORKERS) as pool:
        while True:
            stmt = sa.select(Pledge).where(Pledge.status == P.REFUND_PENDING.value, Pledge.id > last_id)
            if round_id is not None:
                stmt = stmt.where(Pledge.round_id == round_id)
            batch = db.session.scalars(stmt.order_by(Pledge.id).limit(current_app.config["REFUND_BATCH"])).all()
            if not batch:
                return done, failed
            last_id = batch[-1].id
            asks = [(p.id, p.payment_intent_id, p.amount, p.reference, p.key("refund")) for p in batch]

            def ask(item):
                pledge_id, payment_id, amount, reference, key = item
                if payment_id is None:
                    return pledge_id, None, "no payment to refund"
                try:
                    made = gw.refund(payment_id, amount=amount, metadata={"pledge": reference, "op": "refund"},
                                     idempotency_key=key, known=known.get(payment_id, ()))
                except GatewayError as exc:
                    return pledge_id, None, str(exc)
                return pledge_id, made.id, None

            answers = {pledge_id: (refund_id, error) for pledge_id, refund_id, error in pool.map(ask, asks)}
            refunded = [(p, answers[p.id][0]) for p in batch if answers[p.id][0]]
            done += record_refunds(refunded, now)
            for p in batch:
                if answers[p.id][1]:
                    log.warning("refund of pledge %s failed: %s", p.id, answers[p.id][1])
                    note_refund_failure(p, answers[p.id][1])
                    failed += 1
            db.session.commit()
            if progress:
                progress(len(batch))


def resolve_charging(round_: Round, now: datetime | None = None) -> int:
    """Before deciding, ask the processor about the round's pledges still being charged (each committed)."""
    changed = 0
    for pledge in db.session.scalars(sa.select(Pledge).where(
            Pledge.round_id == round_.id, Pledge.status == P.CREATED.value,
            Pledge.payment_intent_id.is_not(None)).order_by(Pledge.id)).all():
        try:
            payment = gateway().fetch(pledge.payment_intent_id)
        except GatewayError as exc:
            log.warning("could not fetch the payment of pledge %s: %s", pledge.id, exc)
            continue
        if record_payment(pledge, payment, now):
            changed += 1
        db.session.commit()
    return changed


def close_round(round_: Round, actor=None, now: datetime | None = None, progress=None) -> str:
    """Close a due round, or finish closing one: decide, then settle or refund. Commits as it goes; safe to rerun."""
    now = now or utcnow()
    if round_.status == RoundStatus.OPEN.value:
        if as_utc(round_.closes_at) > now:
            raise Conflict(_l("The round closes at %(when)s.", when=format_when(round_.closes_at)), code="not_due")
        resolve_charging(round_, now)
        decide(round_, actor, now)
        db.session.commit()
    if round_.status == RoundStatus.SUCCEEDED.value:
        if round_.settled_at is None:
            settle(round_, now)
            db.session.commit()
    elif round_.status in (RoundStatus.FAILED.value, RoundStatus.CANCELLED.value):
        if db.session.scalar(sa.select(Pledge.id).where(Pledge.round_id == round_.id,
                                                        Pledge.status == P.SUCCEEDED.value).limit(1)) is not None \
                or db.session.scalar(sa.select(MatchingPool.id).where(
                    MatchingPool.round_id == round_.id,
                    MatchingPool.status.in_(("active", "awaiting_deposit"))).limit(1)) is not None:
            start_refunds(round_, now)
            db.session.commit()
        refund_pending(round_.id, progress, now)
    else:
        raise Conflict(_l("This round is not open."), code="not_open")
    # a payment that arrived after the round closed is refunded too
    refund_pending(round_.id, progress, now)
    return round_.status


def due_rounds(now: datetime | None = None) -> list[Round]:
    """Rounds to close now, and closed rounds with work left (unsettled, pledges to refund), oldest first."""
    now = now or utcnow()
    open_due = sa.and_(Round.status == RoundStatus.OPEN.value, Round.closes_at <= now)
    unsettled = sa.and_(Round.status == RoundStatus.SUCCEEDED.value, Round.settled_at.is_(None))
    refunding = sa.and_(Round.status.in_(CLOSED), Round.id.in_(
        sa.select(Pledge.round_id).where(Pledge.status.in_((P.REFUND_PENDING.value, P.SUCCEEDED.value)))))
    return db.session.scalars(sa.select(Round).where(sa.or_(open_due, unsettled, refunding))
                              .order_by(Round.closes_at, Round.id)).all()


def fee_split(raised: int) -> tuple[int, int]:
    """(treasury, fee) of `raised` won under the current fee (for pages that preview a settlement)."""
    fee = raised * fee_bp() // BP
    return raised - fee, fee

