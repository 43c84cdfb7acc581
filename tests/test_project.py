"""Project-wide checks: migrations match the models, every string is translated, the CLI works."""
import subprocess
from datetime import datetime, timezone
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.auth.models import User
from app.ideas.models import Comment, Idea, Support

ROOT = Path(__file__).resolve().parent.parent


def test_migrations_match_the_models(db):
    """The test database was built by the migrations; autogenerate must find nothing to add."""
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []


def test_every_message_has_a_korean_translation():
    catalog = read_po((ROOT / "translations/ko/LC_MESSAGES/messages.po").open("rb"))
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string and m.string != ("",)}
    method_map = [("app/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
    missing = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(str(ROOT), method_map, keywords=keywords):
        msgid = message if isinstance(message, str) else message[0]
        if msgid not in translated:
            missing.add(msgid)
    assert not missing, f"untranslated: {sorted(missing)}"


def test_english_pages_have_no_korean_interface_text(client):
    client.post_form("/auth/locale", {"locale": "en"})
    page = client.get("/auth/register").get_data(as_text=True)
    assert "Join GOPS" in page and "Create account" in page
    assert "가입하기" not in page


def test_won_and_dates_are_formatted_per_locale(app):
    from flask_babel import force_locale

    from app.core.formatting import format_when, format_won

    with app.test_request_context():
        with force_locale("ko"):
            assert format_won(1234500) == "1,234,500원"
        with force_locale("en"):
            assert format_won(1234500) == "₩1,234,500"
    when = datetime(2026, 3, 1, 6, 30, tzinfo=timezone.utc)  # 15:30 in Seoul
    with app.test_request_context():
        with force_locale("ko"):
            assert format_when(when) == "2026. 3. 1. 15:30"
        with force_locale("en"):
            assert format_when(when) == "Mar 1, 2026, 3:30:00\u202fPM"


def test_demo_seed_is_realistic_and_idempotent(app, db, payments):
    from app.demo.funding import seed_funding
    from app.demo.seed import seed_demo

    assert seed_demo() is True
    db.session.commit()
    assert seed_funding() == 4  # the three proposals past funding were funded; one round is open
    assert seed_demo() is False and seed_funding() == 0
    ideas = db.session.scalar(sa.select(sa.func.count(Idea.id)))
    assert ideas == 200
    assert db.session.scalar(sa.select(sa.func.count(sa.distinct(Idea.municipality_id)))) == 31
    assert db.session.scalar(sa.select(sa.func.count(sa.distinct(Idea.category_id)))) == 9
    for role in ("steward", "expert"):
        assert any(u.has_role(role) for u in db.session.scalars(sa.select(User)))
    # Counters agree with the rows they count.
    supports = sa.select(sa.func.count(Support.id)).where(Support.idea_id == Idea.id).scalar_subquery()
    comments = sa.select(sa.func.count(Comment.id)).where(Comment.idea_id == Idea.id).scalar_subquery()
    assert db.session.scalar(sa.select(sa.func.count()).where(Idea.support_count != supports)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(Idea.comment_count != comments)) == 0
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) > 100
    from app.proposals.models import Proposal

    stages = set(db.session.scalars(sa.select(Proposal.stage)))
    assert {"drafting", "review", "funding", "testbed", "market"} <= stages
    # People believe it: no two ideas alike, some answers overdue, testbeds in the idea's own place.
    assert db.session.scalar(sa.select(sa.func.count(sa.distinct(Idea.summary)))) == ideas
    from app.ideas.queries import answers_due_query
    from app.core.timeutil import as_utc, utcnow

    assert any(as_utc(i.answer_due_at) < utcnow() for i in db.session.scalars(answers_due_query()))
    for proposal in db.session.scalars(sa.select(Proposal)):
        assert proposal.site.split()[0] in proposal.idea.title
    from app.funding.models import Round
    from app.ledger.checks import check

    assert sorted(db.session.scalars(sa.select(Round.status))) == ["open", "succeeded", "succeeded", "succeeded"]
    assert check() == []


@pytest.mark.parametrize("args, ok", [
    (["--name", "운영자", "--role", "steward", "--verified"], True),
    (["--name", "약한 비번"], False),
])
def test_cli_users_create(app, db, args, ok):
    password = "a-long-enough-secret" if ok else "123"
    result = app.test_cli_runner().invoke(args=["users", "create", "Admin@Example.org", "--password", password, *args])
    user = db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
    if ok:
        assert result.exit_code == 0, result.output
        assert user.roles == {"citizen", "steward"} and user.is_verified
    else:
        assert result.exit_code != 0 and user is None


def test_static_assets_are_vendored_not_fetched():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert "http://" not in text and "https://" not in text, template


def test_readme_starts_with_the_two_commands():
    head = (ROOT / "README.md").read_text().split("\n\n", 3)[:3]
    assert "make run" in "\n".join(head) and "make test" in "\n".join(head)


def test_wsgi_app_refuses_to_start_without_a_secret(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SECRET_KEY": ""}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr


def test_a_gunicorn_worker_warms_up_and_freezes_what_it_holds(app, db, create_idea, monkeypatch):
    """gunicorn.conf.py: Kiwi loaded and used once (it builds its model on its first analysis: a second), the board
    rendered and the search index's field lengths read before the first request, then the process's objects frozen, so a full garbage collection no longer walks them (120 ms stalls at
    100,000 ideas)."""
    import gc
    import runpy

    from app.search import analyzer, scoring

    class Log:
        def __init__(self):
            self.failures = []

        def exception(self, message):
            self.failures.append(message)

    create_idea(title="정류장 그늘막")
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    log = Log()
    analyzer.forget_kiwi()
    scoring._lengths.clear()
    analyzed = []
    loaded = analyzer.kiwi

    class Recording:
        def tokenize(self, text, *args, **kwargs):
            analyzed.append(text)
            return loaded().tokenize(text, *args, **kwargs)

    monkeypatch.setattr(analyzer, "kiwi", Recording)
    try:
        hooks["warm_and_freeze"](app, log)
        assert log.failures == []
        assert analyzer._kiwi is not None and analyzed  # loaded, and its model built by a first analysis
        assert {field for _segment, field in scoring._lengths} == {"title", "summary", "body", "comments", "place"}
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
