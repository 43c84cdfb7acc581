"""Changing what proves who one is: password reset by a mailed single-use link, password change, email change.

Each of them starts a new session generation, so every other session and remember cookie stops working.
"""
import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.auth.models import ApiToken, User
from app.auth.operations import end_sessions, normalize_email, revoke_tokens, user_by_email
from app.auth.strength import password_problem
from app.core.errors import Conflict, InvalidInput
from app.core.lookup import get_by_id
from app.core.timeutil import utcnow
from app.extensions import db


def _refused(message, code: str, field: str) -> InvalidInput:
    """A field the rules refuse (422, like a form that fails validation)."""
    error = InvalidInput(message, code=code, fields={field: [str(message)]})
    error.status = 422
    return error


def _weak(problem: str, field: str = "password") -> InvalidInput:
    return _refused(problem, "weak_password", field)


def _wrong_password(field: str) -> InvalidInput:
    return _refused(_l("The password is not correct."), "wrong_password", field)


def _set_new_password(user: User, password: str, field: str = "password") -> None:
    problem = password_problem(password, user.email, user.display_name)
    if problem:
        raise _weak(problem, field)
    user.set_password(password)


# Reset: the link names the user and a fingerprint of the password hash, so it works until the password changes
# (once) and for an hour at most. Nothing is stored.

def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _fingerprint(user: User) -> str:
    return hashlib.sha256(f"{user.password_hash}|{user.email}".encode()).hexdigest()[:32]


def password_reset_token(user: User) -> str:
    """The token of a reset link for the user."""
    return _reset_serializer().dumps({"uid": user.id, "fp": _fingerprint(user)})


def user_for_reset(token: str) -> User:
    """The user a reset link is for; InvalidInput if it expired, was used or is not ours."""
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        raise InvalidInput(_l("This link has expired. Ask for a new one."), code="link_expired") from None
    except BadSignature:
        data = None
    user = get_by_id(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.is_active or data.get("fp") != _fingerprint(user):
        raise InvalidInput(_l("This link is not valid or was already used. Ask for a new one."), code="link_invalid")
    return user


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link: the link is spent, sessions end, API tokens are revoked, and the
    address is verified (the link reached it)."""
    user = user_for_reset(token)
    _set_new_password(user, password)
    if user.verified_at is None:
        user.verified_at = utcnow()
    revoke_tokens(user)
    end_sessions(user)
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str, keep_token: ApiToken | None = None) -> None:
    """Change the password, knowing the current one; other sessions end and other API tokens are revoked."""
    if not user.check_password(current or ""):
        raise _wrong_password("current_password")
    _set_new_password(user, new)
    revoke_tokens(user, keep=keep_token)
    end_sessions(user)
    db.session.flush()


# Email change: the new address becomes the account's only when the link mailed to it is followed.

@dataclass
class EmailChange:
    """An asked-for change: the user, the new address and, if it is taken, its owner (mailed instead)."""

    user: User
    new_email: str
    owner: User | None = None


def request_email_change(user: User, new_email: str, password: str) -> EmailChange:
    """Ask to move the account to `new_email`, knowing the password. A taken address is answered alike (its
    owner is told instead), so this does not reveal who has an account."""
    if not user.check_password(password or ""):
        raise _wrong_password("password")
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise _refused(_l("This is already your address."), "same_email", "email")
    owner = user_by_email(new_email)
    if owner is None:
        user.pending_email = new_email
        db.session.flush()
    return EmailChange(user, new_email, owner)


def _email_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="change-email")


def email_change_token(user: User) -> str:
    """The token of the link mailed to the pending address."""
    return _email_serializer().dumps({"uid": user.id, "old": user.email, "new": user.pending_email})


def confirm_email_change(token: str) -> User:
    """Follow the link sent to the new address: it becomes the account's, verified; every session ends."""
    invalid = InvalidInput(_l("This link is not valid or was already used."), code="link_invalid")
    try:
        data = _email_serializer().loads(token, max_age=current_app.config["EMAIL_VERIFY_MAX_AGE"])
    except SignatureExpired:
        raise InvalidInput(_l("This link has expired. Ask for a new one."), code="link_expired") from None
    except BadSignature:
        raise invalid from None
    user = get_by_id(User, data.get("uid"))
    if user is None or not user.is_active or not user.pending_email or \
            (user.email, user.pending_email) != (data.get("old"), data.get("new")):
        raise invalid
    taken = Conflict(_l("Another account uses this address now."), code="email_taken")
    if db.session.scalar(sa.select(User.id).where(User.email == user.pending_email)) is not None:
        raise taken
    user.email, user.pending_email, user.verified_at = user.pending_email, None, utcnow()
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        raise taken from None
    end_sessions(user)
    return user
