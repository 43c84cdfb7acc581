"""Ledger verbs: `account` (get or create), `post` (the one way money moves) and `reverse`. They flush, never commit.

How `post` stays right under concurrency: it locks the rows of the accounts it touches before
reading their balances (PostgreSQL: `SELECT ... FOR UPDATE` in id order, so two posts never wait
on each other crosswise; SQLite: a write that takes the database's single write lock, so writers
are serialized until commit), then looks for its idempotency key again, checks the balances,
and writes. Of two posts with one key, the second finds the first once it gets the lock (or, if
they touch different accounts, hits the unique key, inside a savepoint, and returns the first).
The account row's CHECK and the unique constraints are the database's backstop for all of it.
"""
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from app.core.sql import dialect_insert
from app.core.timeutil import utcnow
from app.extensions import db
from app.ledger.errors import InsufficientBalance, KeyConflict, PostingError
from app.ledger.kinds import get_kind
from app.ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction
from app.ledger.queries import owner_reference, reversal_of, transaction_by_key

#: amounts and balances are signed 64-bit integers in the database
MAX_AMOUNT = 2**63 - 1
REVERSAL = "reversal"


def account(kind: str, owner_type: str | None = None, owner_id: int | None = None) -> LedgerAccount:
    """The account of `kind` owned by (owner_type, owner_id), made on first use; two callers at once get one."""
    owner_type, owner_id = owner_reference(kind, owner_type, owner_id)
    where = (LedgerAccount.kind == kind, LedgerAccount.owner_type == owner_type, LedgerAccount.owner_id == owner_id)
    found = db.session.scalar(sa.select(LedgerAccount).where(*where))
    if found is None:
        db.session.execute(dialect_insert(LedgerAccount).values(
            kind=kind, owner_type=owner_type, owner_id=owner_id, may_go_negative=get_kind(kind).may_go_negative,
            balance=0, created_at=utcnow()).on_conflict_do_nothing(index_elements=["kind", "owner_type", "owner_id"]))
        found = db.session.scalar(sa.select(LedgerAccount).where(*where))
    return found


def accounts(kind: str, owner_type: str, owner_ids) -> dict[int, LedgerAccount]:
    """The accounts of `kind` for many owners at once ({owner id: account}), made where missing: a few statements
    however many owners (a distribution's wallets)."""
    owner_ids = sorted(set(owner_ids))
    spec = get_kind(kind)
    for owner_id in owner_ids[:1]:
        owner_reference(kind, owner_type, owner_id)  # the kind and owner type agree (and ids are positive ints)
    if any(type(i) is not int or i <= 0 for i in owner_ids):
        raise PostingError(f"a {kind} account needs the positive integer id of its {owner_type}")
    found: dict[int, LedgerAccount] = {}
    now = utcnow()
    for start in range(0, len(owner_ids), CHUNK):
        chunk = owner_ids[start:start + CHUNK]
        where = (LedgerAccount.kind == kind, LedgerAccount.owner_type == owner_type, LedgerAccount.owner_id.in_(chunk))
        have = {a.owner_id: a for a in db.session.scalars(sa.select(LedgerAccount).where(*where))}
        missing = [i for i in chunk if i not in have]
        if missing:
            db.session.execute(dialect_insert(LedgerAccount).on_conflict_do_nothing(
                index_elements=["kind", "owner_type", "owner_id"]),
                [{"kind": kind, "owner_type": owner_type, "owner_id": i, "may_go_negative": spec.may_go_negative,
                  "balance": 0, "created_at": now} for i in missing])
            have.update({a.owner_id: a for a in db.session.scalars(sa.select(LedgerAccount).where(
                LedgerAccount.kind == kind, LedgerAccount.owner_type == owner_type,
                LedgerAccount.owner_id.in_(missing)))})
        found.update(have)
    return found


#: ids per IN (...) list: well under SQLite's and PostgreSQL's limits on bound parameters
CHUNK = 500


def post(kind: str, reference: str, idempotency_key: str, entries: Iterable[tuple[LedgerAccount, int]], *,
         data: dict | None = None, at: datetime | None = None) -> LedgerTransaction:
    """Record one movement: `entries` are (account, signed won) pairs summing to zero, each account once.

    The same idempotency key posted again returns the first transaction; with other entries, kind or
    reference it is a KeyConflict. A movement that would take a wallet, an escrow or any other account
    that may not go negative below zero raises InsufficientBalance and writes nothing.
    """
    return _post(kind, reference, idempotency_key, _legs(entries), data=data, at=at)


def reverse(transaction: LedgerTransaction, idempotency_key: str, reason: str) -> LedgerTransaction:
    """Correct a transaction by posting its mirror (every amount negated); each transaction is reversed at most once."""
    if not isinstance(reason, str) or not reason.strip():
        raise PostingError("a reversal needs a reason")
    legs = _legs((e.account, -e.amount) for e in transaction.entries)
    return _post(REVERSAL, transaction.reference, idempotency_key, legs, data={"reason": reason.strip()},
                 reverses=transaction)


def _legs(entries) -> list[tuple[LedgerAccount, int]]:
    """The entries checked (integer won, nonzero, each account once, summing to zero), in account id order."""
    legs = list(entries)
    if len(legs) < 2:
        raise PostingError("a transaction needs at least two entries")
    seen = set()
    for leg in legs:
        if not (isinstance(leg, tuple) and len(leg) == 2):
            raise PostingError(f"an entry is an (account, amount) pair, not {leg!r}")
        acct, amount = leg
        if not isinstance(acct, LedgerAccount) or acct.id is None:
            raise PostingError(f"not a stored ledger account: {acct!r}")
        if type(amount) is not int:  # bool, float, Decimal and numpy numbers are all refused
            raise PostingError(f"amounts are int won, not {type(amount).__name__}: {amount!r}")
        if amount == 0 or abs(amount) > MAX_AMOUNT:
            raise PostingError(f"an entry's amount must be nonzero and fit in 64 bits: {amount}")
        if acct.id in seen:  # refused, not merged: a merged leg would hide which movement it came from
            raise PostingError(f"{acct!r} appears twice in one transaction")
        seen.add(acct.id)
    total = sum(amount for _acct, amount in legs)
    if total != 0:
        raise PostingError(f"the entries sum to {total}, not 0")
    return sorted(legs, key=lambda leg: leg[0].id)


def _text(name: str, value, limit: int) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise PostingError(f"{name} must be a non-empty string of at most {limit} characters: {value!r}")
    return value


def _same(first: LedgerTransaction, kind: str, reference: str, legs, reverses) -> LedgerTransaction:
    """The first transaction posted with a key, if this call asked for the same movement; else a conflict."""
    wanted = {acct.id: amount for acct, amount in legs}
    if (first.kind, first.reference, first.reverses_id, first.legs()) != (
            kind, reference, reverses.id if reverses else None, wanted):
        raise KeyConflict("ledger_key_reused", first.id)
    return first


def _lock(legs) -> dict[int, tuple[int, bool]]:
    """Lock the legs' account rows until commit and read them fresh: {id: (balance, may_go_negative)}."""
    table = LedgerAccount.__table__
    ids = sorted({acct.id for acct, _amount in legs})
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if not postgres:  # SQLite has one write lock per database: a write takes it, and it is held until commit
        db.session.execute(sa.update(table).where(table.c.id == ids[0]).values(balance=table.c.balance))
    rows = {}
    for start in range(0, len(ids), CHUNK):
        stmt = sa.select(table.c.id, table.c.balance, table.c.may_go_negative).where(
            table.c.id.in_(ids[start:start + CHUNK]))
        if postgres:
            stmt = stmt.order_by(table.c.id).with_for_update()
        rows.update({row.id: (row.balance, row.may_go_negative) for row in db.session.execute(stmt)})
    return rows


def _post(kind, reference, idempotency_key, legs, *, data=None, at=None, reverses=None) -> LedgerTransaction:
    _text("kind", kind, 40)
    _text("reference", reference, 120)
    _text("idempotency_key", idempotency_key, 200)
    if data is not None and not isinstance(data, dict):
        raise PostingError("data must be a dict")
    first = transaction_by_key(idempotency_key)
    if first is not None:
        return _same(first, kind, reference, legs, reverses)
    rows = _lock(legs)
    first = transaction_by_key(idempotency_key)  # posted by someone who held the lock before us
    if first is not None:
        return _same(first, kind, reference, legs, reverses)
    if reverses is not None and reversal_of(reverses) is not None:
        raise KeyConflict("ledger_already_reversed", reverses.id)
    for acct, amount in legs:
        current, may_go_negative = rows[acct.id]
        if not may_go_negative and current + amount < 0:
            raise InsufficientBalance(acct.id, current, amount)
    transaction = LedgerTransaction(kind=kind, reference=reference, idempotency_key=idempotency_key,
                                    reverses_id=reverses.id if reverses else None, data=data or {},
                                    created_at=at or utcnow())
    try:
        with db.session.begin_nested():  # a concurrent post with this key, on other accounts, may win the key
            db.session.add(transaction)
            db.session.flush()
    except sa.exc.IntegrityError:
        first = transaction_by_key(idempotency_key)
        if first is None:
            raise
        return _same(first, kind, reference, legs, reverses)
    db.session.add_all(LedgerEntry(transaction=transaction, account_id=acct.id, amount=amount) for acct, amount in legs)
    table = LedgerAccount.__table__
    add = sa.update(table).where(table.c.id == sa.bindparam("account"))
    db.session.execute(add.values(balance=table.c.balance + sa.bindparam("delta")),  # in SQL: no lost update
                       [{"account": acct.id, "delta": amount} for acct, amount in legs])
    db.session.flush()
    for acct, _amount in legs:
        db.session.expire(acct, ["balance"])
    return transaction


def post_many(movements, *, at: datetime | None = None) -> list[int]:
    """Record many movements at once, each its own transaction with its own idempotency key, in a few statements
    (a round's refunds, say): `movements` are (kind, reference, idempotency_key, entries) or with a fifth item,
    `data`. The same rules as `post` for each; keys already posted with the same movement are skipped (their
    first transaction's id is returned in their place), with another movement they are a KeyConflict. Returns
    the transaction ids in order."""
    prepared = []
    for movement in movements:
        kind, reference, key, entries, *rest = movement
        _text("kind", kind, 40)
        _text("reference", reference, 120)
        _text("idempotency_key", key, 200)
        data = rest[0] if rest else None
        if data is not None and not isinstance(data, dict):
            raise PostingError("data must be a dict")
        prepared.append((kind, reference, key, _legs(entries), data or {}))
    if not prepared:
        return []
    keys = [m[2] for m in prepared]
    if len(set(keys)) != len(keys):
        raise PostingError("an idempotency key appears twice in one batch")
    accounts = {acct.id: acct for m in prepared for acct, _amount in m[3]}
    rows = _lock([(acct, 0) for acct in sorted(accounts.values(), key=lambda a: a.id)])
    existing = {}
    for start in range(0, len(keys), 500):
        for txn in db.session.scalars(sa.select(LedgerTransaction).where(
                LedgerTransaction.idempotency_key.in_(keys[start:start + 500]))):
            existing[txn.idempotency_key] = txn
    fresh = []
    for kind, reference, key, legs, data in prepared:
        if key in existing:
            _same(existing[key], kind, reference, legs, None)
        else:
            fresh.append((kind, reference, key, legs, data))
    deltas: dict[int, int] = {}
    for *_head, legs, _data in fresh:
        for acct, amount in legs:
            deltas[acct.id] = deltas.get(acct.id, 0) + amount
    for account_id, delta in deltas.items():
        current, may_go_negative = rows[account_id]
        if not may_go_negative and current + delta < 0:
            raise InsufficientBalance(account_id, current, delta)
    ids: dict[str, int] = {}
    if fresh:
        when = at or utcnow()
        table = LedgerTransaction.__table__
        inserted = db.session.execute(
            sa.insert(table).returning(table.c.id, table.c.idempotency_key, sort_by_parameter_order=True),
            [{"kind": kind, "reference": reference, "idempotency_key": key, "reverses_id": None, "data": data,
              "created_at": when} for kind, reference, key, _legs, data in fresh])
        ids = {key: txn_id for txn_id, key in inserted}
        db.session.execute(sa.insert(LedgerEntry.__table__), [
            {"transaction_id": ids[key], "account_id": acct.id, "amount": amount}
            for _kind, _reference, key, legs, _data in fresh for acct, amount in legs])
        accounts_table = LedgerAccount.__table__
        db.session.execute(sa.update(accounts_table).where(accounts_table.c.id == sa.bindparam("account"))
                           .values(balance=accounts_table.c.balance + sa.bindparam("delta")),
                           [{"account": account_id, "delta": delta} for account_id, delta in deltas.items() if delta])
        for acct in accounts.values():
            db.session.expire(acct, ["balance"])
    return [existing[key].id if key in existing else ids[key] for key in keys]
