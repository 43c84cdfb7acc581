"""Measure the idea board: seed N ideas with supports, then time list and detail pages and count queries.

Usage: .venv/bin/python bench/list_pages.py [--ideas 5000] [--requests 200] [--database-url URL]
Prints request latency p50/p95 and SQL statements per request for each page.
"""
import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402


def main() -> None:
    """Seed, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="gops-bench-")
    os.environ.setdefault("SECRET_KEY", "bench")
    from config import TestConfig

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
        SQLALCHEMY_ENGINE_OPTIONS = {}
        INSTANCE_DIR = tmp
        SEARCH_INDEX_DIR = f"{tmp}/search"
        RATELIMIT_ENABLED = False

    from app import create_app
    from app.extensions import db
    from app.ideas.models import Idea, Support
    from app.ideas.operations import hot_value
    from app.ideas.reference import ensure_reference_data
    from app.auth.models import User
    from app.core.timeutil import utcnow

    app = create_app(BenchConfig)
    with app.app_context():
        db.drop_all()
        db.create_all()
        ensure_reference_data()
        rng = random.Random(1)
        users = [User(email=f"b{i}@bench.local", display_name=f"벤치{i}", password_hash="x", verified_at=utcnow())
                 for i in range(200)]
        db.session.add_all(users)
        db.session.flush()
        now = utcnow().timestamp()
        started = time.perf_counter()
        ideas = []
        for i in range(args.ideas):
            n = int(rng.paretovariate(1.2)) - 1
            ideas.append({"author_id": users[i % 200].id, "title": f"벤치마크 아이디어 {i}", "summary": "요약 " * 10,
                          "body": "본문 " * 100, "category_id": 1 + i % 9, "municipality_id": 1 + i % 31,
                          "status": "open", "support_count": min(n, 199), "comment_count": 0,
                          "hot_score": hot_value(min(n, 199), now - rng.uniform(0, 3e6))})
        db.session.execute(sa.insert(Idea), ideas)
        ids = db.session.scalars(sa.select(Idea.id)).all()
        supports = [{"idea_id": iid, "user_id": users[k].id} for iid, row in zip(ids, ideas)
                    for k in range(row["support_count"])]
        db.session.execute(sa.insert(Support), supports)
        db.session.commit()
        print(f"seeded {args.ideas} ideas, {len(supports)} supports in {time.perf_counter() - started:.1f}s "
              f"({db.engine.dialect.name})")
        engine = db.engine

    client = app.test_client()
    pages = {
        "board hot p1": "/ideas",
        "board top p50": "/ideas?sort=top&page=50",
        "board filtered": "/ideas?category=energy&municipality=suwon",
        "idea page": f"/ideas/{ids[len(ids) // 2]}",
        "api list": "/api/v1/ideas?per_page=100",
    }
    statements = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(1))
    print(f"{'page':<16} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for name, url in pages.items():
        times = []
        for _ in range(args.requests):
            statements.clear()
            t0 = time.perf_counter()
            assert client.get(url).status_code == 200
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        print(f"{name:<16} {statistics.median(times):8.2f} {times[int(len(times) * 0.95) - 1]:8.2f} {len(statements):8d}")


if __name__ == "__main__":
    main()
