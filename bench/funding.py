"""Funding at size: pledges per second under 8 concurrent backers, and the time to close a round of 5,000 pledges.

Usage:
    .venv/bin/python bench/funding.py [--pledges 5000] [--threads 8] [--database-url URL] [--workdir DIR]

Builds the demo data (`seed_demo`) on a new SQLite file in --workdir (or on --database-url, which it
empties), starts localstripe on a free loopback port, adds 1,000 backers, then for two rounds of two
demo proposals in the funding stage: --threads threads pledge one unit each through the whole flow
(reserve, PaymentIntent create + confirm at localstripe, book into escrow) until --pledges pledges
are paid, printing pledges per second; then closes the round as `flask rounds close-due` does,
printing the time: the first round reaches its target (one settlement transaction: escrow to the
treasury and fees, 5,000 pledges settled, the cap table), the second does not (5,000 refunds, one
processor call and one transaction each). `flask ledger check` runs at the end. Figures are printed,
never asserted. Goal (issue 10): closing a round of 5,000 pledges in under 30 s.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.appconfig import bench_app  # noqa: E402
from scripts.localstripe_server import free_port, wait_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pledges", type=int, default=5000)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--backers", type=int, default=1000)
    p.add_argument("--database-url", default=None, help="default: a new SQLite file in the workdir")
    p.add_argument("--workdir", default=None)
    return p.parse_args()


def empty_database(app) -> None:
    """Drop everything and migrate from scratch."""
    import flask_migrate
    import sqlalchemy as sa

    from app.extensions import db

    with app.app_context():
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))


def add_backers(n: int) -> list[int]:
    """n verified users in one INSERT (one scrypt hash for all: logins are not measured)."""
    import sqlalchemy as sa
    from werkzeug.security import generate_password_hash

    from app.auth.models import User, UserRole
    from app.core.timeutil import utcnow
    from app.extensions import db

    now, hashed = utcnow(), generate_password_hash("bench-backer-pw", method="scrypt")
    db.session.execute(sa.insert(User), [{"email": f"backer{i}@bench.gops.kr", "display_name": f"후원자{i}",
                                          "password_hash": hashed, "locale": "ko", "created_at": now,
                                          "verified_at": now, "investor_category": "general",
                                          "notification_mode": "off", "session_generation": 1}
                                         for i in range(n)])
    ids = db.session.scalars(sa.select(User.id).where(User.email.like("backer%@bench.gops.kr"))).all()
    db.session.execute(sa.insert(UserRole), [{"user_id": i, "role": "citizen"} for i in ids])
    db.session.commit()
    return list(ids)


def open_round(proposal, target: int, cap: int):
    """A round of the proposal, drafted, approved and opened through the operations."""
    from app.core.timeutil import utcnow
    from app.extensions import db
    from app.funding import operations as ops
    from app.auth.models import User
    import sqlalchemy as sa

    steward = db.session.scalar(sa.select(User).where(User.email == "steward@demo.gops.kr"))
    now = utcnow()
    round_ = ops.draft_round(proposal, proposal.lead_expert, {
        "target_amount": target, "cap_amount": cap, "unit_price": 10_000, "min_units": 1, "opens_at": now,
        "closes_at": now + timedelta(days=30), "offering_summary": "벤치마크 라운드", "risk_statement": "원금 손실 위험"})
    ops.approve_round(round_, steward)
    ops.open_round(round_, proposal.lead_expert)
    db.session.commit()
    return round_.id


def pledge_concurrently(app, round_id: int, backer_ids: list[int], count: int, threads: int) -> tuple[float, int]:
    """`threads` threads pledge one unit each until `count` are paid; (seconds, refused)."""
    from app.auth.models import User
    from app.core.errors import DomainError
    from app.extensions import db
    from app.funding.models import Round
    from app.funding.workflows import place_pledge

    lock, state = threading.Lock(), {"next": 0, "refused": 0}

    def worker():
        with app.app_context():
            while True:
                with lock:
                    n = state["next"]
                    if n >= count:
                        return
                    state["next"] += 1
                try:
                    round_ = db.session.get(Round, round_id)
                    backer = db.session.get(User, backer_ids[n % len(backer_ids)])
                    place_pledge(round_, backer, 1, "pm_card_visa", investor_category="general",
                                 risk_acknowledged=True)
                except DomainError:
                    db.session.rollback()
                    with lock:
                        state["refused"] += 1
                finally:
                    db.session.remove()

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.perf_counter() - started, state["refused"]


def main() -> None:
    """Build, measure, print."""
    args = parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="gops-bench-funding-"))
    workdir.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{workdir / 'funding.sqlite'}"
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).unlink(missing_ok=True)
    port = free_port()
    server = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "localstripe_server.py"), "--port", str(port),
                               "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port)
        os.environ.update(STRIPE_SECRET_KEY="sk_test_bench", STRIPE_API_BASE=f"http://127.0.0.1:{port}")
        app = bench_app(url, str(workdir))
        app.config.update(STRIPE_SECRET_KEY="sk_test_bench", STRIPE_API_BASE=f"http://127.0.0.1:{port}",
                          SQLALCHEMY_ENGINE_OPTIONS={"pool_size": args.threads + 2})
        empty_database(app)
        run(app, args)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"(workdir {workdir})")


def run(app, args) -> None:
    """The measurements, in the app's context."""
    import sqlalchemy as sa

    from app.core.timeutil import utcnow
    from app.demo.seed import seed_demo
    from app.extensions import db
    from app.funding import checks  # noqa: F401 - registers funding's checks
    from app.funding.models import Round
    from app.funding import workflows
    from app.ideas.reference import ensure_reference_data
    from app.ledger.checks import check
    from app.proposals.models import Proposal

    with app.app_context():
        ensure_reference_data()
        t = time.perf_counter()
        seed_demo()
        db.session.commit()
        print(f"demo data: {time.perf_counter() - t:.1f} s; dialect {db.engine.dialect.name}")
        backers = add_backers(args.backers)
        funding = db.session.scalars(sa.select(Proposal).where(Proposal.stage == "funding")
                                     .order_by(Proposal.id)).all()[:2]
        value = args.pledges * 10_000
        rows = []
        for proposal, (target, label) in zip(funding, ((value // 2, "reaches its target: settles"),
                                                       (value * 2, "misses its target: refunds"))):
            round_id = open_round(proposal, target, value * 2)
            seconds, refused = pledge_concurrently(app, round_id, backers, args.pledges, args.threads)
            rate = (args.pledges - refused) / seconds
            round_ = db.session.get(Round, round_id)
            db.session.refresh(round_)
            t = time.perf_counter()
            status = workflows.close(round_, now=utcnow() + timedelta(days=31))
            closing = time.perf_counter() - t
            rows.append((label, args.pledges - refused, rate, status, closing))
            print(f"round {round_id} ({label}): {args.pledges - refused} pledges at {rate:.1f}/s with "
                  f"{args.threads} backers at once ({refused} refused); close -> {status} in {closing:.1f} s")
        violations = check()
        print()
        print(f"| round | pledges | pledges/s ({args.threads} concurrent) | closed as | close time |")
        print("|---|---|---|---|---|")
        for label, n, rate, status, closing in rows:
            print(f"| {label} | {n:,} | {rate:.1f} | {status} | {closing:.1f} s |")
        print(f"\nflask ledger check: {'consistent' if not violations else violations[:5]}")


if __name__ == "__main__":
    main()
