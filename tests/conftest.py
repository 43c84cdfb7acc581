"""Fixtures: `app`, `db`, `client`, `login_as`, factories. TEST_DATABASE_URL selects PostgreSQL."""
import itertools
import os
import re

import flask_migrate
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db as _db
from config import TestConfig

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def is_postgres() -> bool:
    """Whether the suite runs on PostgreSQL."""
    return os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")


@pytest.fixture(scope="session")
def config_class(tmp_path_factory):
    """A TestConfig bound to this run's database, migrated from empty with the real migrations."""
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    if url.startswith("postgres://") or url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]

    class RunConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": 10, "max_overflow": 70} if url.startswith("postgresql") else {}
        INSTANCE_DIR = str(tmp_path_factory.mktemp("instance"))

    app = create_app(RunConfig)
    with app.app_context():
        with _db.engine.begin() as conn:
            if _db.engine.dialect.name == "postgresql":
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
            else:
                _db.metadata.drop_all(conn)
                conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        flask_migrate.upgrade(directory=app.extensions["migrate"].directory)
        _db.engine.dispose()
    return RunConfig


class Client(FlaskClient):
    """A test client that can fetch a CSRF token and post forms with it."""

    def csrf_token(self) -> str:
        """The session's CSRF token, read from a page like a browser would."""
        html = self.get("/ideas").get_data(as_text=True)
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)

    def open(self, *args, **kwargs):
        """End the test's own transaction first, so the request sees its writes and the test sees the request's."""
        _db.session.commit()
        return super().open(*args, **kwargs)

    def post_form(self, url, data=None, **kwargs):
        """POST a form with a valid CSRF token."""
        return self.post(url, data={"csrf_token": self.csrf_token(), **(data or {})}, **kwargs)


def _clean(db) -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(sa.text(f"DELETE FROM {name}"))


@pytest.fixture
def app(config_class, tmp_path):
    """The app that serves the test's requests, on the run's database with reference data loaded.

    The test body runs in the app context of a second app on the same database, as a second
    process would: requests get their own context (their own `g` and session), so nothing
    cached for one request leaks into the next.
    """
    served = create_app(config_class)
    shell = create_app(config_class)
    for each in (served, shell):
        each.config["INSTANCE_DIR"] = str(tmp_path)
        each.config["SEARCH_INDEX_DIR"] = str(tmp_path / "search")  # a real index, its own per test
    served.test_client_class = Client
    with shell.app_context():
        from app.ideas.reference import ensure_reference_data

        _clean(_db)
        ensure_reference_data()
        _db.session.commit()
        yield served
        _db.session.remove()
        _db.engine.dispose()
    with served.app_context():
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """The Flask-SQLAlchemy handle, inside the app context."""
    return _db


@pytest.fixture
def client(app) -> Client:
    """A test client."""
    return app.test_client()


@pytest.fixture
def create_user(db):
    """Factory: a committed user (verified unless told otherwise)."""
    from app.auth.models import User, UserRole
    from app.auth.operations import grant_role, register_user
    from app.core.security import Role
    from app.core.timeutil import utcnow

    from werkzeug.security import generate_password_hash

    known_hash = generate_password_hash(PASSWORD, method="scrypt")

    def make(email=None, *, name=None, verified=True, roles=(), password=PASSWORD, locale="ko"):
        n = next(_counter)
        if password == PASSWORD:  # reuse one scrypt hash: hashing is slow by design
            user = User(email=email or f"user{n}@example.org", display_name=name or f"시민{n}", locale=locale,
                        password_hash=known_hash)
            user.role_rows.append(UserRole(role="citizen"))
            db.session.add(user)
        else:
            user = register_user(email or f"user{n}@example.org", password, name or f"시민{n}", locale)
        for role in roles:
            grant_role(user, Role(role))
        if verified:
            user.verified_at = utcnow()
        db.session.commit()
        return user

    return make


@pytest.fixture
def create_idea(db, create_user):
    """Factory: a committed open idea."""
    from app.ideas.operations import create_idea as post

    def make(author=None, **fields):
        n = next(_counter)
        values = {
            "title": f"자전거 도로 확충 {n}",
            "summary": "출퇴근 자전거 도로를 산업단지까지 잇자는 제안입니다.",
            "body": "## 문제\n\n자전거로 출근하기 위험합니다.",
            "category": "mobility",
            "municipality": "suwon",
            **fields,
        }
        idea = post(author or create_user(), **values)
        db.session.commit()
        return idea

    return make


@pytest.fixture
def login_as(client):
    """Log the client in through the real login form."""

    def login(user, password=PASSWORD):
        response = client.post_form("/auth/login", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return login


@pytest.fixture
def api_headers(db):
    """Factory: Authorization headers with a fresh API token for a user."""
    from app.auth.operations import issue_token

    def headers(user):
        raw, _token = issue_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {raw}"}

    return headers


def at_once(app, action, user_ids: list[int], idea_id: int) -> list:
    """Run `action(idea, user)` for each user in its own thread, app context and session, all released
    together by a barrier; commit each. Returns each outcome: "ok", or the exception raised."""
    import threading

    from app.auth.models import User
    from app.ideas.models import Idea

    barrier, outcomes = threading.Barrier(len(user_ids)), []

    def worker(user_id):
        with app.app_context():
            try:
                idea, user = _db.session.get(Idea, idea_id), _db.session.get(User, user_id)
                barrier.wait(timeout=30)
                action(idea, user)
                _db.session.commit()
                outcomes.append("ok")
            except Exception as exc:  # noqa: BLE001 - the caller inspects it
                _db.session.rollback()
                outcomes.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker, args=(uid,)) for uid in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes
