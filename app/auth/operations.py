"""Account verbs: register, verify, authenticate, issue API tokens."""
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import ApiToken, User, UserRole
from app.core import audit
from app.core.errors import Conflict, InvalidInput
from app.core.mail import send_mail
from app.core.security import Role
from app.core.timeutil import utcnow
from app.extensions import db

# The most common passwords in breach corpora that pass a length check.
COMMON_PASSWORDS = frozenset(
    """
    1234567890 12345678910 0987654321 1q2w3e4r5t qwertyuiop 1qaz2wsx3edc password123 password1234
    passw0rd123 iloveyou123 qwerty1234 qwerty12345 asdfghjkl1 zxcvbnm123 abcdefghij abc1234567
    1111111111 0000000000 aaaaaaaaaa q1w2e3r4t5 letmein123 welcome123 admin12345 sunshine123
    """.split()
)

_DUMMY_HASH = None


def password_problem(password: str, email: str = "") -> str | None:
    """Why a password is too weak, or None when it is acceptable."""
    min_len = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < min_len:
        return _("Use at least %(n)d characters.", n=min_len)
    if len(password) > 200:
        return _("Use at most 200 characters.")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        return _("This password is too easy to guess.")
    local = email.split("@")[0].lower()
    if email and (lowered == email.lower() or (len(local) >= 4 and local in lowered)):
        return _("The password must not contain your email address.")
    return None


def normalize_email(email: str) -> str:
    """Emails are compared and stored lower-cased and trimmed."""
    return (email or "").strip().lower()


def register_user(email: str, password: str, display_name: str, locale: str = "ko") -> User:
    """Create a citizen account; refuse a taken email or a weak password."""
    email = normalize_email(email)
    problem = password_problem(password, email)
    if problem:
        raise InvalidInput(problem, code="weak_password", fields={"password": [problem]})
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        msg = _l("An account with this email address already exists.")
        raise Conflict(msg, code="email_taken", fields={"email": [str(msg)]})
    user = User(email=email, display_name=display_name.strip(), locale=locale if locale in ("ko", "en") else "ko")
    user.set_password(password)
    user.role_rows.append(UserRole(role=Role.CITIZEN.value))
    db.session.add(user)
    db.session.flush()
    return user


def grant_role(user: User, role: Role, granted_by=None) -> None:
    """Give the user a role (no-op if held); the change is in the public audit log."""
    if not user.has_role(role):
        user.role_rows.append(UserRole(role=Role(role).value))
        db.session.flush()
        audit.record(granted_by, "user.role_granted", ("user", user.id), data={"role": Role(role).value})


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="verify-email")


def verification_token(user: User) -> str:
    """A signed, expiring token naming the user and the address being verified."""
    return _serializer().dumps({"uid": user.id, "email": user.email})


def send_verification_mail(user: User) -> None:
    """Mail the verification link, in the user's language."""
    link = url_for("auth.verify", token=verification_token(user), _external=True)
    with force_locale(user.locale):
        subject = _("Confirm your GOPS email address")
        body = render_template("auth/verify_email.txt", user=user, link=link)
    send_mail(user.email, subject, body)


def verify_email(token: str) -> User:
    """Mark the address in a valid token as verified; return the user."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["EMAIL_VERIFY_MAX_AGE"])
    except SignatureExpired:
        raise InvalidInput(_l("This verification link has expired. Ask for a new one."), code="link_expired") from None
    except BadSignature:
        raise InvalidInput(_l("This verification link is not valid."), code="link_invalid") from None
    user = db.session.get(User, data.get("uid"))
    if user is None or user.email != data.get("email"):
        raise InvalidInput(_l("This verification link is not valid."), code="link_invalid")
    if user.verified_at is None:
        user.verified_at = utcnow()
        db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (timing does not reveal which part failed)."""
    global _DUMMY_HASH
    user = db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))
    if user is None:
        _DUMMY_HASH = _DUMMY_HASH or generate_password_hash("not-a-password", method="scrypt")
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User) -> tuple[str, ApiToken]:
    """Create an API token; the raw value is returned once and never stored."""
    raw = "gops_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        token_hash=_digest(raw),
        expires_at=utcnow() + timedelta(days=current_app.config["API_TOKEN_DAYS"]),
    )
    db.session.add(token)
    db.session.flush()
    return raw, token


def user_for_token(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None if unknown or expired."""
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _digest(raw)))
    if token is None or token.is_expired or not token.user.is_active:
        return None
    return token.user
