"""Check a benchmark dataset is what the lifecycle would have left: counters, scores, states, threads, teams.

Usage: .venv/bin/python bench/verify.py --database-url URL [--threshold 50]
Prints one line per check with the number of rows that break it (0 everywhere when the data is sound).
bench/data.py --check runs it after building.
"""
import argparse
import math
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bulk import libpq_url, sqlite_path  # noqa: E402

HOT_SECONDS = 45000
#: (what must hold, SQL counting the rows that break it)
CHECKS = [
    ("support_count = supports rows", "SELECT count(*) FROM ideas i WHERE support_count <> "
                                      "(SELECT count(*) FROM supports s WHERE s.idea_id = i.id)"),
    ("comment_count = comments rows", "SELECT count(*) FROM ideas i WHERE comment_count <> "
                                      "(SELECT count(*) FROM comments c WHERE c.idea_id = i.id)"),
    ("nobody supports their own idea", "SELECT count(*) FROM supports s JOIN ideas i ON i.id = s.idea_id "
                                       "WHERE s.user_id = i.author_id"),
    ("open ideas: before the deadline, under the threshold",
     "SELECT count(*) FROM ideas WHERE status = 'open' AND (support_deadline_at <= :now OR support_count >= :t)"),
    ("archived ideas: under the threshold, archived after the deadline",
     "SELECT count(*) FROM ideas WHERE status = 'archived' "
     "AND (support_count >= :t OR archived_at < support_deadline_at)"),
    ("shortlisted/adopted: threshold reached by the deadline, answer due 'answer days' later",
     "SELECT count(*) FROM ideas WHERE status IN ('shortlisted', 'adopted') AND (support_count < :t OR "
     "shortlisted_at IS NULL OR shortlisted_at > support_deadline_at OR answer_due_at <= shortlisted_at)"),
    ("shortlisted at the threshold-th support",
     "SELECT count(*) FROM ideas i WHERE status IN ('shortlisted', 'adopted') AND "
     "(SELECT count(*) FROM supports s WHERE s.idea_id = i.id AND s.created_at <= i.shortlisted_at) <> :t"),
    ("no support after an idea stopped collecting",
     "SELECT count(*) FROM ideas i WHERE status IN ('archived', 'open') AND EXISTS (SELECT 1 FROM supports s "
     "WHERE s.idea_id = i.id AND (s.created_at >= i.support_deadline_at OR s.created_at < i.created_at))"),
    ("replies answer a top-level comment of the same idea, later",
     "SELECT count(*) FROM comments c JOIN comments p ON p.id = c.parent_id WHERE p.idea_id <> c.idea_id "
     "OR p.parent_id IS NOT NULL OR c.created_at < p.created_at"),
    ("answers only for answered ideas", "SELECT count(*) FROM ideas i WHERE (answered_at IS NULL) <> "
                                        "NOT EXISTS (SELECT 1 FROM answers a WHERE a.idea_id = i.id)"),
    ("proposals only for adopted ideas", "SELECT count(*) FROM proposals p JOIN ideas i ON i.id = p.idea_id "
                                         "WHERE i.status <> 'adopted'"),
    ("adopted ideas have a proposal", "SELECT count(*) FROM ideas i WHERE status = 'adopted' AND NOT EXISTS "
                                      "(SELECT 1 FROM proposals p WHERE p.idea_id = i.id)"),
    ("review and later: the city accepted as partner",
     "SELECT count(*) FROM proposals p WHERE stage IN ('review', 'funding', 'testbed', 'market') AND NOT EXISTS "
     "(SELECT 1 FROM team_members t WHERE t.proposal_id = p.id AND t.role = 'municipality_partner' "
     "AND t.status = 'accepted')"),
    ("funding and later: frozen share terms", "SELECT count(*) FROM proposals p WHERE stage IN ('funding', 'testbed', "
     "'market') AND NOT EXISTS (SELECT 1 FROM share_terms s WHERE s.proposal_id = p.id AND s.frozen_at IS NOT NULL)"),
]


def _epoch(value) -> float:
    """Seconds since 1970 of a stored timestamp (SQLite text or a datetime)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()


def check(url: str, threshold: int = 50) -> dict[str, int]:
    """Run every check; return {check: rows that break it}."""
    postgres = url.startswith("postgres")
    if postgres:
        import psycopg

        conn = psycopg.connect(libpq_url(url))
        now = datetime.now(timezone.utc)
    else:
        conn = sqlite3.connect(sqlite_path(url))
        now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    params = {"now": now, "t": threshold}
    problems = {}
    for label, sql in CHECKS:
        if postgres:
            sql = sql.replace(":now", "%(now)s").replace(":t", "%(t)s")
        problems[label] = conn.execute(sql, params).fetchone()[0]
    latest = dict(conn.execute("SELECT idea_id, max(created_at) FROM supports GROUP BY idea_id").fetchall())
    bad = 0
    for idea_id, count, hot, created in conn.execute("SELECT id, support_count, hot_score, created_at FROM ideas"):
        expected = math.log10(count + 1) + _epoch(latest.get(idea_id, created)) / HOT_SECONDS
        bad += abs(expected - hot) > 1e-6
    problems["hot_score = log10(supports + 1) + latest support / 45000"] = bad
    if not postgres:
        problems["foreign keys"] = len(conn.execute("PRAGMA foreign_key_check").fetchall())
    conn.close()
    return problems


def main() -> None:
    """Check and print."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--database-url", required=True)
    p.add_argument("--threshold", type=int, default=50, help="the SHORTLIST_SUPPORTS in force")
    args = p.parse_args()
    problems = check(args.database_url, args.threshold)
    for label, n in problems.items():
        print(f"{n:8d}  {label}")
    sys.exit(1 if any(problems.values()) else 0)


if __name__ == "__main__":
    main()
