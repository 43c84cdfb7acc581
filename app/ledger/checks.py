"""`check()`: the ledger's invariants, and the features' own (registered with `register_check`), as violations.

Each check returns a list of sentences naming what is wrong ("transaction 12 (pledge.charge
pledge:4) sums to 500, not 0"); an empty list means the books are right. Every check is a few
aggregate queries over the whole ledger, on the entries' indexes.
"""
from collections.abc import Callable

import sqlalchemy as sa

from app.extensions import db
from app.ledger.kinds import find_kind
from app.ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction

Check = Callable[[], list[str]]
_CHECKS: dict[str, Check] = {}


def register_check(fn: Check) -> Check:
    """Add a check (a function returning violation sentences) run by `check()`; usable as a decorator."""
    _CHECKS[f"{fn.__module__}.{fn.__qualname__}"] = fn
    return fn


def registered_checks() -> list[str]:
    """The names of every registered check, the ledger's own first."""
    return list(_CHECKS)


def check() -> list[str]:
    """Every violation found by every check; a check that fails to run is itself a violation (and the session is
    rolled back, since PostgreSQL refuses further statements in a failed transaction)."""
    violations = []
    for name, fn in _CHECKS.items():
        try:
            violations.extend(fn())
        except Exception as exc:  # noqa: BLE001 - the other checks still run, and this one is reported
            db.session.rollback()
            violations.append(f"check {name} could not run: {type(exc).__name__}: {exc}")
    return violations


def _describe(transaction_id: int) -> str:
    txn = db.session.get(LedgerTransaction, transaction_id)
    return f"transaction {txn.id} ({txn.kind} {txn.reference})"


def _account(account_id: int) -> str:
    return repr(db.session.get(LedgerAccount, account_id)).strip("<>")


def _sums():
    return (sa.select(LedgerEntry.account_id, sa.func.sum(LedgerEntry.amount).label("total"))
            .group_by(LedgerEntry.account_id).subquery())


@register_check
def transactions_sum_to_zero() -> list[str]:
    """Every transaction has at least two entries and they sum to zero."""
    per_txn = (sa.select(LedgerTransaction.id, sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0),
                         sa.func.count(LedgerEntry.id))
               .outerjoin(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
               .group_by(LedgerTransaction.id)
               .having(sa.or_(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0) != 0,
                              sa.func.count(LedgerEntry.id) < 2))
               .order_by(LedgerTransaction.id))
    return [f"{_describe(tid)} sums to {total}, not 0" if total else f"{_describe(tid)} has {count} entries"
            for tid, total, count in db.session.execute(per_txn)]


@register_check
def cached_balances_equal_sums() -> list[str]:
    """Every account's cached balance equals the sum of its entries."""
    sums = _sums()
    total = sa.func.coalesce(sums.c.total, 0)
    rows = db.session.execute(sa.select(LedgerAccount.id, LedgerAccount.balance, total)
                              .outerjoin(sums, sums.c.account_id == LedgerAccount.id)
                              .where(LedgerAccount.balance != total).order_by(LedgerAccount.id))
    return [f"account {_account(aid)} has a cached balance of {cached} but its entries sum to {actual}"
            for aid, cached, actual in rows]


@register_check
def no_forbidden_negative_balances() -> list[str]:
    """No account of a kind that may not go negative sums below zero, and each account's flag matches its kind."""
    violations = []
    sums = _sums()
    rows = db.session.execute(sa.select(LedgerAccount.id, LedgerAccount.kind, LedgerAccount.may_go_negative,
                                        sa.func.coalesce(sums.c.total, 0))
                              .outerjoin(sums, sums.c.account_id == LedgerAccount.id).order_by(LedgerAccount.id))
    for aid, kind, flag, total in rows:
        spec = find_kind(kind)
        if spec is None:
            violations.append(f"account {_account(aid)} has an undeclared kind")
            continue
        if flag != spec.may_go_negative:
            violations.append(f"account {_account(aid)} may_go_negative={flag}, "
                              f"but its kind says {spec.may_go_negative}")
        if not spec.may_go_negative and total < 0:
            violations.append(f"account {_account(aid)} is negative: {total}")
    return violations


@register_check
def reversals_mirror_their_transactions() -> list[str]:
    """A reversal's entries are exactly its transaction's, negated."""
    original = sa.orm.aliased(LedgerTransaction)
    pairs = db.session.execute(sa.select(LedgerTransaction, original)
                               .join(original, original.id == LedgerTransaction.reverses_id)
                               .order_by(LedgerTransaction.id)).all()
    return [f"{_describe(rev.id)} does not mirror {_describe(orig.id)}" for rev, orig in pairs
            if rev.legs() != {aid: -amount for aid, amount in orig.legs().items()}]
