"""Municipal matching (Goteo's matchfunding, Barcelona's 1:1): an organization's pool adds to citizens' pledges.

A pool is promised by a confirmed representative (factor, cap per pledge, cap for the round) and
counts once its deposit (the round cap) has arrived, recorded by a steward who is not a party:
bank -> pool. A pledge reserves its match with its own room (both under the round's cap); when the
pledge is paid, the match moves pool -> escrow; when it fails, the reservation is released; when it
is cancelled or refunded, the match goes back escrow -> pool. The organization receives the
matched units when the round succeeds; what is left of the deposit goes back when the round closes.
"""
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core.errors import Conflict, InvalidInput, PermissionDenied
from app.core.timeutil import utcnow
from app.extensions import db
from app.funding.models import Match, MatchingPool, Pledge, Round
from app.funding.states import MATCHING_POOL, PoolStatus, RoundStatus
from app.ledger.operations import account, post
from app.ledger.queries import balance
from app.proposals.models import Membership, Organization

BP = 10_000
MAX_AMOUNT = 10**13


def pool_account(pool_id: int):
    """The pool's ledger account (its deposit, less what it matched)."""
    return account("matching_pool", "matching_pool", pool_id)


def create_pool(round_: Round, organization: Organization, user, *, factor_bp, pledge_cap_amount,
                round_cap_amount) -> MatchingPool:
    """A confirmed representative promises a matching pool for a round that has not closed."""
    if not Organization.represented_by(organization.id, user):
        raise PermissionDenied(_l("Only a confirmed representative of the organization can offer matching."),
                               code="not_representative")
    if round_.status not in (RoundStatus.DRAFT.value, RoundStatus.APPROVED.value, RoundStatus.OPEN.value):
        raise Conflict(_l("This round is closed."), code="round_closed")
    fields = {}
    if not _whole(factor_bp, 1, 10 * BP):
        fields["factor_bp"] = _l("Use basis points from 1 to 100000 (10000 matches won for won).")
    if not _whole(pledge_cap_amount, round_.unit_price):
        fields["pledge_cap_amount"] = _l("Use whole won, at least the price of one unit.")
    if not _whole(round_cap_amount, round_.unit_price):
        fields["round_cap_amount"] = _l("Use whole won, at least the price of one unit.")
    elif _whole(pledge_cap_amount, 1) and round_cap_amount < pledge_cap_amount:
        fields["round_cap_amount"] = _l("The cap for the round must be at least the cap per pledge.")
    if fields:
        raise InvalidInput(_l("Some fields are not valid."), code="validation_failed",
                           fields={k: [str(v)] for k, v in fields.items()})
    exists = db.session.scalar(sa.select(MatchingPool.id).where(MatchingPool.round_id == round_.id,
                                                                MatchingPool.organization_id == organization.id))
    if exists is not None:
        raise Conflict(_l("This organization already offers matching for this round."), code="pool_exists")
    pool = MatchingPool(round_id=round_.id, organization_id=organization.id, created_by_id=user.id,
                        factor_bp=factor_bp, pledge_cap_amount=pledge_cap_amount, round_cap_amount=round_cap_amount)
    db.session.add(pool)
    db.session.flush()
    audit.record(user, "matching_pool.offered", pool, data={"round_id": round_.id, "factor_bp": factor_bp,
                                                            "pledge_cap_amount": pledge_cap_amount,
                                                            "round_cap_amount": round_cap_amount})
    return pool


def _whole(value, minimum: int, maximum: int = MAX_AMOUNT) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum


def record_deposit(pool: MatchingPool, steward, reference: str) -> None:
    """The deposit arrived (a bank transfer): a steward who is not a party records it, and the pool matches."""
    reference = (reference or "").strip()
    if not 2 <= len(reference) <= 120:
        raise InvalidInput(_l("Give the transfer's reference."), code="validation_failed",
                           fields={"reference": [str(_l("Give the transfer's reference."))]})
    round_ = db.session.get(Round, pool.round_id)
    if round_.status not in (RoundStatus.DRAFT.value, RoundStatus.APPROVED.value, RoundStatus.OPEN.value):
        raise Conflict(_l("This round is closed."), code="round_closed")
    MATCHING_POOL.move(pool, PoolStatus.ACTIVE, steward, data={"reference": reference},
                       values={"deposit_reference": reference, "deposited_at": utcnow(),
                               "deposit_recorded_by_id": steward.id})
    post("matching_pool.deposit", f"matching_pool:{pool.id}", f"matching_pool:{pool.id}:deposit",
         [(account("bank"), -pool.round_cap_amount), (pool_account(pool.id), pool.round_cap_amount)],
         data={"reference": reference})


def _represents(user_id: int, organization_id: int) -> bool:
    return db.session.scalar(sa.select(Membership.id).where(
        Membership.user_id == user_id, Membership.organization_id == organization_id,
        Membership.confirmed_at.is_not(None))) is not None


def match_for(pool: MatchingPool, amount: int, unit_price: int, cap_room: int) -> int:
    """What the pool adds to a pledge of `amount` won: the factor, within both caps and the round's room,
    in whole units (rounded down)."""
    wanted = min(amount * pool.factor_bp // BP, pool.pledge_cap_amount, pool.left_amount, cap_room)
    return max(wanted, 0) // unit_price * unit_price


def reserve_matches(round_: Round, pledge: Pledge, backer) -> int:
    """Reserve each active pool's match for a new pledge, with the pledge's room; returns the won reserved."""
    pools = db.session.scalars(sa.select(MatchingPool).where(
        MatchingPool.round_id == round_.id, MatchingPool.status == PoolStatus.ACTIVE.value)
        .order_by(MatchingPool.id)).all()
    total = 0
    for pool in pools:
        if _represents(backer.id, pool.organization_id):
            continue  # no one matches their own pledge with their organization's money
        db.session.refresh(round_)
        db.session.refresh(pool)
        amount = match_for(pool, pledge.amount, round_.unit_price, round_.room_amount)
        if amount <= 0:
            continue
        took = db.session.execute(sa.update(MatchingPool).where(
            MatchingPool.id == pool.id, MatchingPool.status == PoolStatus.ACTIVE.value,
            MatchingPool.reserved_amount + amount <= MatchingPool.round_cap_amount)
            .values(reserved_amount=MatchingPool.reserved_amount + amount).execution_options(synchronize_session=False))
        if took.rowcount != 1:
            continue
        room = db.session.execute(sa.update(Round).where(
            Round.id == round_.id, Round.committed_amount + amount <= Round.cap_amount)
            .values(committed_amount=Round.committed_amount + amount).execution_options(synchronize_session=False))
        if room.rowcount != 1:
            db.session.execute(sa.update(MatchingPool).where(MatchingPool.id == pool.id).values(
                reserved_amount=MatchingPool.reserved_amount - amount).execution_options(synchronize_session=False))
            continue
        db.session.add(Match(pledge_id=pledge.id, pool_id=pool.id, units=amount // round_.unit_price, amount=amount))
        total += amount
    db.session.flush()
    return total


def _matches(pledge: Pledge, status: str) -> list[Match]:
    # the match alone: its pool, round and proposal (joined by default) are not needed here
    return db.session.scalars(sa.select(Match).options(so.lazyload("*"))
                              .where(Match.pledge_id == pledge.id, Match.status == status).order_by(Match.id)).all()


def _set(match: Match, frm: str, to: str) -> bool:
    done = db.session.execute(sa.update(Match).where(Match.id == match.id, Match.status == frm).values(status=to)
                              .execution_options(synchronize_session=False))
    db.session.refresh(match)
    return done.rowcount == 1


def pay_matches(pledge: Pledge, now: datetime | None = None) -> int:
    """The pledge is paid: its reserved matches move pool -> escrow and count as raised."""
    from app.funding.pledging import escrow

    total = 0
    for match in _matches(pledge, "reserved"):
        if not _set(match, "reserved", "paid"):
            continue
        post("match.pay", f"match:{match.id}", f"match:{match.id}:pay",
             [(pool_account(match.pool_id), -match.amount), (escrow(pledge.round_id), match.amount)], at=now)
        db.session.execute(sa.update(MatchingPool).where(MatchingPool.id == match.pool_id).values(
            matched_amount=MatchingPool.matched_amount + match.amount).execution_options(synchronize_session=False))
        total += match.amount
    if total:
        db.session.execute(sa.update(Round).where(Round.id == pledge.round_id).values(
            raised_amount=Round.raised_amount + total, matched_amount=Round.matched_amount + total)
            .execution_options(synchronize_session=False))
    return total


def release_matches(pledge: Pledge) -> int:
    """The pledge was never paid: its reservations go back to the pools and the round's room."""
    total = 0
    for match in _matches(pledge, "reserved"):
        if not _set(match, "reserved", "released"):
            continue
        db.session.execute(sa.update(MatchingPool).where(MatchingPool.id == match.pool_id).values(
            reserved_amount=MatchingPool.reserved_amount - match.amount).execution_options(synchronize_session=False))
        total += match.amount
    if total:
        db.session.execute(sa.update(Round).where(Round.id == pledge.round_id).values(
            committed_amount=Round.committed_amount - total).execution_options(synchronize_session=False))
    return total


def reverse_matches(pledge: Pledge, now: datetime | None = None) -> int:
    """The pledge's money goes back: its paid matches move escrow -> pool (the caller fixes an open round's
    totals). Returns the won reversed."""
    from app.funding.pledging import escrow

    total = 0
    for match in _matches(pledge, "paid"):
        if not _set(match, "paid", "reversed"):
            continue
        post("match.reverse", f"match:{match.id}", f"match:{match.id}:reverse",
             [(escrow(pledge.round_id), -match.amount), (pool_account(match.pool_id), match.amount)], at=now)
        db.session.execute(sa.update(MatchingPool).where(MatchingPool.id == match.pool_id).values(
            reserved_amount=MatchingPool.reserved_amount - match.amount,
            matched_amount=MatchingPool.matched_amount - match.amount).execution_options(synchronize_session=False))
        total += match.amount
    return total


def close_pools(round_: Round, now: datetime | None = None) -> None:
    """The round closed: each pool's unused deposit goes back to its organization; unfunded offers lapse."""
    now = now or utcnow()
    for pool in db.session.scalars(sa.select(MatchingPool).where(MatchingPool.round_id == round_.id)
                                   .order_by(MatchingPool.id)).all():
        if pool.status == PoolStatus.AWAITING_DEPOSIT.value:
            MATCHING_POOL.move(pool, PoolStatus.CANCELLED, reason="round closed before the deposit")
        elif pool.status == PoolStatus.ACTIVE.value:
            left = balance(pool_account(pool.id))
            if left > 0:
                post("matching_pool.return", f"matching_pool:{pool.id}", f"matching_pool:{pool.id}:return",
                     [(pool_account(pool.id), -left), (account("bank"), left)], at=now)
            MATCHING_POOL.move(pool, PoolStatus.CLOSED, values={"closed_at": now}, data={"returned_amount": left})


def cancel_pool(pool: MatchingPool, user) -> None:
    """The organization withdraws an offer whose deposit has not arrived."""
    if not Organization.represented_by(pool.organization_id, user):
        raise PermissionDenied(_l("Only a confirmed representative of the organization can do this."),
                               code="not_representative")
    MATCHING_POOL.move(pool, PoolStatus.CANCELLED, user)
