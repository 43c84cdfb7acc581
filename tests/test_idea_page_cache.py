"""The idea page a reader who is not logged in gets is remembered whole (app/core/pagecache.py) and shown again
while nothing it shows has changed; every change shows at once, whatever wrote it, because the database moves
the page's key (migration 0012's triggers)."""
import re
from datetime import timedelta

import sqlalchemy as sa

from app.core.timeutil import as_utc, utcnow
from app.ideas.models import Comment, Idea
from tests.fixtures.users import make_user
from tests.test_scale import statements

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _page(client, idea) -> str:
    response = client.get(f"/ideas/{idea.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _english_reader(app, idea):
    """A visitor who is not logged in and reads in English."""
    reader = app.test_client()
    reader.post("/auth/locale", data={"csrf_token": TOKEN.search(_page(reader, idea)).group(1), "locale": "en"})
    return reader


def test_a_second_reader_gets_the_remembered_page_in_one_statement_with_their_own_token(app, db, create_idea):
    from app.ideas.operations import add_comment

    idea = create_idea(title="버스 정류장 온열 의자")
    add_comment(idea, make_user(name="김하늘"), "겨울에 꼭 필요합니다")
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    shown = _page(first, idea)
    url = f"/ideas/{idea.id}"  # read before counting: the test's own idea expired at its commit
    with statements() as seen:
        again = second.get(url).get_data(as_text=True)
    assert len(seen) == 1 and "page_version" in seen[0]  # the key; nothing rendered again
    assert "겨울에 꼭 필요합니다" in again and "김하늘" in again
    tokens = set(TOKEN.findall(shown)), set(TOKEN.findall(again))
    assert all(len(t) == 1 for t in tokens) and tokens[0] != tokens[1]  # each reader's own CSRF token
    assert TOKEN.sub("", shown) == TOKEN.sub("", again)
    # the token filled in is the one the reader's session checks: the language switch works from this page
    response = second.post("/auth/locale", data={"csrf_token": tokens[1].pop(), "locale": "en",
                                                 "next": f"/ideas/{idea.id}"})
    assert response.status_code == 302
    assert "Proposed by" in _page(second, idea)


def test_every_change_the_page_shows_shows_at_once(app, db, create_idea, steward):
    """Changes through the operations and bare SQL alike (a bulk move, a moderator's fix) move the key."""
    from app.auth.operations import grant_role
    from app.core.security import Role
    from app.governance.operations import set_parameter
    from app.ideas.operations import add_comment, support_idea

    author = make_user(name="박제안")
    commenter = make_user(name="이의견")
    idea = create_idea(author, title="공원 야간 조명")
    comment = add_comment(idea, commenter, "밤길이 어둡습니다")
    db.session.commit()
    reader = _english_reader(app, idea)

    def after(change, *expected, gone=()):
        _page(reader, idea)  # remembered as it was
        change()
        db.session.commit()
        page = _page(reader, idea)
        for text in expected:
            assert text in page, text
        for text in gone:
            assert text not in page, text

    after(lambda: add_comment(idea, make_user(), "저도 찬성합니다"), "저도 찬성합니다", "2 comments")
    after(lambda: db.session.execute(sa.update(Comment).where(Comment.id == comment.id).values(body="고친 의견")),
          "고친 의견", gone=["밤길이 어둡습니다"])
    after(lambda: support_idea(idea, make_user()), '<span class="support-count big">1</span>', "49 more supports")
    after(lambda: db.session.execute(sa.update(Idea).where(Idea.id == idea.id).values(title="공원 야간 LED 조명")),
          "공원 야간 LED 조명")
    after(lambda: setattr(db.session.get(type(author), author.id), "display_name", "박시민"), "박시민",
          gone=["박제안"])
    after(lambda: grant_role(db.session.get(type(commenter), commenter.id), Role.EXPERT), "Verified expert")
    after(lambda: set_parameter("SHORTLIST_SUPPORTS", 20, steward, "작은 시부터 시작"), "19 more supports")
    after(lambda: db.session.execute(sa.delete(Comment).where(Comment.id == comment.id)), "저도 찬성합니다",
          gone=["고친 의견"])
    db.session.execute(sa.update(Idea).where(Idea.id == idea.id).values(status="hidden", active=False))
    db.session.commit()
    assert reader.get(f"/ideas/{idea.id}").status_code == 404  # hidden by a moderator: gone at once


def test_an_official_answer_shows_at_once(app, db, shortlisted, steward):
    from app.ideas.lifecycle import answer_idea

    idea = shortlisted(title="하천 산책로 CCTV")
    reader = _english_reader(app, idea)
    assert "Official answer" not in _page(reader, idea)
    answer_idea(idea, steward, "내년 예산에 반영합니다")
    db.session.commit()
    page = _page(reader, idea)
    assert "Official answer" in page and "내년 예산에 반영합니다" in page


def test_the_deadline_passing_changes_the_remembered_page(app, db, create_idea, monkeypatch):
    """What the page says about collecting supports follows the clock, not only the data."""
    from app.ideas import routes

    idea = create_idea(title="마을버스 배차 간격")
    reader = _english_reader(app, idea)
    assert "50 more supports needed" in _page(reader, idea)
    later = as_utc(db.session.get(Idea, idea.id).support_deadline_at) + timedelta(seconds=1)
    monkeypatch.setattr(routes, "utcnow", lambda: later)
    page = _page(reader, idea)
    assert "Support closed on" in page and "50 more supports needed" not in page
    monkeypatch.setattr(routes, "utcnow", utcnow)
    assert "50 more supports needed" in _page(reader, idea)


def test_a_reader_with_a_message_waiting_gets_it_and_a_logged_in_reader_gets_their_own_page(
        app, db, create_idea, steward, login_as, client):
    from app.ideas.lifecycle import merge_ideas

    target = create_idea(title="도서관 야간 개방")
    duplicate = create_idea(title="도서관 밤에도 열기")
    reader = _english_reader(app, target)
    _page(reader, target)  # remembered without a message
    merge_ideas(duplicate, target, steward)
    db.session.commit()
    response = reader.get(f"/ideas/{duplicate.id}", follow_redirects=True)
    assert response.request.path == f"/ideas/{target.id}"
    assert "This idea was merged into a similar one" in response.get_data(as_text=True)
    assert "This idea was merged into a similar one" not in _page(reader, target)  # shown once

    login_as(make_user())
    page = _page(client, target)
    assert 'name="body"' in page  # the comment form: the reader's own page, not the remembered one


def test_every_column_of_an_idea_is_shown_by_its_page_or_named_as_not_shown():
    """A column added to ideas must be added to the page version's trigger (a new migration) or named here."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[1] / "migrations" / "versions" / "0012_page_versions.py"
    spec = importlib.util.spec_from_file_location("page_versions", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    not_shown = {"id", "created_at", "hot_score", "merged_into_id", "page_version"}
    assert set(migration.SHOWN) | not_shown == set(Idea.__table__.columns.keys())
