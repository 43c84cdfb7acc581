"""Roles, security headers, rate-limit keys and the failed-login counters."""
import enum
import hashlib
import math
import time
from urllib.parse import urlsplit

from flask import current_app, g, request
from flask_babel import ngettext
from flask_login import current_user
from limits import parse_many

from app.core.errors import DomainError
from app.extensions import client_address, limiter


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
#: Stripe.js itself (js.stripe.com) also talks to the API and shows its card fields and 3-D Secure in frames
STRIPE_JS_ORIGIN = "https://js.stripe.com"
STRIPE_EXTRA = {"connect-src": ("https://api.stripe.com",),
                "frame-src": ("https://js.stripe.com", "https://hooks.stripe.com")}


def allow_payment_script(url: str) -> None:
    """Let this response's page load the payment processor's browser script from `url` and talk to its origin
    (the pledge page only; every other page keeps the strict policy)."""
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        g.payment_script_origin = f"{parts.scheme}://{parts.netloc}"


def content_security_policy() -> str:
    """The policy for this response: the strict one, widened for the payment script where a page asked for it."""
    origin = g.get("payment_script_origin")
    if not origin:
        return CONTENT_SECURITY_POLICY
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    directives["script-src"] += f" {origin}"
    directives["connect-src"] += f" {origin}"
    if origin == STRIPE_JS_ORIGIN:
        for name, sources in STRIPE_EXTRA.items():
            directives[name] = " ".join(("'self'", *sources))
    return "; ".join(f"{name} {sources}" for name, sources in directives.items())


#: a year, as browsers' preload lists expect
HSTS = "max-age=31536000; includeSubDomains"


def set_security_headers(response):
    """A strict CSP (no inline scripts or styles), the usual hardening headers, HSTS where cookies are
    HTTPS-only (production), and no caching of what a logged-in user sees."""
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
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
    # is_anonymous, not is_authenticated: it reads no column, so a user expired by the view's commit is not
    # loaded again just to set this header
    return "Authorization" in request.headers or bool(current_user and not current_user.is_anonymous)


def user_key() -> str:
    """Rate-limit key for actions of a logged-in user (falls back to the address)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"addr:{client_address()}"


# Failed logins: one set of counters for the login page and the token endpoint (OWASP ASVS 2.2.1).
#  - per (account, address): a few failures lock that account from that address only;
#  - per address: one address can't try many accounts;
#  - per account from all addresses (about 100 an hour): a botnet can't guess on. Once it is reached, only
#    addresses the account logged in from lately ("known" addresses) are still heard, each under its own
#    (account, address) limit; any other is refused without its password being checked. So an attacker
#    elsewhere cannot lock the owner out, and cannot learn a password by spreading guesses either.
# Keys hold a digest of the email address, not the address itself (the limiter's storage is not personal data).

#: how long an address stays known after a successful login from it
KNOWN_ADDRESS_SECONDS = 60 * 60 * 24 * 30


def _account(email: str) -> str:
    return hashlib.sha256(str(email or "").strip().lower().encode()).hexdigest()[:32]


def _counters(email: str) -> list[tuple[str, tuple[str, ...]]]:
    """(config key of the limit, identifiers) for each failed-login counter of this attempt."""
    account, address = _account(email), client_address()
    return [("LOGIN_FAILS_PER_ADDRESS", ("login-fails-address", address)),
            ("LOGIN_FAILS_PER_ACCOUNT_ADDRESS", ("login-fails-pair", account, address)),
            ("LOGIN_FAILS_PER_ACCOUNT", ("login-fails-account", account))]


def _known_key(email: str) -> str:
    return f"LIMITER/login-known/{_account(email)}/{client_address()}"


def _throttling() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True) and limiter.enabled)


def login_wait(email: str) -> int:
    """Seconds before a login to this account from this address may be tried; 0 when it may be tried now."""
    if not _throttling():
        return 0
    strategy, wait = limiter.limiter, 0
    known = limiter.storage.get(_known_key(email)) > 0
    for config_key, ids in _counters(email):
        if config_key == "LOGIN_FAILS_PER_ACCOUNT" and known:
            continue
        for item in parse_many(current_app.config[config_key]):
            if not strategy.test(item, *ids):
                reset_at, _remaining = strategy.get_window_stats(item, *ids)
                wait = max(wait, math.ceil(reset_at - time.time()), 1)
    return wait


def wait_message(seconds: int) -> str:
    """What a refused login says: how long to wait (the pages and the API add the way to a new password)."""
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext("Too many failed logins. Try again in %(num)d minute, or choose a new password.",
                    "Too many failed logins. Try again in %(num)d minutes, or choose a new password.", minutes)


class TooManyFailures(DomainError):
    """A password check refused by the failed-login counters."""

    status = 429
    code = "rate_limited"


def guard_password(email: str, action):
    """Run `action()`, which checks the account's password again (changing the password or the address,
    deleting the account): the failed-login counters apply, so a stolen session can't guess the password."""
    wait = login_wait(email)
    if wait:
        raise TooManyFailures(wait_message(wait))
    try:
        return action()
    except DomainError as exc:
        if exc.code == "wrong_password":
            login_failed(email)
        raise


def login_failed(email: str) -> None:
    """Count a failed login against every counter."""
    if _throttling():
        for config_key, ids in _counters(email):
            for item in parse_many(current_app.config[config_key]):
                limiter.limiter.hit(item, *ids)


def login_succeeded(email: str) -> None:
    """Forget this address's failures for the account and remember the address as known to it."""
    if not _throttling():
        return
    for config_key, ids in _counters(email):
        if config_key == "LOGIN_FAILS_PER_ACCOUNT_ADDRESS":
            for item in parse_many(current_app.config[config_key]):
                limiter.limiter.clear(item, *ids)
    key = _known_key(email)
    limiter.storage.clear(key)
    limiter.storage.incr(key, KNOWN_ADDRESS_SECONDS)


def request_email_key() -> str:
    """Rate-limit key for requests about one email address (password resets), from a form or a JSON body."""
    data = request.get_json(silent=True) if request.is_json else request.form
    email = data.get("email") if isinstance(data, dict) or hasattr(data, "getlist") else None
    return f"email:{_account(email if isinstance(email, str) else '')}"
