"""The ledger's rules held by the database, under concurrency, and by `flask ledger check`."""
import itertools
import threading

import pytest
import sqlalchemy as sa

from app.extensions import db as _db
from app.ledger import checks
from app.ledger.errors import InsufficientBalance
from app.ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction
from app.ledger.operations import account, post
from app.ledger.queries import balance, sum_of
from tests.fixtures.core import is_postgres

pg_only = pytest.mark.skipif(not is_postgres(), reason="PostgreSQL's triggers and row locks; the SQLite pass skips it")
_owners = itertools.count(10_000)


def funded_wallet(db, amount: int) -> LedgerAccount:
    """A fresh wallet holding `amount` won, committed."""
    target = account("wallet", "user", next(_owners))
    post("test.fund", f"fund:{target.id}", f"fund:{target.id}", [(account("processor"), -amount), (target, amount)])
    db.session.commit()
    return target


def counts(db) -> tuple[int, int]:
    return (db.session.scalar(sa.select(sa.func.count(LedgerTransaction.id))),
            db.session.scalar(sa.select(sa.func.count(LedgerEntry.id))))


def race(app, action, times: int) -> list:
    """Run `action(i)` `times` times at once, each in its own thread, app context and session; commit each.
    Returns each outcome: what the action returned, or the exception raised."""
    barrier, outcomes = threading.Barrier(times), []

    def worker(i):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                result = action(i)
                _db.session.commit()
                outcomes.append(result)
            except Exception as exc:  # noqa: BLE001 - the caller inspects it
                _db.session.rollback()
                outcomes.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.parametrize("statement, constraint", [
    ("UPDATE ledger_accounts SET balance = -1 WHERE kind = 'wallet'", "balance_not_negative"),
    ("INSERT INTO ledger_entries (transaction_id, account_id, amount) SELECT max(transaction_id),"
     " (SELECT id FROM ledger_accounts WHERE kind = 'fees'), 0 FROM ledger_entries", "amount_nonzero"),
    ("INSERT INTO ledger_transactions (kind, reference, idempotency_key, data, created_at)"
     " SELECT kind, reference, idempotency_key, data, created_at FROM ledger_transactions", "idempotency_key"),
])
def test_the_database_refuses_a_negative_wallet_a_zero_entry_and_a_reused_key(db, statement, constraint):
    funded_wallet(db, 1_000)
    account("fees")
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError, match=constraint):
        db.session.execute(sa.text(statement))
    db.session.rollback()
    assert checks.check() == []


@pg_only
@pytest.mark.parametrize("statement", [
    "UPDATE ledger_entries SET amount = amount * 2", "DELETE FROM ledger_entries",
    "UPDATE ledger_transactions SET reference = 'forged'", "DELETE FROM ledger_transactions",
    "UPDATE ledger_accounts SET kind = 'fees' WHERE kind = 'wallet'", "DELETE FROM ledger_accounts",
])
def test_postgresql_refuses_to_change_or_delete_the_books(db, statement):
    target = funded_wallet(db, 1_000)
    with pytest.raises(sa.exc.DBAPIError, match="append-only|only the balance may change"):
        db.session.execute(sa.text(statement))
        db.session.flush()
    db.session.rollback()
    assert balance(target) == sum_of(target) == 1_000 and counts(db) == (1, 2)


@pg_only
def test_postgresql_refuses_to_commit_an_unbalanced_transaction(db):
    target = funded_wallet(db, 1_000)
    db.session.execute(sa.text("INSERT INTO ledger_transactions (kind, reference, idempotency_key, data, created_at)"
                               " VALUES ('forged', 'x', 'forged', '{}', now())"))
    db.session.execute(sa.text("INSERT INTO ledger_entries (transaction_id, account_id, amount)"
                               " SELECT max(id), :a, 500 FROM ledger_transactions"), {"a": target.id})
    with pytest.raises(sa.exc.DBAPIError, match="does not balance"):
        db.session.commit()
    db.session.rollback()
    assert counts(db) == (1, 2)


@pg_only
def test_the_same_key_posted_at_once_makes_one_transaction(app, db):
    target = account("round_escrow", "round", next(_owners))
    processor = account("processor")
    db.session.commit()
    ids = (target.id, processor.id)

    def charge(_i):
        legs = [(_db.session.get(LedgerAccount, ids[1]), -9_000), (_db.session.get(LedgerAccount, ids[0]), 9_000)]
        return post("pledge.charge", "pledge:77", "pledge:77:charge", legs).id

    outcomes = race(app, charge, 8)
    assert len(set(outcomes)) == 1 and all(isinstance(o, int) for o in outcomes), outcomes
    assert counts(db) == (1, 2) and balance(target) == 9_000 and checks.check() == []


@pg_only
def test_the_same_key_on_other_accounts_at_once_makes_one_transaction(app, db):
    """Posts that share a key but no account race on the unique key itself: the losers get a conflict
    (they asked for another movement), never a second transaction."""
    pairs = [(funded_wallet(db, 100).id, account("wallet", "user", next(_owners)).id) for _ in range(6)]
    db.session.commit()

    def gift(i):
        giver, taker = (_db.session.get(LedgerAccount, x) for x in pairs[i])
        return post("test.gift", "gift:race", "gift:race", [(giver, -100), (taker, 100)]).id

    outcomes = race(app, gift, 6)
    assert sum(isinstance(o, int) for o in outcomes) == 1 and counts(db) == (7, 14), outcomes
    assert all(getattr(o, "code", None) == "ledger_key_reused" for o in outcomes if not isinstance(o, int)), outcomes
    assert checks.check() == []


@pg_only
def test_an_account_made_at_once_is_made_once(app, db):
    owner = next(_owners)
    outcomes = race(app, lambda _i: account("wallet", "user", owner).id, 8)
    assert len(set(outcomes)) == 1 and all(isinstance(o, int) for o in outcomes), outcomes
    assert db.session.scalar(sa.select(sa.func.count(LedgerAccount.id)).where(LedgerAccount.owner_id == owner)) == 1


@pg_only
def test_concurrent_debits_never_overdraw_a_wallet(app, db):
    target = funded_wallet(db, 10_000)
    ids = (target.id, account("processor").id, account("fees").id)
    db.session.commit()

    def pay_out(i):
        wallet_, processor, fees = (_db.session.get(LedgerAccount, x) for x in ids)
        # the accounts in both orders: post() locks them in id order, so no two posts deadlock
        legs = [(wallet_, -1_000), (processor, 900), (fees, 100)]
        return post("payout", f"payout:{i}", f"payout:{ids[0]}:{i}", legs if i % 2 else legs[::-1]).id

    outcomes = race(app, pay_out, 20)
    assert sum(isinstance(o, int) for o in outcomes) == 10, outcomes
    assert all(isinstance(o, (int, InsufficientBalance)) for o in outcomes), outcomes
    assert balance(target) == sum_of(target) == 0 and checks.check() == []


def _break_the_books(db, target: LedgerAccount) -> None:
    """Corrupt the books as only someone bypassing post() could: an entry nobody balanced, a cached balance
    moved by hand. PostgreSQL refuses the first unless its triggers are off for the session (a superuser's
    `session_replication_role = replica`, as a restore would have it)."""
    if is_postgres():
        db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
    db.session.execute(sa.text("INSERT INTO ledger_entries (transaction_id, account_id, amount)"
                               " SELECT max(id), :a, 5 FROM ledger_transactions"), {"a": target.id})
    db.session.execute(sa.text("UPDATE ledger_accounts SET balance = balance + 5 WHERE id = :a"), {"a": target.id})
    db.session.execute(sa.text("UPDATE ledger_accounts SET balance = balance + 7 WHERE kind = 'fees'"))
    db.session.commit()


def test_flask_ledger_check_passes_clean_books_and_names_each_violation(app, db):
    target = funded_wallet(db, 1_000)
    post("test.fee", "fee:1", "fee:1", [(target, -100), (account("fees"), 100)])
    db.session.commit()
    runner = app.test_cli_runner()
    clean = runner.invoke(args=["ledger", "check"])
    assert clean.exit_code == 0 and "Ledger consistent: 2 transactions, 4 entries, 3 accounts" in clean.output

    _break_the_books(db, account("processor"))  # into the fee transaction, which has no processor entry
    broken = runner.invoke(args=["ledger", "check"])
    assert broken.exit_code == 1, broken.output
    last = db.session.scalar(sa.select(sa.func.max(LedgerTransaction.id)))
    fees = account("fees")
    assert f"transaction {last} (test.fee fee:1) sums to 5, not 0" in broken.output
    assert (f"account LedgerAccount {fees.id} fees has a cached balance of 107 but its entries sum to 100"
            in broken.output)
    assert broken.output.count("VIOLATION") == 2  # the processor's cache moved with its forged entry


def test_check_reports_a_negative_wallet_and_a_non_mirroring_reversal(db):
    target = funded_wallet(db, 1_000)
    processor = account("processor")
    db.session.execute(sa.text(  # balanced, but it empties the wallet twice over behind post()'s back
        "INSERT INTO ledger_transactions (kind, reference, idempotency_key, reverses_id, data, created_at)"
        " SELECT 'reversal', reference, 'bad-reversal', id, '{}', created_at FROM ledger_transactions"))
    db.session.execute(sa.text(
        "INSERT INTO ledger_entries (transaction_id, account_id, amount) SELECT max(id), :w, -2000"
        " FROM ledger_transactions UNION ALL SELECT max(id), :p, 2000 FROM ledger_transactions"),
        {"w": target.id, "p": processor.id})
    db.session.commit()
    found = checks.check()
    assert f"account LedgerAccount {target.id} wallet user:{target.owner_id} is negative: -1000" in found
    assert any("does not mirror" in v for v in found)


def test_features_register_their_own_checks(app, db, monkeypatch):
    monkeypatch.setattr(checks, "_CHECKS", dict(checks._CHECKS))  # this test's registrations end with it

    @checks.register_check
    def escrow_matches_pledges():
        return ["round 3: escrow 5000 but settled pledges minus refunds 4000"]

    result = app.test_cli_runner().invoke(args=["ledger", "check"])
    assert result.exit_code == 1 and "VIOLATION: round 3: escrow 5000 but settled" in result.output

    def broken():
        raise RuntimeError("no such table: pledges")

    checks.register_check(broken)
    assert checks.check()[-1].endswith("broken could not run: RuntimeError: no such table: pledges")


def test_flask_ledger_balances_lists_the_accounts(app, db):
    target = funded_wallet(db, 1_234_567)
    output = app.test_cli_runner().invoke(args=["ledger", "balances", "--kind", "wallet"]).output
    assert f"user:{target.owner_id}" in output and "1,234,567" in output and "processor" not in output
