"""The ledger's rules: balanced, integer, idempotent postings; reversals; accounts that may not go negative."""
import itertools
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.ledger.checks import check
from app.ledger.errors import InsufficientBalance, KeyConflict, PostingError
from app.ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction
from app.ledger.operations import account, post, reverse
from app.ledger.queries import balance, entries_of, find_account, reversal_of, sum_of

_owners = itertools.count(1)


def wallet():
    """A fresh user's wallet."""
    return account("wallet", "user", next(_owners))


def escrow():
    """A fresh round's escrow."""
    return account("round_escrow", "round", next(_owners))


def funded(db, amount, target=None):
    """`target` (a fresh wallet unless given) holding `amount` won paid in through the processor; committed."""
    target = target or wallet()
    post("test.fund", f"fund:{target.id}", f"fund:{target.id}:{next(_owners)}",
         [(account("processor"), -amount), (target, amount)])
    db.session.commit()
    return target


def counts(db) -> tuple[int, int]:
    return (db.session.scalar(sa.select(sa.func.count(LedgerTransaction.id))),
            db.session.scalar(sa.select(sa.func.count(LedgerEntry.id))))


def test_a_post_moves_money_and_each_balance_is_the_sum_of_its_entries(db):
    processor, a, b = account("processor"), wallet(), escrow()
    txn = post("pledge.charge", "pledge:1", "pledge:1:charge", [(processor, -30_000), (b, 30_000)])
    post("test.move", "move:1", "move:1", [(b, -10_000), (a, 7_000), (account("fees"), 3_000)])
    db.session.commit()
    assert (balance(processor), balance(a), balance(b), balance(account("fees"))) == (-30_000, 7_000, 20_000, 3_000)
    for acct in (processor, a, b):
        assert balance(acct) == sum_of(acct) == sum(e.amount for e in db.session.scalars(entries_of(acct)))
    assert txn.legs() == {processor.id: -30_000, b.id: 30_000} and txn.reference == "pledge:1"
    assert [e.amount for e in db.session.scalars(entries_of(b))] == [30_000, -10_000]
    assert check() == []


def _cases():
    a, b, c = wallet(), wallet(), account("processor")
    return {
        "unbalanced": [(c, -100), (a, 99)],
        "empty": [],
        "one entry": [(a, 0)],
        "zero amount": [(c, -100), (a, 100), (b, 0)],
        "float": [(c, -1.0), (a, 1.0)],
        "bool": [(c, -1), (a, True)],
        "Decimal": [(c, Decimal(-5)), (a, Decimal(5))],
        "text": [(c, "-5"), (a, "5")],
        "one account twice": [(c, -100), (a, 60), (a, 40)],
        "not an account": [(c, -100), (a.id, 100)],
        "not a pair": [(c, -100, "x"), (a, 100)],
        "too large": [(c, -(2**63)), (a, 2**63)],
    }


@pytest.mark.parametrize("case", ["unbalanced", "empty", "one entry", "zero amount", "float", "bool", "Decimal", "text",
                                  "one account twice", "not an account", "not a pair", "too large"])
def test_a_malformed_post_is_refused_and_nothing_is_written(db, case):
    funded(db, 500)
    before = counts(db)
    with pytest.raises(PostingError):
        post("test.bad", "bad:1", f"bad:{case}", _cases()[case])
    db.session.commit()
    assert counts(db) == before and check() == []


@pytest.mark.parametrize("kind, reference, key", [("", "r", "k"), ("k", "", "k"), ("k", "r", ""), ("k" * 41, "r", "k"),
                                                  ("k", "r", "k" * 201), (None, "r", "k")])
def test_a_post_needs_a_kind_a_reference_and_a_key(db, kind, reference, key):
    with pytest.raises(PostingError):
        post(kind, reference, key, [(account("processor"), -1), (wallet(), 1)])


def test_the_same_key_twice_returns_the_first_transaction(db):
    a = wallet()
    legs = [(account("processor"), -5_000), (a, 5_000)]
    first = post("pledge.charge", "pledge:7", "pledge:7:charge", legs)
    db.session.commit()
    again = post("pledge.charge", "pledge:7", "pledge:7:charge", list(reversed(legs)), data={"retry": True})
    db.session.commit()
    assert again.id == first.id and balance(a) == 5_000 and counts(db) == (1, 2)


@pytest.mark.parametrize("change", ["amounts", "accounts", "kind", "reference"])
def test_the_same_key_with_another_movement_is_a_conflict(db, change):
    a, b, processor = wallet(), wallet(), account("processor")
    post("pledge.charge", "pledge:8", "pledge:8:charge", [(processor, -5_000), (a, 5_000)])
    db.session.commit()
    other = {"amounts": ("pledge.charge", "pledge:8", [(processor, -6_000), (a, 6_000)]),
             "accounts": ("pledge.charge", "pledge:8", [(processor, -5_000), (b, 5_000)]),
             "kind": ("pledge.refund", "pledge:8", [(processor, -5_000), (a, 5_000)]),
             "reference": ("pledge.charge", "pledge:9", [(processor, -5_000), (a, 5_000)])}[change]
    with pytest.raises(KeyConflict) as conflict:
        post(other[0], other[1], "pledge:8:charge", other[2])
    db.session.rollback()
    assert conflict.value.status == 409 and conflict.value.code == "ledger_key_reused"
    assert balance(a) == 5_000 and balance(b) == 0 and counts(db) == (1, 2)


def test_a_reversal_posts_the_mirror_once(db):
    a = funded(db, 10_000)
    b = wallet()
    txn = post("test.gift", "gift:1", "gift:1", [(a, -4_000), (b, 4_000)])
    db.session.commit()
    undo = reverse(txn, "gift:1:reverse", "보낸 사람을 잘못 골랐습니다")
    db.session.commit()
    assert undo.reverses_id == txn.id and undo.kind == "reversal" and undo.reference == "gift:1"
    assert undo.legs() == {a.id: 4_000, b.id: -4_000}
    assert undo.data == {"reason": "보낸 사람을 잘못 골랐습니다"}
    assert (balance(a), balance(b)) == (10_000, 0) and reversal_of(txn).id == undo.id
    assert reverse(txn, "gift:1:reverse", "보낸 사람을 잘못 골랐습니다").id == undo.id  # a retry
    with pytest.raises(KeyConflict) as twice:  # another key: reversing twice would take the money back twice
        reverse(txn, "gift:1:reverse-again", "두 번째")
    assert twice.value.code == "ledger_already_reversed" and twice.value.transaction_id == txn.id
    db.session.rollback()
    assert (balance(a), balance(b)) == (10_000, 0) and check() == []


def test_a_reversal_needs_a_reason_and_the_money(db):
    a, b = funded(db, 1_000), wallet()
    txn = post("test.gift", "gift:2", "gift:2", [(a, -1_000), (b, 1_000)])
    post("test.spend", "spend:2", "spend:2", [(b, -1_000), (account("processor"), 1_000)])
    db.session.commit()
    with pytest.raises(PostingError):
        reverse(txn, "gift:2:reverse", "  ")
    with pytest.raises(InsufficientBalance):  # b spent it: the mirror would take b below zero
        reverse(txn, "gift:2:reverse", "늦은 정정")
    db.session.rollback()
    assert reversal_of(txn) is None and balance(b) == 0


@pytest.mark.parametrize("kind, owner", [("wallet", ("user",)), ("round_escrow", ("round",)),
                                         ("proposal_treasury", ("proposal",)), ("fees", ())])
def test_accounts_held_for_someone_never_go_negative(db, kind, owner):
    target = account(kind, *owner, next(_owners)) if owner else account(kind)
    start = balance(target)
    funded(db, 1_000, target)
    before = counts(db)
    with pytest.raises(InsufficientBalance) as refused:
        post("test.overdraw", "overdraw", f"overdraw:{target.id}", [(target, -1_001), (account("processor"), 1_001)])
    db.session.commit()
    assert (refused.value.account_id, refused.value.balance, refused.value.amount) == (target.id, start + 1_000, -1_001)
    assert refused.value.status == 422 and refused.value.code == "insufficient_balance"
    assert balance(target) == start + 1_000 and counts(db) == before


def test_the_processor_goes_negative_when_money_comes_in(db):
    funded(db, 2_000)
    assert balance(account("processor")) < 0 and check() == []


def test_a_post_is_part_of_the_callers_transaction(db):
    """Nothing is half-written: the caller's rollback takes the movement with it (SQLite savepoints included)."""
    a, processor = wallet(), account("processor")
    db.session.commit()
    post("test.fund", "fund:rolled-back", "fund:rolled-back", [(processor, -700), (a, 700)])
    db.session.rollback()
    assert counts(db) == (0, 0) and balance(a) == 0


@pytest.mark.parametrize("args", [("wallet",), ("wallet", "round", 1), ("wallet", "user", 0), ("wallet", "user", True),
                                  ("processor", "user", 1), ("piggy_bank",)])
def test_an_account_names_the_owner_its_kind_declares(db, args):
    with pytest.raises(PostingError):
        account(*args)


def test_account_is_made_once_and_reading_makes_none(db):
    owner = next(_owners)
    assert find_account("wallet", "user", owner) is None and balance(find_account("wallet", "user", owner)) == 0
    assert db.session.scalar(sa.select(sa.func.count(LedgerAccount.id))) == 0
    first = account("wallet", "user", owner)
    db.session.commit()
    assert account("wallet", "user", owner).id == first.id == find_account("wallet", "user", owner).id
    assert account("fees").id == account("fees").id and account("fees").owner is None
    assert first.owner == ("user", owner) and not first.may_go_negative and account("processor").may_go_negative


# The property: whatever balanced posts, replays and reversals arrive, every transaction sums to zero,
# every balance equals its entries and the model's figure, and no wallet or escrow is ever below zero.
POOL = ["processor", "wallet", "wallet", "round_escrow", "fees"]
amounts = st.integers(-60_000, 60_000).filter(bool)
posts = st.tuples(st.just("post"), st.permutations(range(len(POOL))), st.integers(2, len(POOL)),
                  st.lists(amounts, min_size=len(POOL), max_size=len(POOL)))
replays = st.tuples(st.just("replay"), st.integers(0, 30))
reversals = st.tuples(st.just("reverse"), st.integers(0, 30))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.one_of(posts, posts, replays, reversals), min_size=1, max_size=20))
def test_any_sequence_of_posts_keeps_the_books_balanced(db, ops):
    run = next(_owners)
    pool = [account("processor"), wallet(), wallet(), escrow(), account("fees")]
    for held in pool[1:4]:
        funded(db, 100_000, held)
    model = [balance(acct) for acct in pool]
    posted = []  # (key, {index: amount}, transaction id, reversed?)

    def attempt(key, legs, action):
        overdraws = any(POOL[i] != "processor" and model[i] + amount < 0 for i, amount in legs.items())
        if overdraws:
            with pytest.raises(InsufficientBalance):
                action()
            db.session.rollback()
            return None
        txn = action()
        db.session.commit()

        for i, amount in legs.items():
            model[i] += amount
        posted.append([key, legs, txn.id, False])
        return txn

    for n, op in enumerate(ops):
        if op[0] == "post":
            _name, order, size, values = op
            legs = dict(zip(order[:size - 1], values))
            legs[order[size - 1]] = -sum(legs.values())
            if legs[order[size - 1]] == 0:
                continue
            key = f"prop:{run}:{n}"
            attempt(key, legs, lambda: post("test.prop", f"prop:{run}", key, [(pool[i], a) for i, a in legs.items()]))
        elif posted and op[0] == "replay":
            key, legs, txn_id, _reversed = posted[op[1] % len(posted)]
            first = db.session.get(LedgerTransaction, txn_id)
            if first.reverses_id:
                again = reverse(db.session.get(LedgerTransaction, first.reverses_id), key, "정정")
            else:
                again = post(first.kind, first.reference, key, [(pool[i], a) for i, a in legs.items()])
            db.session.commit()
            assert again.id == txn_id
        elif posted and op[0] == "reverse":
            record = posted[op[1] % len(posted)]
            txn = db.session.get(LedgerTransaction, record[2])
            if record[3]:
                with pytest.raises(KeyConflict):
                    reverse(txn, f"prop:{run}:{n}:reverse", "다시")
                db.session.rollback()
                continue
            if attempt(f"prop:{run}:{n}:reverse", {i: -a for i, a in record[1].items()},
                       lambda: reverse(txn, f"prop:{run}:{n}:reverse", "정정")):
                record[3] = True
        assert [balance(acct) for acct in pool] == model
    assert [sum_of(acct) for acct in pool] == model
    assert all(model[i] >= 0 for i, kind in enumerate(POOL) if kind != "processor")
    assert check() == []
