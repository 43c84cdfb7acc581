"""Ledger tables: accounts, transactions and their entries. Entries and transactions are append-only.

Each account keeps a cached `balance`. It is changed only by `post()`, in SQL
(`balance = balance + :amount`) in the same database transaction that inserts the entries, so it
always equals the sum of the account's entries; `flask ledger check` proves it. The cache is worth
its UPDATE per entry: reading a balance costs one row instead of a sum over every entry, and the
database itself refuses a negative balance where the kind forbids one
(`CHECK (may_go_negative OR balance >= 0)`), atomically, whatever races the code might lose.
"""
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.timeutil import utcnow
from app.extensions import db

#: the owner reference of a platform-wide account (fees, processor, ...): no owner
NO_OWNER_TYPE, NO_OWNER_ID = "", 0


class LedgerAccount(db.Model):
    """An account: a kind and an owner reference (type, id) naming a row of a feature, without a foreign key."""

    __tablename__ = "ledger_accounts"
    __table_args__ = (
        sa.UniqueConstraint("kind", "owner_type", "owner_id"),
        sa.CheckConstraint("length(kind) > 0", name="kind_nonempty"),
        sa.CheckConstraint("(owner_type = '') = (owner_id = 0)", name="owner_complete"),
        sa.CheckConstraint("may_go_negative OR balance >= 0", name="balance_not_negative"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: a kind declared in `app.ledger.kinds` ("wallet", "round_escrow", ...)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    #: what owns it, e.g. ("round", 12); ("", 0) for a platform-wide account
    owner_type: so.Mapped[str] = so.mapped_column(sa.String(40), default=NO_OWNER_TYPE)
    owner_id: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=NO_OWNER_ID)
    #: copied from the kind when the account is made, so the database can hold the rule
    may_go_negative: so.Mapped[bool] = so.mapped_column(default=False)
    #: won; always the sum of this account's entries (changed only in SQL by `post()`)
    balance: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    @property
    def owner(self) -> tuple[str, int] | None:
        """The owner reference, or None for a platform-wide account."""
        return None if self.owner_type == NO_OWNER_TYPE else (self.owner_type, self.owner_id)

    def __repr__(self) -> str:
        owner = f" {self.owner_type}:{self.owner_id}" if self.owner else ""
        return f"<LedgerAccount {self.id} {self.kind}{owner}>"


class LedgerTransaction(db.Model):
    """One movement of money: two or more entries summing to zero, posted once per idempotency key."""

    __tablename__ = "ledger_transactions"
    __table_args__ = (
        sa.Index("ix_ledger_transactions_kind_reference", "kind", "reference"),
        sa.CheckConstraint("length(kind) > 0", name="kind_nonempty"),
        sa.CheckConstraint("length(idempotency_key) > 0", name="idempotency_key_nonempty"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: what kind of movement, e.g. "pledge.charge", "round.settle", "reversal"
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    #: the feature's record it belongs to, e.g. "pledge:42"
    reference: so.Mapped[str] = so.mapped_column(sa.String(120))
    #: derived from the caller's own record (e.g. "pledge:42:charge"); a second post with it is the first
    idempotency_key: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    #: the transaction this one reverses (at most one reversal each). NO ACTION, not RESTRICT: SQLite checks it
    #: at the end of the statement, so a test's cleanup may empty the table in one DELETE
    reverses_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("ledger_transactions.id"), unique=True)
    #: keys and numbers for people reading the books (a reversal's reason); no personal data
    data: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    entries: so.Mapped[list["LedgerEntry"]] = so.relationship(
        back_populates="transaction", order_by="LedgerEntry.id", lazy="selectin")

    def legs(self) -> dict[int, int]:
        """The entries as {account id: amount}."""
        return {e.account_id: e.amount for e in self.entries}

    def __repr__(self) -> str:
        return f"<LedgerTransaction {self.id} {self.kind} {self.reference}>"


class LedgerEntry(db.Model):
    """One signed amount in won on one account, within a transaction. Never zero, never changed."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        sa.Index("ix_ledger_entries_account_id_id", "account_id", "id"),
        sa.UniqueConstraint("transaction_id", "account_id"),
        sa.CheckConstraint("amount <> 0", name="amount_nonzero"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    transaction_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ledger_transactions.id", ondelete="RESTRICT"))
    account_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ledger_accounts.id", ondelete="RESTRICT"))
    #: won, signed: positive adds to the account's balance
    amount: so.Mapped[int] = so.mapped_column(sa.BigInteger)

    transaction: so.Mapped[LedgerTransaction] = so.relationship(back_populates="entries")
    account: so.Mapped[LedgerAccount] = so.relationship(lazy="joined")
