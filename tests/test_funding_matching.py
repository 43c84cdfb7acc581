"""Municipal matching: a deposit first, each paid pledge matched into escrow, reversed with its pledge."""
import pytest
import sqlalchemy as sa

from app.core.errors import PermissionDenied
from app.funding import matching
from app.funding.models import Holding, Match
from app.ledger.queries import balance, find_account
from tests.fixtures.funding import close_at_end, ledger_violations
from tests.fixtures.proposals import municipal_org, representative


@pytest.fixture
def city_pool(db, create_round, steward):
    """An open round with 성남시's 1:1 pool (at most 50,000 won per pledge, 100,000 in all), deposit recorded."""
    round_ = create_round(target_amount=200_000, cap_amount=1_000_000, unit_price=10_000)
    city = municipal_org("seongnam")
    rep = representative(city)
    pool = matching.create_pool(round_, city, rep, factor_bp=10_000, pledge_cap_amount=50_000,
                                round_cap_amount=100_000)
    db.session.commit()
    matching.record_deposit(pool, steward, "KB 2026-12-01 #4411")
    db.session.commit()
    return round_, pool, rep


def pool_balance(pool) -> int:
    return balance(find_account("matching_pool", "matching_pool", pool.id))


def test_a_paid_pledge_is_matched_into_escrow_within_both_caps(db, city_pool, place, create_user):
    round_, pool, _rep = city_pool
    place(round_, create_user(), units=3)   # matched 30,000
    place(round_, create_user(), units=8)   # matched 50,000: the cap per pledge
    place(round_, create_user(), units=4)   # matched 20,000: what is left of the pool
    place(round_, create_user(), units=1)   # nothing left
    db.session.refresh(round_), db.session.refresh(pool)
    assert [m.amount for m in db.session.scalars(sa.select(Match).order_by(Match.id))] == [30_000, 50_000, 20_000]
    assert (round_.raised_amount, round_.matched_amount) == (160_000 + 100_000, 100_000)
    assert pool_balance(pool) == 0 and pool.matched_amount == 100_000
    assert balance(find_account("round_escrow", "round", round_.id)) == 260_000
    assert ledger_violations() == []


def test_a_cancelled_pledge_takes_its_match_back_to_the_pool(db, city_pool, place, create_user):
    from app.funding.workflows import cancel

    round_, pool, _rep = city_pool
    backer = create_user()
    pledge = place(round_, backer, units=3)
    cancel(pledge, backer)
    db.session.refresh(round_), db.session.refresh(pool)
    assert (round_.raised_amount, round_.matched_amount, round_.committed_amount) == (0, 0, 0)
    assert pool_balance(pool) == 100_000 and pool.reserved_amount == 0
    assert db.session.scalar(sa.select(Match.status)) == "reversed"
    assert ledger_violations() == []


def test_a_funded_round_gives_the_city_its_matched_units_and_returns_the_rest(db, city_pool, place, create_user):
    round_, pool, _rep = city_pool
    place(round_, create_user(), units=10)   # 100,000 + 50,000 matched
    place(round_, create_user(), units=5)    # 50,000 + 50,000 matched: the pool is used up
    assert close_at_end(round_) == "succeeded"
    city = db.session.scalar(sa.select(Holding).where(Holding.organization_id == pool.organization_id))
    assert (city.units, city.invested_amount) == (10, 100_000)
    db.session.refresh(pool)
    assert pool.status == "closed" and pool_balance(pool) == 0
    assert ledger_violations() == []


def test_a_failed_round_returns_the_whole_deposit(db, city_pool, place, create_user):
    round_, pool, _rep = city_pool
    place(round_, create_user(), units=3)
    assert close_at_end(round_) == "failed"
    db.session.refresh(pool)
    assert pool.status == "closed" and pool_balance(pool) == 0
    assert balance(find_account("bank")) == 0  # the deposit went back out the way it came
    assert set(db.session.scalars(sa.select(Match.status))) == {"reversed"}
    assert ledger_violations() == []


def test_a_representative_gets_no_match_from_their_own_city(db, city_pool, place):
    round_, pool, rep = city_pool
    place(round_, rep, units=2)
    assert db.session.scalar(sa.select(sa.func.count(Match.id))) == 0


def test_only_a_representative_offers_and_no_party_records_the_deposit(db, create_round, create_user):
    round_ = create_round()
    city = municipal_org("seongnam")
    with pytest.raises(PermissionDenied):
        matching.create_pool(round_, city, create_user(), factor_bp=10_000, pledge_cap_amount=10_000,
                             round_cap_amount=10_000)
    rep = representative(city)
    pool = matching.create_pool(round_, city, rep, factor_bp=10_000, pledge_cap_amount=10_000,
                                round_cap_amount=10_000)
    db.session.commit()
    rep.roles  # noqa: B018 - load before granting
    from app.auth.operations import grant_role
    from app.core.security import Role

    grant_role(rep, Role("steward"))
    db.session.commit()
    with pytest.raises(PermissionDenied):
        matching.record_deposit(pool, rep, "self-dealing")
    assert find_account("matching_pool", "matching_pool", pool.id) is None
