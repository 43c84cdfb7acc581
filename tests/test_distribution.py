"""Revenue reports and their exact distribution: the worked example to the last won, caps, withholding, the rules."""
from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.errors import Conflict, InvalidInput, PermissionDenied
from app.distribution.models import DistributionLine, RevenueReport
from app.distribution.operations import distribute, report_revenue
from app.ledger.queries import balance, find_account
from app.proposals.revenue_split import BP, Backer, Terms, capped_shares, split_pool
from tests.fixtures.distribution import file_report, pay_and_distribute
from tests.fixtures.funding import ledger_violations

TERMS = Terms(1000, 2000, 2000, 5000, 1000, 20000)


def wallet(user) -> int:
    return balance(find_account("wallet", "user", user.id))


def test_a_worked_example_to_the_last_won():
    split = split_pool(10_000_001, TERMS, proposer=("user", 1),
                       contributors=[(("user", 2), 5), (("user", 3), 8)],
                       backers=[Backer(("user", 4), 3, 30_000, 0), Backer(("user", 5), 1, 10_000, 19_990),
                                Backer(("organization", 1), 6, 60_000, 0)], withholding_bp=1540)
    assert split.pool_amount == 1_000_000  # 10,000,001 x 10% = 1,000,000.1, rounded down
    assert split.parts == {"proposer": 200_000, "contributor": 200_000, "backer": 500_000, "commons": 100_000}
    lines = [(line.role, line.key, line.gross_amount, line.withheld_amount) for line in split.lines]
    assert lines == [
        ("proposer", ("user", 1), 200_000, 0),
        ("contributor", ("user", 2), 76_923, 0),         # 200,000 x 5/13 = 76,923.08
        ("contributor", ("user", 3), 123_077, 0),        # 200,000 x 8/13 = 123,076.92: the remainder goes here
        ("backer", ("user", 4), 60_000, 9_240),          # capped at 2 x 30,000; 15.4% withheld
        ("backer", ("user", 5), 10, 1),                  # 10 won left under the cap of 20,000
        ("backer", ("organization", 1), 120_000, 0),     # capped at 2 x 60,000; organizations are not withheld from
        ("commons", None, 419_990, 0),                   # its 100,000 and the 319,990 nobody could take
    ]
    assert sum(line.gross_amount for line in split.lines) == 1_000_000


weights = st.lists(st.integers(min_value=0, max_value=5_000), max_size=12)


@settings(max_examples=300)
@given(pool=st.integers(0, 10**12), units=weights, caps=st.lists(st.integers(0, 10**9), max_size=12),
       multiple=st.one_of(st.none(), st.integers(BP, 5 * BP)))
def test_capped_shares_sum_to_the_part_and_nobody_passes_their_cap(pool, units, caps, multiple):
    backers = [Backer(("user", i), u, invested, received)
               for i, (u, (invested, received)) in enumerate(zip(units, zip(caps, reversed(caps))))]
    shares, left = capped_shares(pool, backers, multiple)
    assert sum(shares) + left == pool and min(shares + [0]) >= 0
    for backer, share in zip(backers, shares):
        if multiple is not None:
            assert share <= max(backer.invested_amount * multiple // BP - backer.received_amount, 0)
        if backer.units == 0:
            assert share == 0
    if multiple is None and any(b.units for b in backers):
        assert left == 0
    assert capped_shares(pool, backers, multiple) == (shares, left)  # deterministic


@settings(max_examples=300)
@given(revenue=st.integers(0, 10**13), bp=st.lists(st.integers(0, BP), min_size=4, max_size=4),
       community=st.integers(0, BP), points=weights, units=weights, withholding=st.integers(0, 5000))
def test_every_split_sums_exactly_to_its_pool(revenue, bp, community, points, units, withholding):
    total = sum(bp) or 1
    parts = [b * BP // total for b in bp]
    parts[0] += BP - sum(parts)
    terms = Terms(community, *parts, 20_000)
    split = split_pool(revenue, terms, proposer=("user", 0),
                       contributors=[(("user", i + 1), p) for i, p in enumerate(points)],
                       backers=[Backer(("user", 100 + i), u, u * 10_000, 0) for i, u in enumerate(units)],
                       withholding_bp=withholding)
    assert split.pool_amount == revenue * community // BP
    assert sum(line.gross_amount for line in split.lines) == split.pool_amount
    assert all(0 <= line.withheld_amount <= line.gross_amount for line in split.lines)
    assert all(line.gross_amount > 0 for line in split.lines)


def test_a_report_is_distributed_exactly_into_wallets_and_the_commons(db, earning):
    proposal, (first, second), (helper_a, helper_b) = earning(backers=((2, 1), (1,)), contributors=(5, 8))
    report = file_report(proposal, revenue_amount=3_333_333)
    assert report.pool_amount == 333_333 and report.status == "reported"
    split = pay_and_distribute(report)
    assert report.status == "distributed"
    expected = split_pool(3_333_333, TERMS, proposer=("user", proposal.idea.author_id),
                          contributors=[(("user", helper_a.id), 5), (("user", helper_b.id), 8)],
                          backers=[Backer(("user", first.id), 3, 30_000), Backer(("user", second.id), 1, 10_000)])
    assert split.lines == expected.lines
    assert wallet(first) == split_line(split, first).net_amount and wallet(helper_b) == split_line(split, helper_b).net_amount
    assert wallet(proposal.idea.author) == 66_667  # 333,333 x 20% = 66,666.6: the largest remainder
    assert balance(find_account("commons_fund")) == split.total("commons")
    assert balance(find_account("revenue_pool", "revenue_report", report.id)) == 0
    assert sum(db.session.scalars(sa.select(DistributionLine.gross_amount))) == 333_333
    assert distribute(report) is None  # twice: nothing changes
    assert sum(db.session.scalars(sa.select(DistributionLine.gross_amount))) == 333_333
    assert ledger_violations() == []


def split_line(split, user):
    return next(line for line in split.lines if line.key == ("user", user.id))


def test_backers_stop_at_their_cap_and_the_rest_goes_to_the_others_then_the_commons(db, earning):
    proposal, (big, small), _helpers = earning(backers=((5,), (1,)), contributors=())
    pay_and_distribute(file_report(proposal, revenue_amount=2_000_000, start=date(2026, 1, 1), end=date(2026, 3, 31)))
    # 200,000 pool; backers' 100,000: big 83,333 (cap 100,000), small 16,667 (cap 20,000)
    assert (wallet(big), wallet(small)) == (83_333, 16_667)
    pay_and_distribute(file_report(proposal, revenue_amount=2_000_000, start=date(2026, 4, 1), end=date(2026, 6, 30)))
    # small has 3,333 left under the cap; big takes the rest up to its own
    assert (wallet(big), wallet(small)) == (100_000, 20_000)
    assert ledger_violations() == []


@pytest.mark.parametrize("values, field", [
    ({"revenue_amount": -1}, "revenue_amount"), ({"revenue_amount": 1.5}, "revenue_amount"),
    ({"revenue_amount": True}, "revenue_amount"),
    ({"period_start": date(2026, 9, 30), "period_end": date(2026, 7, 1)}, "period_end"),
    ({"period_end": date(2099, 1, 1)}, "period_end"),
])
def test_bad_reports_are_refused_and_nothing_is_written(db, earning, values, field):
    proposal, _backers, _helpers = earning(backers=((1,),), contributors=())
    args = {"period_start": date(2026, 7, 1), "period_end": date(2026, 9, 30), "revenue_amount": 1000, **values}
    with pytest.raises(InvalidInput) as refused:
        report_revenue(proposal, proposal.lead_expert, **args)
    assert field in refused.value.fields
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(RevenueReport.id))) == 0


def test_overlapping_periods_are_refused(db, earning):
    proposal, _b, _h = earning(backers=((1,),), contributors=())
    file_report(proposal, start=date(2026, 7, 1), end=date(2026, 9, 30))
    with pytest.raises(Conflict) as refused:
        file_report(proposal, start=date(2026, 9, 30), end=date(2026, 12, 1))
    assert refused.value.code == "overlapping_period"


def test_the_database_refuses_overlapping_periods_too(db, earning):
    proposal, _b, _h = earning(backers=((1,),), contributors=())
    first = file_report(proposal, start=date(2026, 7, 1), end=date(2026, 9, 30))
    copy = RevenueReport(**{c.key: getattr(first, c.key) for c in RevenueReport.__table__.columns if c.key != "id"})
    db.session.add(copy)
    with pytest.raises(sa.exc.DatabaseError):
        db.session.flush()
    db.session.rollback()


def test_only_an_earning_proposal_reports_and_only_its_lead(db, create_proposal, earning, create_user):
    funding = create_proposal("funding")
    with pytest.raises(Conflict) as early:
        report_revenue(funding, funding.lead_expert, period_start=date(2026, 7, 1), period_end=date(2026, 9, 30),
                       revenue_amount=1000)
    assert early.value.code == "not_earning"
    proposal, _b, _h = earning(backers=((1,),), contributors=())
    with pytest.raises(PermissionDenied):
        report_revenue(proposal, create_user(), period_start=date(2026, 7, 1), period_end=date(2026, 9, 30),
                       revenue_amount=1000)


def test_an_unpaid_pool_is_not_distributed(db, earning):
    proposal, _b, _h = earning(backers=((1,),), contributors=())
    report = file_report(proposal)
    with pytest.raises(Conflict) as unpaid:
        distribute(report)
    assert unpaid.value.code == "pool_not_paid"
    assert db.session.scalar(sa.select(sa.func.count(DistributionLine.id))) == 0


def test_no_party_records_the_pool(db, earning):
    from app.auth.operations import grant_role
    from app.core.security import Role
    from app.distribution.operations import record_pool_paid

    proposal, _b, _h = earning(backers=((1,),), contributors=())
    report = file_report(proposal)
    lead = proposal.lead_expert
    grant_role(lead, Role("steward"))
    db.session.commit()
    with pytest.raises(PermissionDenied):
        record_pool_paid(report, lead, "self-recorded")
    assert report.status == "reported"


def test_withholding_goes_to_tax_payable_and_shows_on_the_line(db, earning, steward):
    from app.core.parameters import store_parameter

    store_parameter("WITHHOLDING_BP", 1540)
    db.session.commit()
    proposal, (backer,), _h = earning(backers=((4,),), contributors=())
    pay_and_distribute(file_report(proposal, revenue_amount=1_000_000))
    line = db.session.scalar(sa.select(DistributionLine).where(DistributionLine.user_id == backer.id))
    assert (line.gross_amount, line.withheld_amount, line.net_amount) == (50_000, 7_700, 42_300)
    assert wallet(backer) == 42_300 and balance(find_account("tax_payable")) == 7_700
    assert ledger_violations() == []


def test_a_late_report_shows_and_the_next_due_date_follows_the_last_period(db, earning):
    from app.distribution.queries import health

    proposal, _b, _h = earning(backers=((1,),), contributors=())
    first = file_report(proposal, start=date(2025, 10, 1), end=date(2025, 12, 31))
    assert first.due_on is None and not first.late  # the first report sets the schedule
    second = file_report(proposal, start=date(2026, 1, 1), end=date(2026, 3, 31))
    assert second.due_on == date(2026, 4, 30) and second.late  # filed in December: late
    state = health(proposal.id, today=date(2026, 12, 2))
    assert (state["on_time"], state["late"]) == (1, 1)
    assert state["missed"] == 2  # the reports for Q2 (due 30 July) and Q3 (due 30 October) never came
    assert state["state"] == "missed"


def test_a_rejected_report_takes_no_pool(db, earning, steward):
    from app.distribution.operations import record_pool_paid, reject_report

    proposal, _b, _h = earning(backers=((1,),), contributors=())
    report = file_report(proposal)
    reject_report(report, steward, "세금계산서 금액과 보고 금액이 다릅니다.")
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        record_pool_paid(report, steward, "농협 이체")
    assert refused.value.code == "report_rejected"
    assert find_account("revenue_pool", "revenue_report", report.id) is None
