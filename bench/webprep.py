"""Preparation for bench/web.py: page parameters, API tokens, support pairs, SQL counts, the reference's copies.

Not a script.
"""
import random
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

from bench.appconfig import bench_app
from bench.bulk import libpq_url, sqlite_path

#: support pairs per second of wrk run: more than either app can insert, so no run runs out
PAIRS_PER_SECOND = 6000


def _page_values(db, index: Path) -> tuple[dict, dict]:
    """The category, the idea page and the search words the runs use; and the words' document counts."""
    import sqlalchemy as sa

    from app.ideas.models import Category, Idea
    from bench.words import pick

    codes = db.session.scalars(sa.select(Category.code).order_by(Category.position)).all()
    category = "energy" if "energy" in codes else codes[0]
    # The idea most visitors open: the first of the hot board among active ideas.
    idea_id = db.session.scalar(sa.select(Idea.id).where(Idea.status.in_(("open", "shortlisted", "adopted")))
                                .order_by(Idea.hot_score.desc(), Idea.id.desc()).limit(1))
    words = pick(str(index), 1)
    values = {"category": category, "idea_id": idea_id, **{k: v[0][0] for k, v in words.items()}}
    return values, {k: v[0][1] for k, v in words.items()}


def _tokens(db, count: int, rng: random.Random) -> list[tuple[int, str]]:
    """(user id, raw token) for `count` verified users, issued by the app's own operation."""
    import sqlalchemy as sa

    from app.auth.models import User
    from app.auth.operations import issue_token

    ids = db.session.scalars(sa.select(User.id).where(User.verified_at.is_not(None), User.banned_at.is_(None))
                             .order_by(User.id)).all()
    chosen = rng.sample(ids, min(count, len(ids)))
    users = db.session.scalars(sa.select(User).where(User.id.in_(chosen))).all()
    tokens = [(u.id, issue_token(u)[0]) for u in users]
    db.session.commit()
    return tokens


def _pairs(db, tokens, runs: int, per_run: int, rng: random.Random) -> list[list[tuple[str, int]]]:
    """`runs` disjoint lists of (token, idea) nobody supported yet, users in rotation, ideas that collect."""
    import sqlalchemy as sa

    from app.core.timeutil import utcnow
    from app.ideas.models import Idea, Support

    cutoff = utcnow() + timedelta(hours=3)  # still open when the runs are over
    ideas = db.session.execute(sa.select(Idea.id, Idea.author_id).where(sa.or_(
        Idea.status == "shortlisted", sa.and_(Idea.status == "open", Idea.support_deadline_at > cutoff)))).all()
    user_ids = [u for u, _t in tokens]
    used = set()
    for start in range(0, len(user_ids), 500):
        used.update(db.session.execute(sa.select(Support.idea_id, Support.user_id)
                                       .where(Support.user_id.in_(user_ids[start:start + 500]))).all())
    if not ideas:
        raise SystemExit("no idea collects supports: the dataset has no open or shortlisted ideas")
    out = []
    for run in range(runs):
        pairs = []
        for i in range(per_run):
            user, token = tokens[(run * per_run + i) % len(tokens)]
            for _ in range(50):
                idea_id, author = ideas[rng.randrange(len(ideas))]
                if author != user and (idea_id, user) not in used:
                    used.add((idea_id, user))
                    pairs.append((token, idea_id))
                    break
        out.append(pairs)
    return out


def _statements(app, paths: dict, pair: tuple[str, int]) -> dict[str, int]:
    """SQL statements of one request per page, in-process (after one warm-up request each)."""
    import sqlalchemy as sa

    from app.extensions import db

    counted: list[str] = []
    client = app.test_client()
    with app.app_context():
        engine = db.engine

    def listener(_conn, _cursor, statement, *_args):
        """Count one statement."""
        counted.append(statement)

    result = {}
    for name, path in paths.items():
        if name == "support":
            token, idea_id = pair
            headers = {"Authorization": f"Bearer {token}"}
            sa.event.listen(engine, "before_cursor_execute", listener)
            response = client.put(f"/api/v1/ideas/{idea_id}/support", headers=headers)
        else:
            client.get(path)
            counted.clear()
            sa.event.listen(engine, "before_cursor_execute", listener)
            response = client.get(path)
        sa.event.remove(engine, "before_cursor_execute", listener)
        result[name] = len(counted) if response.status_code < 400 else f"HTTP {response.status_code}"
        counted.clear()
    return result


def upgrade(url: str, work: Path) -> None:
    """Bring a reused database to the app's latest migration (nothing happens when it is current)."""
    import flask_migrate

    from app.extensions import db

    app = bench_app(url, str(work / "instance-prep"))
    with app.app_context():
        flask_migrate.upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()


def prepare(url: str, work: Path, index: Path, args, pages: dict[str, str]) -> dict:
    """Everything the runs need from GOPS's database and index, made in-process with the app.

    `pages` maps page names to path templates ("/ideas/{idea_id}"); the values filled in are returned.
    """
    from urllib.parse import quote

    from app.extensions import db

    rng = random.Random(args.seed + 1)
    app = bench_app(url, str(work / "instance-prep"), str(index))
    with app.app_context():
        values, df = _page_values(db, index)
        tokens = _tokens(db, args.tokens, rng)
        per_run = max(2000, PAIRS_PER_SECOND * args.duration)
        lists = _pairs(db, tokens, 2 * args.rounds + 1, per_run, rng)
        db.session.remove()
    files = {}
    for round_no in range(args.rounds):
        for side, k in (("gops", 2 * round_no), ("reference", 2 * round_no + 1)):
            path = work / f"pairs-{side}-{round_no + 1}.txt"
            path.write_text("".join(f"{t} {i}\n" for t, i in lists[k]))
            files[(side, round_no)] = path
    spare = lists[-1]
    values["support_idea"] = spare[0][1]
    paths = {name: pages[name].format(**{k: quote(str(v)) for k, v in values.items()}) for name in args.pages}
    statements = _statements(app, paths, spare[0])
    with app.app_context():
        db.engine.dispose()
    return {"values": values, "df": df, "pairs_files": files, "statements": statements,
            "check_pairs": {"gops": spare[1], "reference": spare[2]}}


def copy_database(url: str, work: Path) -> str:
    """A copy of GOPS's database for the reference app; return its URL."""
    if url.startswith("postgres"):
        import psycopg

        base = libpq_url(url)
        name = base.rsplit("/", 1)[1].split("?", 1)[0]
        copy = f"{name}_reference"
        with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{copy}"')
            conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
        return url.rsplit("/", 1)[0] + f"/{copy}" + (("?" + url.split("?", 1)[1]) if "?" in url else "")
    target = work / "reference.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    source = sqlite3.connect(sqlite_path(url))
    dest = sqlite3.connect(target)
    source.backup(dest)
    dest.execute("PRAGMA journal_mode=WAL")
    dest.close()
    source.close()
    return f"sqlite:///{target}"


def copy_index(index: Path, work: Path) -> Path:
    """A copy of the search index for the reference app."""
    target = work / "reference-search"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(index, target)
    return target
