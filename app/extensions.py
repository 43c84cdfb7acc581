"""The Flask extensions, created unbound; `create_app` binds them."""
import sqlalchemy as sa
from flask import request, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention, so migrations can name them."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def client_address() -> str:
    """The client's address (behind a proxy, configure ProxyFix so this is the real one)."""
    return request.remote_addr or "unknown"


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)


class SessionLoginManager(LoginManager):
    """Flask-Login's manager, with "strong" session protection applied to signed-in sessions only.

    Flask-Login skips an empty session but not one holding only an anonymous visitor's CSRF token
    or language: it then emptied it and deleted the remember cookie on every page view, so each
    anonymous response set two cookies (and could not be cached).
    """

    def _session_protection_failed(self):
        if "_user_id" not in session:
            return False  # nobody is signed in through this session: nothing to protect
        return super()._session_protection_failed()


login_manager = SessionLoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=client_address)
babel = Babel()
