"""Roles, security headers and rate-limit keys."""
import enum

from flask import request
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


def set_security_headers(response):
    """A strict CSP (no inline scripts or styles) and the usual hardening headers."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response


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
