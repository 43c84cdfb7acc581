"""The bare limit: plain Flask on a GOPS database with sqlite3 or psycopg, no ORM, the best index per page.

Usage:
    DATABASE_URL=sqlite:////path/bench.sqlite SEARCH_INDEX_DIR=/path/search \\
        .venv/bin/gunicorn -w 2 -b 127.0.0.1:8001 bench.reference_app:app
    .venv/bin/python bench/reference_app.py --database-url URL   # only create the bench_* indexes

It serves GOPS's URLs with what each page must show, and nothing more: /ideas (20 active ideas
in hot order; ?sort=hot|new|top, ?category=CODE, ?page=N by offset; no total count), /ideas/<id>
(the idea, its answer and comments), /api/v1/ideas (the same list as JSON), /proposals,
/ideas/answers, /search?q= (a bare Whoosh top 20 on SEARCH_INDEX_DIR), and PUT or POST
/api/v1/ideas/<id>/support with a bearer token (one insert; the counter and hot score change in
SQL). The indexes it needs are created if missing, named bench_*. It prints nothing.
"""
import argparse
import hashlib
import math
import os
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

from flask import Flask, abort, jsonify, request

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bulk import libpq_url, sqlite_path  # noqa: E402
from bench.reference_pages import TEMPLATES  # noqa: E402

ACTIVE = "status IN ('open', 'shortlisted', 'adopted')"
WAITING = "answer_due_at IS NOT NULL AND answered_at IS NULL AND status IN ('shortlisted', 'adopted')"
SORTS = {"hot": ("hot_score", "id"), "new": ("created_at", "id"), "top": ("support_count", "id")}
INDEXES = [
    *(f"bench_ideas_active_{s} ON ideas ({a} DESC, {b} DESC) WHERE {ACTIVE}" for s, (a, b) in SORTS.items()),
    *(f"bench_ideas_active_category_{s} ON ideas (category_id, {a} DESC, {b} DESC) WHERE {ACTIVE}"
      for s, (a, b) in SORTS.items()),
    f"bench_ideas_waiting_answer ON ideas (answer_due_at, id) WHERE {WAITING}",
    "bench_answers_created ON answers (created_at DESC, id DESC)",
    "bench_proposals_created ON proposals (created_at DESC, id DESC)",
]
HOT_SECONDS = 45000
PER_PAGE = 20
LIST_COLUMNS = ("id, author_id, title, summary, status, support_count, comment_count, category_id, "
                "municipality_id, created_at, hot_score, support_deadline_at, shortlisted_at, answer_due_at, "
                "answered_at, merged_into_id")

app = Flask(__name__)
pages = {name: app.jinja_env.from_string(source) for name, source in TEMPLATES.items()}


class Database:
    """One connection per worker process; `?` placeholders on both databases."""

    def __init__(self, url: str):
        """Connect (SQLite: WAL, foreign keys, a 15 s busy wait, as the app does)."""
        self.postgres = url.startswith("postgres")
        if self.postgres:
            import psycopg
            from psycopg.rows import dict_row

            self.conn = psycopg.connect(libpq_url(url), autocommit=True, row_factory=dict_row)
        else:
            self.conn = sqlite3.connect(sqlite_path(url), isolation_level=None, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            for pragma in ("foreign_keys=ON", "journal_mode=WAL", "busy_timeout=15000"):
                self.conn.execute(f"PRAGMA {pragma}")

    def all(self, sql: str, *params) -> list[dict]:
        """Every row, as dicts."""
        rows = self.conn.execute(sql.replace("?", "%s") if self.postgres else sql, params).fetchall()
        return rows if self.postgres else [dict(r) for r in rows]

    def one(self, sql: str, *params) -> dict | None:
        """The first row, or None."""
        rows = self.all(sql, *params)
        return rows[0] if rows else None

    def begin(self) -> None:
        """Start a write transaction (SQLite: take the write lock now, not at the first write)."""
        self.conn.execute("BEGIN" if self.postgres else "BEGIN IMMEDIATE")

    def commit(self) -> None:
        """Commit the write transaction."""
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        """Abandon the write transaction."""
        self.conn.execute("ROLLBACK")

    def stamp(self, moment: datetime):
        """A moment as this database stores it (SQLite: SQLAlchemy's text form)."""
        return moment if self.postgres else moment.strftime("%Y-%m-%d %H:%M:%S.%f")

    def ideas(self, index: str) -> str:
        """The ideas table read through this index: SQLite, without statistics, would prefer a sort."""
        return "ideas" if self.postgres else f"ideas INDEXED BY {index}"

    def create_indexes(self) -> None:
        """Create the bench_* indexes that are missing."""
        for index in INDEXES:
            self.conn.execute(f"CREATE INDEX IF NOT EXISTS {index}")


_db: dict = {}


def db() -> Database:
    """This process's connection (made after gunicorn forks), with the indexes and the reference data."""
    if _db.get("pid") != os.getpid():
        database = Database(os.environ["DATABASE_URL"])
        database.create_indexes()
        categories = database.all("SELECT id, code, name_ko, name_en FROM categories")
        _db.update(pid=os.getpid(), db=database, category_codes={r["code"]: r for r in categories},
                   categories={r["id"]: r for r in categories},
                   municipalities={r["id"]: r for r in database.all(
                       "SELECT id, code, name_ko, name_en FROM municipalities")})
    return _db["db"]


def _page() -> int:
    """The page number asked for (400 unless 1..100,000)."""
    try:
        page = int(request.args.get("page", 1))
    except ValueError:
        abort(400)
    if not 1 <= page <= 100_000:
        abort(400)
    return page


def _with_references(rows: list[dict]) -> list[dict]:
    """Attach the cached category and municipality rows."""
    for row in rows:
        row["category"] = _db["categories"].get(row.get("category_id"))
        row["municipality"] = _db["municipalities"][row["municipality_id"]]
    return rows


def idea_list() -> tuple[list[dict], bool]:
    """A page of active ideas in the asked order with their authors' names; and whether there is a next page."""
    database = db()
    sort = request.args.get("sort", "hot")
    if sort not in SORTS:
        abort(400)
    where, params, index = ACTIVE, [], f"bench_ideas_active_{sort}"
    code = request.args.get("category")
    if code:
        index = f"bench_ideas_active_category_{sort}"
        if code not in _db["category_codes"]:
            abort(400)
        where += " AND category_id = ?"
        params.append(_db["category_codes"][code]["id"])
    a, b = SORTS[sort]
    rows = database.all(
        f"SELECT i.*, u.display_name FROM (SELECT {LIST_COLUMNS} FROM {database.ideas(index)} WHERE {where} "
        f"ORDER BY {a} DESC, {b} DESC LIMIT ? OFFSET ?) i JOIN users u ON u.id = i.author_id "
        f"ORDER BY i.{a} DESC, i.{b} DESC", *params, PER_PAGE + 1, (_page() - 1) * PER_PAGE)
    return _with_references(rows[:PER_PAGE]), len(rows) > PER_PAGE


@app.get("/ideas")
def ideas():
    """The board."""
    items, more = idea_list()
    return pages["ideas"].render(ideas=items, more=more, page=_page(), args=request.args)


def _iso(value) -> str | None:
    """ISO 8601 with offset, from SQLite text or a PostgreSQL datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()


@app.get("/api/v1/ideas")
def api_ideas():
    """The board as JSON, in the shape of GOPS's idea list."""
    items, more = idea_list()
    ref = lambda r: {"code": r["code"], "name_ko": r["name_ko"], "name_en": r["name_en"]}  # noqa: E731
    data = [{
        "id": i["id"], "title": i["title"], "summary": i["summary"], "status": i["status"],
        "support_count": i["support_count"], "comment_count": i["comment_count"],
        "author": {"id": i["author_id"], "display_name": i["display_name"]},
        "category": ref(i["category"]), "municipality": ref(i["municipality"]),
        "created_at": _iso(i["created_at"]), "support_deadline_at": _iso(i["support_deadline_at"]),
        "shortlisted_at": _iso(i["shortlisted_at"]), "answer_due_at": _iso(i["answer_due_at"]),
        "answered_at": _iso(i["answered_at"]), "merged_into": i["merged_into_id"],
        "url": f"{request.host_url}ideas/{i['id']}",
    } for i in items]
    return jsonify({"items": data, "page": _page(), "per_page": PER_PAGE, "has_next": more})


@app.get("/ideas/<int:idea_id>")
def idea(idea_id):
    """One idea with its answer and its comments in time order."""
    database = db()
    row = database.one("SELECT i.*, u.display_name FROM ideas i JOIN users u ON u.id = i.author_id "
                       "WHERE i.id = ? AND i.status NOT IN ('hidden', 'draft')", idea_id)
    if row is None:
        abort(404)
    answer = database.one("SELECT body, created_at FROM answers WHERE idea_id = ?", idea_id)
    comments = database.all("SELECT c.id, c.parent_id, c.body, c.created_at, u.display_name FROM comments c "
                            "JOIN users u ON u.id = c.author_id WHERE c.idea_id = ? ORDER BY c.created_at, c.id",
                            idea_id)
    replies: dict = {}
    for c in comments:
        if c["parent_id"] is not None:
            replies.setdefault(c["parent_id"], []).append(c)
    threads = [(c, replies.get(c["id"], [])) for c in comments if c["parent_id"] is None]
    return pages["idea"].render(idea=_with_references([row])[0], answer=answer, threads=threads)


@app.get("/proposals")
def proposals():
    """Proposals, newest first."""
    rows = db().all(
        "SELECT p.*, u.display_name, i.support_count FROM (SELECT id, idea_id, lead_expert_id, title, stage, "
        "municipality_id, created_at FROM proposals ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?) p "
        "JOIN users u ON u.id = p.lead_expert_id JOIN ideas i ON i.id = p.idea_id "
        "ORDER BY p.created_at DESC, p.id DESC",
        PER_PAGE + 1, (_page() - 1) * PER_PAGE)
    return pages["proposals"].render(proposals=_with_references(rows[:PER_PAGE]), more=len(rows) > PER_PAGE)


@app.get("/ideas/answers")
def answers():
    """Ideas waiting for their official answer, soonest due first (200 at most), and the latest answers."""
    database = db()
    now = datetime.now(timezone.utc)
    waiting = database.all(f"SELECT id, title, support_count, municipality_id, shortlisted_at, answer_due_at "
                           f"FROM {database.ideas('bench_ideas_waiting_answer')} WHERE {WAITING} "
                           f"ORDER BY answer_due_at, id LIMIT 200")
    for row in _with_references(waiting):
        due = datetime.fromisoformat(_iso(row["answer_due_at"]))
        seconds = (now - due).total_seconds()
        row["overdue_days"] = math.floor(seconds / 86400) if seconds >= 0 else -math.ceil(-seconds / 86400)
    answered = database.all("SELECT a.idea_id, a.created_at, i.title FROM (SELECT idea_id, created_at FROM answers "
                            "ORDER BY created_at DESC, id DESC LIMIT 20) a JOIN ideas i ON i.id = a.idea_id "
                            "ORDER BY a.created_at DESC")
    return pages["answers"].render(waiting=waiting, answered=answered)


_search: dict = {}


@app.get("/search")
def search():
    """A bare Whoosh top 20: the query parsed over the text fields, no facets, no highlights."""
    if _search.get("pid") != os.getpid():
        from whoosh import index
        from whoosh.qparser import MultifieldParser

        ix = index.open_dir(os.environ["SEARCH_INDEX_DIR"])
        _search.update(pid=os.getpid(), searcher=ix.searcher(), parser=MultifieldParser(
            ["title", "summary", "body", "comments", "place"], ix.schema))
    q = (request.args.get("q") or "").strip()[:200]
    hits = []
    if q:
        results = _search["searcher"].search(_search["parser"].parse(q), limit=20)
        hits = [{"id": h["id"], "title": h["title"], "summary": h["summary"]} for h in results]
    return pages["search"].render(q=q, hits=hits)


def _token_user(database: Database):
    """The user of the request's bearer token (unexpired, not banned), or None."""
    scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    digest = hashlib.sha256(raw.strip().encode()).hexdigest()
    return database.one("SELECT u.id, u.verified_at FROM api_tokens t JOIN users u ON u.id = t.user_id "
                        "WHERE t.token_hash = ? AND t.expires_at > ? AND u.banned_at IS NULL",
                        digest, database.stamp(datetime.now(timezone.utc)))


@app.route("/api/v1/ideas/<int:idea_id>/support", methods=["PUT", "POST"])
def support(idea_id):
    """Support an idea once: insert the row, then raise the counter and the hot score in SQL."""
    database = db()
    user = _token_user(database)
    if user is None:
        return jsonify({"error": "invalid_token"}), 401
    now = datetime.now(timezone.utc)
    database.begin()
    try:
        idea = database.one("SELECT status, author_id, support_deadline_at, support_count FROM ideas WHERE id = ?",
                            idea_id)
        if idea is None:
            database.rollback()
            return jsonify({"error": "idea_not_found"}), 404
        deadline = idea["support_deadline_at"]
        collecting = idea["status"] == "shortlisted" or (
            idea["status"] == "open" and (deadline is None or datetime.fromisoformat(_iso(deadline)) > now))
        if not collecting or user["verified_at"] is None or user["id"] == idea["author_id"]:
            database.rollback()
            return jsonify({"error": "not_supportable"}), 403
        added = database.one("INSERT INTO supports (idea_id, user_id, created_at) VALUES (?, ?, ?) "
                             "ON CONFLICT (idea_id, user_id) DO NOTHING RETURNING id",
                             idea_id, user["id"], database.stamp(now))
        count = idea["support_count"]
        if added:
            count = database.one("UPDATE ideas SET support_count = support_count + 1, hot_score = "
                                 "log10(support_count + 2) + ? WHERE id = ? RETURNING support_count",
                                 now.timestamp() / HOT_SECONDS, idea_id)["support_count"]
        database.commit()
    except Exception:
        database.rollback()
        raise
    return jsonify({"supported": True, "support_count": count})


def main() -> None:
    """Create the bench_* indexes on a database and exit."""
    p = argparse.ArgumentParser(description="Create the reference app's bench_* indexes.")
    p.add_argument("--database-url", required=True)
    Database(p.parse_args().database_url).create_indexes()


if __name__ == "__main__":
    main()
