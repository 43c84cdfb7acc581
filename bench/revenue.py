"""Distribution at size: the time to distribute one revenue report among 10,000 backers and 1,000 contributors.

Usage:
    .venv/bin/python bench/revenue.py [--backers 10000] [--contributors 1000] [--database-url URL] [--workdir DIR]

Builds the demo data on a new SQLite file (or on --database-url, which it empties), takes a demo
proposal with frozen terms to the market stage, and gives it a cap table and contributors at size,
inserted in bulk as a settled round and confirmed contributions would leave them (one holding per
backer with 1 to 20 units, one confirmed contribution of 1 to 50 points per contributor). Then the
lead expert reports a quarter's revenue, a steward records the pool paid in, and the report is
distributed (`distribute`: the split, the lines, one ledger transaction per line): the time of that
last step is the figure, with `flask ledger check` after. Printed, never asserted. Goal (issue 11): under 2 s.
"""
import argparse
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.appconfig import bench_app  # noqa: E402
from bench.funding import add_backers, empty_database  # noqa: E402


def parse_args() -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backers", type=int, default=10_000)
    p.add_argument("--contributors", type=int, default=1_000)
    p.add_argument("--revenue", type=int, default=1_234_567_891)
    p.add_argument("--database-url", default=None)
    p.add_argument("--workdir", default=None)
    return p.parse_args()


def main() -> None:
    """Build, measure, print."""
    args = parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="gops-bench-revenue-"))
    workdir.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{workdir / 'revenue.sqlite'}"
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).unlink(missing_ok=True)
    app = bench_app(url, str(workdir))
    empty_database(app)
    with app.app_context():
        run(args)
    print(f"(workdir {workdir})")


def run(args) -> None:
    """The measurement, in the app's context."""
    import sqlalchemy as sa

    from app.auth.models import User
    from app.core.timeutil import utcnow
    from app.demo.seed import seed_demo
    from app.distribution import checks  # noqa: F401 - registers distribution's checks
    from app.distribution.models import DistributionLine
    from app.distribution import operations as ops
    from app.distribution.operations import record_pool_paid, report_revenue
    from app.extensions import db
    from app.funding import checks as funding_checks  # noqa: F401
    from app.funding.models import Holding
    from app.ideas.reference import ensure_reference_data
    from app.ledger.checks import check
    from app.proposals.models import Contribution, Proposal
    from app.proposals.operations import transition_proposal

    rng = random.Random(11)
    ensure_reference_data()
    seed_demo()
    db.session.commit()
    proposal = db.session.scalars(sa.select(Proposal).where(Proposal.stage == "funding").order_by(Proposal.id)).first()
    for stage in ("testbed", "market"):
        transition_proposal(proposal, proposal.lead_expert, stage)
    db.session.commit()
    people = add_backers(args.backers + args.contributors)
    backers, contributors = people[:args.backers], people[args.backers:]
    now = utcnow()
    t = time.perf_counter()
    holdings = []
    for uid in backers:
        units = rng.randint(1, 20)
        holdings.append({"proposal_id": proposal.id, "user_id": uid, "units": units, "invested_amount": units * 10_000,
                         "updated_at": now})
    db.session.execute(sa.insert(Holding), holdings)
    lead = proposal.lead_expert_id
    db.session.execute(sa.insert(Contribution), [
        {"proposal_id": proposal.id, "user_id": uid, "kind": "research", "points": rng.randint(1, 50),
         "description": "벤치마크", "recorded_by_id": lead, "confirmed_at": now, "created_at": now}
        for uid in contributors])
    db.session.commit()
    print(f"cap table and contributors inserted in {time.perf_counter() - t:.1f} s; dialect {db.engine.dialect.name}")
    steward = db.session.scalar(sa.select(User).where(User.email == "steward@demo.gops.kr"))
    report = report_revenue(proposal, proposal.lead_expert, period_start=date(2026, 7, 1),
                            period_end=date(2026, 9, 30), revenue_amount=args.revenue, evidence_note="bench")
    record_pool_paid(report, steward, "bench transfer")
    db.session.commit()
    t = time.perf_counter()
    split = ops.distribute(report)
    db.session.commit()
    seconds = time.perf_counter() - t
    lines = db.session.scalar(sa.select(sa.func.count(DistributionLine.id)))
    print(f"\n| backers | contributors | pool (won) | lines | distribute + commit |")
    print("|---|---|---|---|---|")
    print(f"| {args.backers:,} | {args.contributors:,} | {report.pool_amount:,} | {lines:,} | {seconds:.2f} s |")
    assert split is not None
    t = time.perf_counter()
    violations = check()
    print(f"\nflask ledger check: {'consistent' if not violations else violations[:5]} ({time.perf_counter() - t:.1f} s)")


if __name__ == "__main__":
    main()
