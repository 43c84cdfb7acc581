"""GOPS: the application factory."""
import os
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app, has_request_context, session
from flask_login import current_user

from app.core.json import SafeJSONProvider
from app.extensions import babel, csrf, db, limiter, login_manager, migrate


def select_locale() -> str:
    """The user's saved language, else the session's choice, else Korean (the platform's language)."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work: mail picks its language with force_locale
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


class GopsFlask(Flask):
    """Flask, reading JSON bodies with the checks of `app.core.json`."""

    json_provider_class = SafeJSONProvider


def _default_config():
    import config

    return config.DevelopmentConfig if os.environ.get("GOPS_ENV") == "development" else config.Config


def create_app(config_class=None) -> Flask:
    """Build the app: config, extensions, blueprints, error handlers, CLI."""
    base = Path(__file__).resolve().parent.parent
    app = GopsFlask(__name__, template_folder=str(base / "templates"), static_folder=str(base / "static"))
    app.config.from_object(config_class or _default_config())
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set: put it in the environment or .env")
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(base / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories=str(base / "translations"))
    _configure_login()
    with app.app_context():
        _configure_sqlite(db.engine, app.config.get("SQLITE_SYNCHRONOUS", "FULL"))

    from app.core.formatting import register_filters
    from app.core.security import set_security_headers

    register_filters(app)
    app.after_request(set_security_headers)
    _register_template_globals(app)

    from app.api import bp as api_bp
    from app.auth import bp as auth_bp
    from app.auth.account_routes import account_bp
    from app.auth.legal import legal_bp
    from app.distribution import bp as distribution_bp
    from app.funding import bp as funding_bp
    from app.governance import bp as governance_bp
    from app.governance.routes import audit_bp
    from app.ideas import bp as ideas_bp
    from app.notifications import bp as notifications_bp
    from app.people import bp as people_bp
    from app.proposals import bp as proposals_bp
    from app.search import receivers as _search_receivers  # noqa: F401 - connects to the features' signals
    from app.search.index import install_hooks
    from app.search.routes import bp as search_bp

    install_hooks()
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(account_bp)
    app.register_blueprint(legal_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(ideas_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(governance_bp, url_prefix="/governance")
    app.register_blueprint(audit_bp)
    app.register_blueprint(notifications_bp, url_prefix="/notifications")
    app.register_blueprint(proposals_bp)
    app.register_blueprint(funding_bp)
    app.register_blueprint(distribution_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    csrf.exempt(api_bp)  # the API checks CSRF itself for cookie sessions; tokens need none

    from app.core.handlers import register_error_handlers

    register_error_handlers(app)
    _register_commands(app)
    return app


def _register_commands(app: Flask) -> None:
    """Each feature's command group (`app/<feature>/cli.py`)."""
    from app.auth import cli as auth_cli
    from app.demo import cli as demo_cli
    from app.distribution import cli as distribution_cli
    from app.funding import cli as funding_cli
    from app.ideas import cli as ideas_cli
    from app.ledger import cli as ledger_cli  # also declares the ledger's models
    from app.notifications import cli as notifications_cli
    from app.search import cli as search_cli

    for module in (auth_cli, ideas_cli, search_cli, notifications_cli, demo_cli, ledger_cli, funding_cli,
                   distribution_cli):
        for group in module.GROUPS:
            app.cli.add_command(group)


def _configure_login() -> None:
    from flask_babel import lazy_gettext as _l

    from app.auth.operations import load_session_user

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.session_protection = "strong"

    # The session and the remember cookie carry "<id>:<session generation>"; an old generation loads nobody.
    login_manager.user_loader(load_session_user)


def _configure_sqlite(engine, synchronous: str = "FULL") -> None:
    """SQLite: WAL, foreign keys on, wait for locks instead of failing; `synchronous` FULL (a committed payment
    survives a power cut; the tests turn it OFF: their databases are thrown away)."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.close()


def _register_template_globals(app: Flask) -> None:
    from app.core import i18n
    from app.core.forms import csrf_field
    from app.core.display import person
    from app.core.fragments import once
    from app.core.web import url_pattern

    i18n.install(app)
    app.jinja_env.globals["url_pattern"] = url_pattern
    app.jinja_env.globals["person"] = person
    app.jinja_env.globals["once"] = once
    app.jinja_env.globals["csrf_field"] = csrf_field

    @app.context_processor
    def inject():
        from app.notifications.operations import unread_count

        def unread():
            return unread_count(current_user) if current_user.is_authenticated else 0

        return {"current_locale": i18n.locale_code(), "unread_notifications": unread}
