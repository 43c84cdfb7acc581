"""ledger: accounts, transactions, entries; append-only and balanced on PostgreSQL

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 12:12:50.116015

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# The database holds the ledger's rules itself: entries and transactions are append-only (a mistake is
# corrected by a reversing transaction), an account's identity never changes and it is never deleted
# (only `balance` moves, and only by post()), and a transaction whose entries do not sum to zero, or
# that has fewer than two, cannot be committed (constraint triggers deferred to COMMIT).
POSTGRESQL_RULES = """
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
FOR EACH ROW EXECUTE FUNCTION ledger_append_only();

CREATE FUNCTION ledger_accounts_keep_identity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR (NEW.id, NEW.kind, NEW.owner_type, NEW.owner_id, NEW.may_go_negative, NEW.created_at)
      IS DISTINCT FROM (OLD.id, OLD.kind, OLD.owner_type, OLD.owner_id, OLD.may_go_negative, OLD.created_at) THEN
    RAISE EXCEPTION 'ledger_accounts: only the balance may change';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER ledger_accounts_keep_identity BEFORE UPDATE OR DELETE ON ledger_accounts
FOR EACH ROW EXECUTE FUNCTION ledger_accounts_keep_identity();

CREATE FUNCTION ledger_transaction_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  txn integer;
  total numeric;
  n integer;
BEGIN
  IF TG_TABLE_NAME = 'ledger_entries' THEN txn := NEW.transaction_id; ELSE txn := NEW.id; END IF;
  SELECT coalesce(sum(amount), 0), count(*) INTO total, n FROM ledger_entries WHERE transaction_id = txn;
  IF total <> 0 OR n < 2 THEN
    RAISE EXCEPTION 'ledger transaction % does not balance: % entries summing to %', txn, n, total;
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_transaction_balanced();
CREATE CONSTRAINT TRIGGER ledger_transactions_balanced AFTER INSERT ON ledger_transactions
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_transaction_balanced();
"""

POSTGRESQL_DROP = """
DROP TRIGGER ledger_transactions_balanced ON ledger_transactions;
DROP TRIGGER ledger_entries_balanced ON ledger_entries;
DROP FUNCTION ledger_transaction_balanced();
DROP TRIGGER ledger_accounts_keep_identity ON ledger_accounts;
DROP FUNCTION ledger_accounts_keep_identity();
DROP TRIGGER ledger_transactions_append_only ON ledger_transactions;
DROP TRIGGER ledger_entries_append_only ON ledger_entries;
DROP FUNCTION ledger_append_only();
"""


def upgrade():
    op.create_table('ledger_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('owner_type', sa.String(length=40), nullable=False),
    sa.Column('owner_id', sa.BigInteger(), nullable=False),
    sa.Column('may_go_negative', sa.Boolean(), nullable=False),
    sa.Column('balance', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(owner_type = '') = (owner_id = 0)", name=op.f('ck_ledger_accounts_owner_complete')),
    sa.CheckConstraint('length(kind) > 0', name=op.f('ck_ledger_accounts_kind_nonempty')),
    sa.CheckConstraint('may_go_negative OR balance >= 0', name=op.f('ck_ledger_accounts_balance_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_accounts')),
    sa.UniqueConstraint('kind', 'owner_type', 'owner_id', name=op.f('uq_ledger_accounts_kind_owner_type_owner_id'))
    )
    op.create_table('ledger_transactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(idempotency_key) > 0', name=op.f('ck_ledger_transactions_idempotency_key_nonempty')),
    sa.CheckConstraint('length(kind) > 0', name=op.f('ck_ledger_transactions_kind_nonempty')),
    sa.ForeignKeyConstraint(['reverses_id'], ['ledger_transactions.id'], name=op.f('fk_ledger_transactions_reverses_id_ledger_transactions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_transactions')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_ledger_transactions_idempotency_key')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_ledger_transactions_reverses_id'))
    )
    with op.batch_alter_table('ledger_transactions', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_transactions_kind_reference', ['kind', 'reference'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transaction_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount <> 0', name=op.f('ck_ledger_entries_amount_nonzero')),
    sa.ForeignKeyConstraint(['account_id'], ['ledger_accounts.id'], name=op.f('fk_ledger_entries_account_id_ledger_accounts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['transaction_id'], ['ledger_transactions.id'], name=op.f('fk_ledger_entries_transaction_id_ledger_transactions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries')),
    sa.UniqueConstraint('transaction_id', 'account_id', name=op.f('uq_ledger_entries_transaction_id_account_id'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entries_account_id_id', ['account_id', 'id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_RULES)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_DROP)
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entries_account_id_id')

    op.drop_table('ledger_entries')
    with op.batch_alter_table('ledger_transactions', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_transactions_kind_reference')

    op.drop_table('ledger_transactions')
    op.drop_table('ledger_accounts')
