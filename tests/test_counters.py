"""Denormalized counters, the hot score, and supports under concurrency."""
import math

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db as _db
from app.ideas.models import Idea, Support
from app.ideas.operations import hot_value, support_idea, withdraw_support
from tests.fixtures.core import at_once, is_postgres


def rows(db, idea) -> int:
    return db.session.scalar(sa.select(sa.func.count(Support.id)).where(Support.idea_id == idea.id))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.tuples(st.integers(0, 3), st.booleans()), max_size=25))
def test_support_counter_always_equals_rows(db, create_user, create_idea, ops):
    idea = create_idea()
    users = [create_user() for _ in range(4)]
    for who, add in ops:
        (support_idea if add else withdraw_support)(idea, users[who])
        db.session.commit()
        assert idea.support_count == rows(db, idea)
    db.session.execute(sa.delete(Support))
    db.session.commit()


def test_hot_favours_recent_support(db, create_user, create_idea):
    old, fresh = create_idea(), create_idea()
    day = 86400
    db.session.execute(sa.update(Idea).where(Idea.id == old.id)
                       .values(hot_score=hot_value(0, old.created_at.timestamp() - 3 * day)))
    db.session.commit()
    supporter = create_user()
    support_idea(old, supporter)  # a support now lifts the old idea's recency to now
    db.session.commit()
    db.session.refresh(old)
    db.session.refresh(fresh)
    assert old.hot_score > fresh.hot_score
    supported_score = old.hot_score
    withdraw_support(old, supporter)  # withdrawing keeps the recency, loses the support
    db.session.commit()
    db.session.refresh(old)
    assert supported_score - old.hot_score == pytest.approx(math.log10(2))
    assert old.hot_score >= fresh.hot_score


def test_hot_score_counts_supports_logarithmically(db, create_user, create_idea):
    a, b = create_idea(), create_idea()
    for _ in range(9):
        support_idea(a, create_user())
    db.session.commit()
    db.session.refresh(a)
    db.session.refresh(b)
    # Nine supports are worth one tenfold: about HOT_SECONDS of recency.
    assert a.hot_score - b.hot_score == pytest.approx(1.0, abs=0.01)


pg_only = pytest.mark.skipif(not is_postgres(), reason="row-level concurrency is checked in the PostgreSQL run")


@pg_only
def test_fifty_concurrent_supports_count_exactly_fifty(app, db, create_user, create_idea):
    idea = create_idea()
    users = [create_user() for _ in range(50)]
    assert at_once(app, support_idea, [u.id for u in users], idea.id) == ["ok"] * 50
    db.session.expire_all()
    assert rows(db, idea) == 50
    assert db.session.get(Idea, idea.id).support_count == 50


@pg_only
def test_one_user_supporting_concurrently_gives_one_row(app, db, create_user, create_idea):
    idea = create_idea()
    user = create_user()
    assert at_once(app, support_idea, [user.id] * 10, idea.id) == ["ok"] * 10
    db.session.expire_all()
    assert rows(db, idea) == 1
    assert db.session.get(Idea, idea.id).support_count == 1


def test_list_page_runs_the_same_number_of_queries_for_5_and_50_ideas(app, client, db, create_user, create_idea,
                                                                      login_as):
    viewer = create_user()
    login_as(viewer)

    def queries_for(n):
        author = create_user()
        while db.session.scalar(sa.select(sa.func.count(Idea.id))) < n:
            idea = create_idea(author)
            support_idea(idea, viewer)
            db.session.commit()
        statements = []
        with app.app_context():
            engine = _db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/ideas?per_page=50").status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        return statements

    five, fifty = queries_for(5), queries_for(50)
    assert len(five) == len(fifty), fifty
    assert len(fifty) <= 12  # user, due check (+ its rule), count, page, supports, code lists, unread bell
