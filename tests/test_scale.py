"""Scale rules: list pages run a fixed number of statements, walk an index in order, and GETs never write.

Speed itself is measured by bench/ (make bench), never asserted here; these tests pin the properties
that keep it: the same SQL for 5 ideas as for 500, plans without a full scan or a temporary sort of
the ideas table (EXPLAIN, on SQLite and on PostgreSQL), counts capped, and no write from a GET.
"""
import contextlib
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core import pagecache, pagination
from app.core.timeutil import utcnow
from app.ideas import tallies
from app.ideas.models import Category, Idea, Municipality
from app.ideas.operations import HOT_SECONDS
from tests.fixtures.users import make_user

LIST_PAGES = [
    "/ideas",
    "/ideas?sort=new",
    "/ideas?sort=top&category=mobility",
    "/ideas?sort=hot&municipality=suwon",
    "/ideas?sort=new&page=2&per_page=2",
    "/ideas?status=archived&sort=top",
    "/ideas?status=shortlisted&sort=new&category=energy",
    "/ideas/answers",
    "/ideas/feed.atom",
    "/api/v1/ideas",
    "/api/v1/ideas?sort=new&per_page=50",
    "/api/v1/ideas?sort=top&status=open&municipality=suwon",
    "/api/v1/answers/due",
    "/proposals",
    "/proposals?stage=testbed",
    "/api/v1/proposals",
    "/api/v1/proposals?stage=funding",
]


def bulk_ideas(db, n: int, authors: int = 10) -> None:
    """`n` ideas in every public state, over several authors, categories and cities, in one insert."""
    people = [make_user() for _ in range(authors)]
    categories = db.session.scalars(sa.select(Category.id).order_by(Category.id)).all()
    cities = db.session.scalars(sa.select(Municipality.id).order_by(Municipality.id)).all()
    suwon = db.session.scalar(sa.select(Municipality.id).where(Municipality.code == "suwon"))
    now = utcnow()
    rows = []
    for i in range(n):
        status = ("open", "shortlisted", "adopted", "archived")[i % 4]
        created = now - timedelta(minutes=i)
        rows.append({
            "author_id": people[i % authors].id, "title": f"아이디어 {i}", "summary": "요약", "body": "본문",
            "category_id": categories[i % len(categories)], "municipality_id": suwon if i % 3 else cities[i % 31],
            "status": status, "active": status != "archived", "support_count": i % 7, "comment_count": 0,
            "hot_score": created.timestamp() / HOT_SECONDS, "created_at": created,
            "support_deadline_at": created + timedelta(days=30),
            "shortlisted_at": created if status in ("shortlisted", "adopted") else None,
            "answer_due_at": created + timedelta(days=30) if status in ("shortlisted", "adopted") else None,
            "archived_at": created if status == "archived" else None,
        })
    db.session.execute(sa.insert(Idea), rows)  # bypasses the ORM, as bench/data.py does: triggers keep the tallies
    db.session.commit()


@contextlib.contextmanager
def statements():
    """Every SQL statement any engine runs meanwhile."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)


def _count(client, url) -> int:
    """Statements of a request in the steady state: after a first one, which also reads what the app keeps
    (reference data, parameters)."""
    client.get(url)
    with statements() as seen:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(seen)


@pytest.mark.parametrize("logged_in", [False, True])
def test_list_pages_run_the_same_statements_for_5_and_500_ideas(app, db, client, login_as, logged_in):
    if logged_in:
        login_as(make_user())
    bulk_ideas(db, 5, authors=5)
    few = {url: _count(client, url) for url in LIST_PAGES}
    bulk_ideas(db, 495, authors=50)
    many = {url: _count(client, url) for url in LIST_PAGES}
    assert many == few


def test_the_board_shows_active_ideas_and_archived_ones_behind_the_filter(db, client, create_idea):
    shown = create_idea(title="열린 아이디어")
    gone = create_idea(title="보관된 아이디어", status="archived")
    board = client.get("/ideas").get_data(as_text=True)
    assert shown.title in board and gone.title not in board
    assert gone.title in client.get("/ideas?status=archived").get_data(as_text=True)
    api = client.get("/api/v1/ideas").get_json()
    assert [i["id"] for i in api["items"]] == [shown.id] and api["total"] == 1 and api["has_next"] is False


def test_counts_stop_at_the_cap_and_the_pager_still_goes_on(db, client, monkeypatch):
    """Lists without kept totals (words in the API, the answers page) count only up to a cap."""
    monkeypatch.setattr(pagination, "COUNT_CAP", 30)
    bulk_ideas(db, 80)  # 60 active
    body = client.get("/api/v1/ideas?per_page=5&q=아이디어").get_json()
    assert body["total"] is None and body["at_least"] == 30 and body["has_next"] is True
    # past the cap the count reaches a few pages beyond the one shown, never the whole list
    deep = client.get("/api/v1/ideas?per_page=5&page=10&q=아이디어").get_json()
    assert deep["at_least"] == 60 and deep["total"] == 60 and deep["has_next"] is True
    last = client.get("/api/v1/ideas?per_page=5&page=12&q=아이디어").get_json()
    assert len(last["items"]) == 5 and last["has_next"] is False
    assert client.get("/api/v1/ideas?per_page=5&page=13&q=아이디어").get_json()["items"] == []
    # the board's totals come from the tallies, exact at any size
    assert client.get("/api/v1/ideas?per_page=5").get_json()["total"] == 60
    client.post_form("/auth/locale", {"locale": "en"})
    assert "60 ideas" in client.get("/ideas").get_data(as_text=True)


def test_tallies_follow_every_change_of_an_idea(app, db, create_idea, create_user, steward, shortlisted):
    from app.ideas.lifecycle import merge_ideas
    from app.ideas.operations import edit_idea, publish_idea, withdraw_idea

    draft = create_idea(status="draft")
    publish_idea(draft, draft.author)
    edited = create_idea()
    edit_idea(edited, edited.author, title=edited.title, summary=edited.summary, body=edited.body,
              category="energy", municipality="yongin")
    gone = create_idea()
    withdraw_idea(gone, gone.author)
    create_idea(status="archived")
    create_idea(status="adopted")
    merge_ideas(shortlisted(), create_idea(), steward)
    db.session.commit()
    assert tallies.differences() == []
    assert tallies.count(("open",)) == db.session.scalar(sa.select(sa.func.count()).where(Idea.status == "open"))
    db.session.execute(sa.update(sa.table("idea_tallies", sa.column("n"))).values(n=sa.text("n + 1")))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["ideas", "tallies"])
    assert result.exit_code == 1 and "kept" in result.output
    result = app.test_cli_runner().invoke(args=["ideas", "tallies", "--rebuild"])
    assert result.exit_code == 0 and "match" in result.output


def test_active_follows_status_through_every_move_and_the_database_checks_it(db, create_idea):
    idea = create_idea()
    assert idea.active is True
    draft = create_idea(status="draft")
    assert draft.active is False
    archived = create_idea(status="archived")
    assert archived.active is False
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(Idea).where(Idea.id == idea.id).values(active=False))
        db.session.flush()
    db.session.rollback()


def test_no_get_request_writes(app, db, client, create_idea, shortlisted, login_as):
    late = create_idea(title="마감 지난 아이디어")
    db.session.execute(sa.update(Idea).where(Idea.id == late.id).values(
        support_deadline_at=utcnow() - timedelta(days=1)))
    due = shortlisted()
    db.session.execute(sa.update(Idea).where(Idea.id == due.id).values(answer_due_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    login_as(make_user())
    pages = LIST_PAGES + [f"/ideas/{late.id}", f"/api/v1/ideas/{late.id}", f"/ideas/{due.id}", "/search?q=아이디어"]
    with statements() as seen:
        for url in pages:
            assert client.get(url).status_code == 200, url
    writes = [s for s in seen if re.match(r"\s*(INSERT|UPDATE|DELETE)\b", s, re.I)]
    assert writes == []
    db.session.expire_all()
    assert db.session.get(Idea, late.id).status == "open"  # the cron archives it, not the page
    client.post_form("/auth/locale", {"locale": "en"})
    page = client.get(f"/ideas/{late.id}").get_data(as_text=True)
    assert "Support closed on" in page


def test_an_idea_page_runs_the_same_statements_for_1_and_40_comments(db, client, create_idea, steward):
    """The idea page reads its comments (and their authors' roles) in a fixed number of statements; an idea
    without an official answer asks nothing about answers, and the author's roles are not loaded for a name."""
    from app.ideas.lifecycle import answer_idea
    from app.ideas.operations import add_comment

    idea = create_idea(title="정류장 그늘막")
    url = f"/ideas/{idea.id}"
    add_comment(idea, make_user(), "좋은 생각입니다")
    db.session.commit()
    client.get(url)
    pagecache.forget_all()  # both counts are of the page rendered (the 40 comments move its version)
    with statements() as few:
        assert client.get(url).status_code == 200
    for n in range(39):
        add_comment(idea, make_user(roles=["expert"] if n % 5 == 0 else []), f"의견 {n}")
    db.session.commit()
    with statements() as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
    assert not [s for s in many if "FROM answers" in s]
    assert len([s for s in many if "FROM user_roles" in s]) == 1  # the commenters' roles, in one query

    shortlisted = create_idea(title="공식 답변 받은 아이디어", status="shortlisted")
    answer_idea(shortlisted, steward, "검토하겠습니다")
    db.session.commit()
    client.get(f"/ideas/{shortlisted.id}")
    pagecache.forget_all()
    with statements() as answered:
        page = client.get(f"/ideas/{shortlisted.id}").get_data(as_text=True)
    assert [s for s in answered if "FROM answers" in s]
    assert "검토하겠습니다" in page and 'class="badge steward"' in page


# -- plans ---------------------------------------------------------------------------------------

#: the big tables whose lists must walk an index
LISTED = ("ideas", "proposals")


def _plan_problems(conn, statement, parameters) -> list[str]:
    """What in this statement's plan reads the ideas or proposals table whole or sorts outside an index."""
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        if conn.dialect.name == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            details = [row[3] for row in cursor.fetchall()]
            return [d for d in details if re.match(r"SCAN (ideas|proposals)\b(?! USING (COVERING )?INDEX)", d)
                    or "TEMP B-TREE" in d]
        # PostgreSQL's planner reads these tiny tables whole; forbid that so it shows the path it
        # would take on a big table, and see whether that path still has to sort or scan.
        cursor.execute("SET enable_seqscan = off; SET enable_sort = off; SET enable_bitmapscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
        plan = cursor.fetchone()[0]
        cursor.execute("RESET enable_seqscan; RESET enable_sort; RESET enable_bitmapscan")
        plan = json.loads(plan) if isinstance(plan, str) else plan
        found = []

        def walk(node):
            kind = node["Node Type"]
            if kind == "Seq Scan" and node.get("Relation Name") in LISTED or kind in ("Sort", "Incremental Sort"):
                found.append(f"{kind} {node.get('Relation Name', '')} {node.get('Sort Key', '')}")
            for child in node.get("Plans", []):
                walk(child)

        walk(plan[0]["Plan"])
        return found
    finally:
        cursor.close()


def test_every_list_walks_an_index_in_order(app, db, client, login_as):
    """EXPLAIN every statement over the ideas table that a list page runs, on this run's database."""
    bulk_ideas(db, 40)
    login_as(make_user())
    problems: dict[str, list[str]] = {}
    explained = []

    def explain(conn, _cursor, statement, parameters, _context, _many):
        if re.match(r"\s*SELECT\b", statement) and re.search(r"\bFROM (ideas|proposals)\b", statement):
            explained.append(statement)
            bad = _plan_problems(conn, statement, parameters)
            if bad:
                problems[statement] = bad

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", explain)
    try:
        for url in LIST_PAGES + ["/ideas?status=open&sort=hot", "/ideas?status=adopted&sort=top",
                                 "/ideas?sort=top&category=energy&municipality=suwon", "/api/v1/ideas?q=아이디어"]:
            assert client.get(url).status_code == 200, url
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", explain)
    assert len(explained) >= len(LIST_PAGES) + 3
    assert problems == {}, "\n\n".join(f"{s}\n  {p}" for s, p in problems.items())


def test_the_plan_check_sees_a_full_scan_and_a_sort(app, db):
    with db.engine.connect() as conn:
        problems = _plan_problems(conn, "SELECT * FROM ideas ORDER BY title", {})
    assert problems, "a sort of the ideas table outside an index must be reported"
