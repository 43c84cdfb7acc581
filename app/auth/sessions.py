"""The browser session: starting one at login, and what survives logging in or out."""
from flask import current_app, request, session
from flask_login import login_user
from flask_login.config import COOKIE_NAME

def fresh_session(*, logging_out: bool = False) -> None:
    """Drop everything a session holds (so a session planted before is worthless) but the language and, when
    logging out, Flask-Login's note to delete the remember cookie (without it the cookie outlives the logout)."""
    kept = ("locale", "_remember") if logging_out else ("locale",)
    values = {key: session[key] for key in kept if key in session}
    session.clear()
    session.update(values)


def start_session(user, remember: bool = False) -> None:
    """Log in with a fresh session."""
    fresh_session()
    login_user(user, remember=remember)


def remembered() -> bool:
    """Whether the browser holds a remember cookie (to give it a new one after the session generation changes)."""
    return current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies
