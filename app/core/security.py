"""Roles, security headers and rate-limit keys."""
import enum

from flask import current_app, g, request
from flask_login import current_user

from app.extensions import client_address


class Role(str, enum.Enum):
    """What a user may be on the platform; a user may hold several roles."""

    CITIZEN = "citizen"
    EXPERT = "expert"
    STEWARD = "steward"


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


#: a year, as browsers' preload lists expect
HSTS = "max-age=31536000; includeSubDomains"


def set_security_headers(response):
    """A strict CSP (no inline scripts or styles), the usual hardening headers, HSTS where cookies are
    HTTPS-only (production), and no caching of what a logged-in user sees."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if _personal(response):
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    return response


def _personal(response) -> bool:
    """A response built for a logged-in user (or carrying their session) must not be stored by caches."""
    if request.endpoint == "static":
        return False
    return bool(current_user and current_user.is_authenticated) or "Authorization" in request.headers


def user_key() -> str:
    """Rate-limit key for actions of a logged-in user (falls back to the address)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"addr:{client_address()}"


def login_account_key() -> str:
    """Rate-limit key for failed logins against one account, whatever the address."""
    data = request.get_json(silent=True) if request.is_json else request.form
    email = (data or {}).get("email") if isinstance(data, dict) or hasattr(data, "get") else None
    return f"login-account:{str(email or '').strip().lower()}"


def login_failed(_response) -> bool:
    """Count a request against the failed-login limits only when it failed (the view sets `g.login_failed`)."""
    return bool(g.get("login_failed"))
