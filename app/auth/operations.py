"""Account verbs: register, verify, authenticate, end sessions, issue and revoke API tokens."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.legal import PRIVACY_VERSION, TERMS_VERSION
from app.auth.models import ApiToken, User, UserRole
from app.auth.strength import password_problem
from app.core import audit
from app.core.errors import Conflict, InvalidInput
from app.core.lookup import get_by_id
from app.core.security import Role
from app.core.timeutil import utcnow
from app.extensions import db

_DUMMY_HASH = None


def normalize_email(email: str) -> str:
    """Emails are compared and stored lower-cased and trimmed."""
    return (email or "").strip().lower()


def _dummy_hash() -> str:
    global _DUMMY_HASH
    _DUMMY_HASH = _DUMMY_HASH or generate_password_hash("not-a-password", method="scrypt")
    return _DUMMY_HASH


def user_by_email(email: str) -> User | None:
    """The account using this address (deleted accounts no longer use theirs)."""
    return db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def register_user(email: str, password: str, display_name: str, locale: str = "ko", *,
                  accepted_terms: bool = False) -> User:
    """Create a citizen account; refuse a taken email (Conflict) or a weak password. `accepted_terms` records the
    current terms of use and privacy notice as accepted now."""
    email = normalize_email(email)
    problem = password_problem(password, email, display_name)
    if problem:
        raise InvalidInput(problem, code="weak_password", fields={"password": [problem]})
    taken = Conflict(_l("An account with this email address already exists."), code="email_taken",
                     fields={"email": [str(_l("An account with this email address already exists."))]})
    if user_by_email(email) is not None:
        raise taken
    user = User(email=email, display_name=display_name.strip(), locale=locale if locale in ("ko", "en") else "ko")
    user.set_password(password)
    user.role_rows.append(UserRole(role=Role.CITIZEN.value))
    if accepted_terms:
        now = utcnow()
        user.terms_version, user.terms_accepted_at = TERMS_VERSION, now
        user.privacy_version, user.privacy_accepted_at = PRIVACY_VERSION, now
    try:
        with db.session.begin_nested():  # two registrations of one address at once: the second is refused
            db.session.add(user)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise taken from None
    return user


@dataclass
class SignUp:
    """What a registration did: `user` is the new account, or (`existing`) the one that already had the address."""

    user: User
    existing: bool


def sign_up(email: str, password: str, display_name: str, locale: str = "ko") -> SignUp:
    """Register with the terms accepted, answering alike whether or not the address has an account: an existing
    account is left unchanged and its owner is mailed (`send_sign_up_mail`), so nobody learns who has one."""
    existing = user_by_email(email)
    if existing is None:
        try:
            return SignUp(register_user(email, password, display_name, locale, accepted_terms=True), False)
        except Conflict:
            existing = user_by_email(email)  # registered a moment ago by a concurrent request
    check_password_hash(_dummy_hash(), password)  # as slow as hashing a new password
    return SignUp(existing, True)


def set_locale_of(user: User, locale: str) -> None:
    """Save the language the user reads GOPS and its mail in."""
    if locale not in ("ko", "en"):
        raise InvalidInput(code="invalid_locale", fields={"locale": [str(_l("Choose one of the listed options."))]})
    user.locale = locale
    db.session.flush()


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


def verify_email(token: str) -> User:
    """Mark the address in a valid token as verified; return the user."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["EMAIL_VERIFY_MAX_AGE"])
    except SignatureExpired:
        raise InvalidInput(_l("This verification link has expired. Ask for a new one."), code="link_expired") from None
    except BadSignature:
        raise InvalidInput(_l("This verification link is not valid."), code="link_invalid") from None
    user = get_by_id(User, data.get("uid"))
    if user is None or user.email != data.get("email"):
        raise InvalidInput(_l("This verification link is not valid."), code="link_invalid")
    if user.verified_at is None:
        user.verified_at = utcnow()
        db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (timing does not reveal which part failed)."""
    user = user_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


# Sessions: the session and the remember cookie carry "<id>:<generation>" (User.get_id).

def load_session_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user, if the id's generation is still the user's current one."""
    ident, sep, generation = str(user_id).partition(":")
    if not (sep and ident.isdigit() and generation.isdigit()):
        return None  # a cookie from before generations existed, or forged
    user = get_by_id(User, int(ident))
    if user is None or not user.is_active or user.session_generation != int(generation):
        return None
    return user


def end_sessions(user: User) -> None:
    """A new session generation: every session and remember cookie of the user stops working, on every device."""
    db.session.execute(sa.update(User).where(User.id == user.id)
                       .values(session_generation=User.session_generation + 1)
                       .execution_options(synchronize_session=False))
    db.session.refresh(user, ["session_generation"])


# API tokens: only a SHA-256 digest is stored.

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


def token_for(raw: str) -> ApiToken | None:
    """The unexpired token of an active user with this raw value, or None."""
    # the user's roles load when a view asks for them: most API calls (a support, a list) never do
    token = db.session.scalar(sa.select(ApiToken).options(so.joinedload(ApiToken.user).lazyload(User.role_rows))
                              .where(ApiToken.token_hash == _digest(raw)))
    if token is None or token.is_expired or not token.user.is_active:
        return None
    return token


def user_for_token(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None if unknown or expired."""
    token = token_for(raw)
    return token.user if token is not None else None


def revoke_token(user: User, token_id: int) -> bool:
    """Revoke one of the user's tokens; False if the user has no such token."""
    found = db.session.execute(sa.delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    return found.rowcount > 0


def revoke_tokens(user: User, keep: ApiToken | None = None) -> None:
    """Revoke every token of the user, except `keep` (the one a request is using, if it should go on working)."""
    stmt = sa.delete(ApiToken).where(ApiToken.user_id == user.id)
    if keep is not None:
        stmt = stmt.where(ApiToken.id != keep.id)
    db.session.execute(stmt)
