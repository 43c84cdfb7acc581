"""Ledger reads: accounts, balances, entries, transactions. None of them writes."""
import sqlalchemy as sa

from app.extensions import db
from app.ledger.errors import PostingError
from app.ledger.kinds import get_kind
from app.ledger.models import NO_OWNER_ID, NO_OWNER_TYPE, LedgerAccount, LedgerEntry, LedgerTransaction


def owner_reference(kind: str, owner_type: str | None, owner_id: int | None) -> tuple[str, int]:
    """The stored (owner_type, owner_id) of an account of `kind`, checked against what the kind declares."""
    spec = get_kind(kind)
    if spec.owner_type is None:
        if owner_type is not None or owner_id is not None:
            raise PostingError(f"a {kind} account is platform-wide and has no owner")
        return NO_OWNER_TYPE, NO_OWNER_ID
    if owner_type != spec.owner_type:
        raise PostingError(f"a {kind} account is owned by a {spec.owner_type}, not {owner_type!r}")
    if type(owner_id) is not int or owner_id <= 0:
        raise PostingError(f"a {kind} account needs the positive integer id of its {spec.owner_type}")
    return owner_type, owner_id


def find_account(kind: str, owner_type: str | None = None, owner_id: int | None = None) -> LedgerAccount | None:
    """The account, or None if nothing was ever posted to it (pages read with this; `account()` creates)."""
    owner_type, owner_id = owner_reference(kind, owner_type, owner_id)
    return db.session.scalar(sa.select(LedgerAccount).where(
        LedgerAccount.kind == kind, LedgerAccount.owner_type == owner_type, LedgerAccount.owner_id == owner_id))


def balance(account: LedgerAccount | None) -> int:
    """The account's balance in won, read from the database now (an account never made holds 0)."""
    if account is None:
        return 0
    return db.session.scalar(sa.select(LedgerAccount.balance).where(LedgerAccount.id == account.id))


def sum_of(account: LedgerAccount) -> int:
    """The sum of the account's entries: what its balance must equal."""
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0))
                             .where(LedgerEntry.account_id == account.id))


def entries_of(account: LedgerAccount) -> sa.Select:
    """The account's entries, oldest first (on the (account_id, id) index)."""
    return sa.select(LedgerEntry).where(LedgerEntry.account_id == account.id).order_by(LedgerEntry.id)


def transaction_by_key(idempotency_key: str) -> LedgerTransaction | None:
    """The transaction posted with this idempotency key, if any."""
    return db.session.scalar(sa.select(LedgerTransaction).where(LedgerTransaction.idempotency_key == idempotency_key))


def transactions_query(kind: str | None = None, reference: str | None = None) -> sa.Select:
    """Transactions, optionally of one kind or about one record, oldest first."""
    stmt = sa.select(LedgerTransaction)
    if kind is not None:
        stmt = stmt.where(LedgerTransaction.kind == kind)
    if reference is not None:
        stmt = stmt.where(LedgerTransaction.reference == reference)
    return stmt.order_by(LedgerTransaction.id)


def reversal_of(transaction: LedgerTransaction) -> LedgerTransaction | None:
    """The transaction that reversed this one, if any."""
    return db.session.scalar(sa.select(LedgerTransaction).where(LedgerTransaction.reverses_id == transaction.id))
