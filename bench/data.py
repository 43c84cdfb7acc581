"""Build a realistic GOPS dataset fast, for benchmarks: users, two years of ideas, supports, comments, proposals.

Usage:
    .venv/bin/python bench/data.py [--ideas 100000] [--users 20000] [--supports 1000000] [--comments 50000]
        [--proposals 500] [--seed 9] [--database-url URL] [--search-index DIR] [--replace] [--check]

Without --database-url it writes a new SQLite file in a temporary directory. The database is first
migrated with the app's real migrations and given its reference data; then rows are written
directly in bulk (executemany on SQLite, COPY on PostgreSQL). This is a bulk loader for
benchmarks, not app code: it bypasses the operations on purpose, and builds the rows so they are
what the lifecycle would have left (states, deadlines, counters, hot scores, one support per user
and idea, accepted_at exactly when accepted). Texts are real Korean sentences recombined
(bench/corpus.py). Every user's password is "bench-password-1".

Prints the steps with their times, the counts per state, and the database URL; with
--search-index DIR it also rebuilds the Whoosh index there with app.search.index.reindex and times it.
"""
import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.appconfig import bench_app, sqlalchemy_url  # noqa: E402
from bench.generate import Dataset  # noqa: E402

PASSWORD = "bench-password-1"


def parse_args(argv=None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ideas", type=int, default=100_000)
    p.add_argument("--users", type=int, default=20_000)
    p.add_argument("--supports", type=int, default=1_000_000)
    p.add_argument("--comments", type=int, default=50_000)
    p.add_argument("--proposals", type=int, default=500)
    p.add_argument("--seed", type=int, default=9)
    p.add_argument("--database-url", default=None, help="default: a new SQLite file in a temporary directory")
    p.add_argument("--search-index", default=None, metavar="DIR", help="also build the Whoosh index in DIR")
    p.add_argument("--replace", action="store_true", help="wipe a database that already holds ideas")
    p.add_argument("--check", action="store_true", help="then run bench/verify.py's consistency checks")
    return p.parse_args(argv)


def _wipe(db) -> None:
    """Drop every table (PostgreSQL: the public schema), as tests/fixtures/core.py does."""
    import sqlalchemy as sa

    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        else:
            names = [r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table' "
                                                        "AND name NOT LIKE 'sqlite_%'")]
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for name in names:
                conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}"')


def prepare(url: str, instance_dir: str, replace: bool) -> dict:
    """Migrate the database, load reference data; return the rules and reference ids the rows need."""
    import flask_migrate
    import sqlalchemy as sa

    app = bench_app(url, instance_dir)
    from app.extensions import db
    from app.ideas.models import Category, Idea, Municipality
    from app.ideas.parameters import answer_due_days, shortlist_supports, support_window_days
    from app.ideas.reference import ensure_reference_data

    with app.app_context():
        if sa.inspect(db.engine).has_table("ideas"):
            if db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) and not replace:
                raise SystemExit(f"{url} already holds ideas; pass --replace to wipe it")
            db.session.rollback()
            _wipe(db)
        flask_migrate.upgrade(directory=app.extensions["migrate"].directory)
        ensure_reference_data()
        db.session.commit()
        rules = {
            "threshold": shortlist_supports(), "window_days": support_window_days(), "answer_days": answer_due_days(),
            "categories": {c.code: c.id for c in db.session.scalars(sa.select(Category))},
            "municipalities": {m.code: (m.id, m.name_ko) for m in db.session.scalars(sa.select(Municipality))},
        }
        db.session.remove()
        db.engine.dispose()
    return rules


def build_index(url: str, instance_dir: str, directory: str) -> tuple[int, float]:
    """Rebuild the search index in `directory` with the app's reindex; return (documents, seconds)."""
    from whoosh import index as whoosh_index

    path = Path(directory)
    if path.exists() and any(path.iterdir()):
        if not whoosh_index.exists_in(str(path)):
            raise SystemExit(f"{path} is not empty and holds no search index; give an empty directory")
        shutil.rmtree(path)
    app = bench_app(url, instance_dir, str(path))
    from app.extensions import db
    from app.search.analyzer import kiwi
    from app.search.index import reindex

    with app.app_context():
        t0 = time.perf_counter()
        kiwi()
        print(f"  Kiwi loaded in {time.perf_counter() - t0:.1f}s", flush=True)
        done = [0, time.perf_counter()]

        def progress(n):
            """Print every 10,000 ideas."""
            done[0] += n
            if done[0] // 10_000 != (done[0] - n) // 10_000:
                print(f"  indexed {done[0]:,} ideas, {time.perf_counter() - done[1]:.0f}s", flush=True)

        started = time.perf_counter()
        count = reindex(progress=progress)
        took = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    return count, took


def build(url: str | None = None, *, ideas: int = 100_000, users: int = 20_000, supports: int = 1_000_000,
          comments: int = 50_000, proposals: int = 500, seed: int = 9, search_index: str | None = None,
          replace: bool = False) -> dict:
    """Build the dataset (and the index); return the URL, counts and timings."""
    work = tempfile.mkdtemp(prefix="gops-bench-data-")
    url = sqlalchemy_url(url or f"sqlite:///{work}/bench.sqlite")
    started = time.perf_counter()
    print(f"database: {url}", flush=True)
    rules = prepare(url, f"{work}/instance", replace)
    print(f"  migrated and reference data loaded in {time.perf_counter() - started:.1f}s", flush=True)
    data = Dataset(random.Random(seed), rules, ideas=ideas, users=users, supports=supports, comments=comments,
                   proposals=proposals, password=PASSWORD)
    counts = data.write(url)
    took = time.perf_counter() - started
    print(f"data built in {took:.1f}s", flush=True)
    result = {"url": url, "counts": counts, "states": data.state_counts(), "build_seconds": took,
              "threshold": rules["threshold"]}
    if search_index:
        print(f"search index: {search_index}", flush=True)
        docs, index_took = build_index(url, f"{work}/instance", search_index)
        print(f"reindexed {docs:,} documents in {index_took:.1f}s", flush=True)
        result.update(index=search_index, index_documents=docs, index_seconds=index_took)
    return result


def main() -> None:
    """Parse, build, print."""
    args = parse_args()
    result = build(args.database_url, ideas=args.ideas, users=args.users, supports=args.supports,
                   comments=args.comments, proposals=args.proposals, seed=args.seed,
                   search_index=args.search_index, replace=args.replace)
    print("rows: " + ", ".join(f"{t} {n:,}" for t, n in result["counts"].items()))
    print("ideas by state: " + ", ".join(f"{s} {n:,}" for s, n in sorted(result["states"].items())))
    print(f"DATABASE_URL={result['url']}")
    if args.check:
        from bench.verify import check

        problems = check(result["url"], result["threshold"])
        for label, n in problems.items():
            print(f"{n:8d}  {label}")
        if any(problems.values()):
            sys.exit(1)


if __name__ == "__main__":
    main()
