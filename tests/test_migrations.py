"""Data survives the migrations: old notifications, proposal timelines and rule changes keep their meaning."""
import json

import flask_migrate
import sqlalchemy as sa

from app import create_app
from config import TestConfig


def test_0004_moves_notifications_timeline_and_rule_history(tmp_path):
    class OldConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'old.sqlite'}"
        SQLALCHEMY_ENGINE_OPTIONS = {}
        INSTANCE_DIR = str(tmp_path)
        SEARCH_INDEX_DIR = str(tmp_path / "search")

    app = create_app(OldConfig)
    with app.app_context():
        directory = app.extensions["migrate"].directory
        flask_migrate.upgrade(directory=directory, revision="0003")
        db = app.extensions["sqlalchemy"]
        with db.engine.begin() as conn:
            run = lambda sql, **kw: conn.execute(sa.text(sql), kw)  # noqa: E731
            run("INSERT INTO municipalities (id, code, name_ko, name_en, kind) VALUES (1, 'suwon', '수원시', 'Suwon', 'city')")
            run("INSERT INTO categories (id, code, name_ko, name_en, position) VALUES (1, 'mobility', '교통', 'Mobility', 0)")
            for uid, name in ((1, "제안자"), (2, "답글러"), (3, "전문가")):
                run("INSERT INTO users (id, email, display_name, password_hash, locale, created_at, investor_category,"
                    " notification_mode) VALUES (:id, :e, :n, 'x', 'ko', '2026-01-01', 'general', 'immediate')",
                    id=uid, e=f"u{uid}@example.org", n=name)
            for iid, title in ((1, "마을버스"), (2, "합쳐진 아이디어")):
                run("INSERT INTO ideas (id, author_id, title, summary, body, category_id, municipality_id, status,"
                    " support_count, comment_count, hot_score, created_at) VALUES (:id, 1, :t, '요약', '본문', 1, 1,"
                    " 'adopted', 0, 1, 0, '2026-01-01')", id=iid, t=title)
            run("INSERT INTO comments (id, idea_id, author_id, body, created_at) VALUES (1, 1, 2, '답글', '2026-01-02')")
            run("INSERT INTO proposals (id, idea_id, lead_expert_id, title, problem, solution, site, municipality_id,"
                " budget_amount, expected_impact, risks, stage, created_at) VALUES (1, 1, 3, '마을버스 실증', '', '', '',"
                " 1, 0, '', '', 'review', '2026-01-03')")
            run("INSERT INTO notifications (user_id, kind, idea_id, link_idea_id, comment_id, created_at) VALUES"
                " (1, 'comment_reply', 1, NULL, 1, '2026-01-02'), (1, 'idea_merged', 2, 1, NULL, '2026-01-03'),"
                " (1, 'proposal_stage', 1, NULL, NULL, '2026-01-04')")
            run("INSERT INTO proposal_events (proposal_id, kind, from_stage, to_stage, actor_id, created_at) VALUES"
                " (1, 'adopted', NULL, 'drafting', 3, '2026-01-03'), (1, 'stage', 'drafting', 'review', 3, '2026-01-04')")
            run("INSERT INTO parameter_changes (key, old_value, new_value, reason, changed_by_id, changed_at) VALUES"
                " ('SHORTLIST_SUPPORTS', 50, 40, '군 지역 배려', 3, '2026-01-05')")
        flask_migrate.upgrade(directory=directory)
        with db.engine.connect() as conn:
            notes = conn.execute(sa.text("SELECT kind, subject_type, subject_id, data FROM notifications ORDER BY id")).all()
            events = conn.execute(sa.text("SELECT action, subject_type, subject_id, data, reason FROM audit_events"
                                          " ORDER BY id")).all()
        db.engine.dispose()
    as_dict = lambda raw: json.loads(raw) if isinstance(raw, str) else raw  # noqa: E731
    assert [(k, t, i) for k, t, i, _d in notes] == [("comment_reply", "idea", 1), ("idea_merged", "idea", 2),
                                                   ("proposal_stage", "proposal", 1)]
    reply, merged, stage = (as_dict(d) for *_rest, d in notes)
    assert reply == {"title": "마을버스", "comment_id": 1, "actor": "답글러"}
    assert merged == {"title": "합쳐진 아이디어", "link_id": 1} and stage == {"title": "마을버스"}
    assert [(a, t, i) for a, t, i, _d, _r in events] == [
        ("proposal.adopted", "proposal", 1), ("proposal.review", "proposal", 1), ("parameter.changed", "parameter", None)]
    assert as_dict(events[2][3]) == {"key": "SHORTLIST_SUPPORTS", "old": 50, "new": 40} and events[2][4] == "군 지역 배려"
