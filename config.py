"""Configuration classes; the environment (and a `.env` file) override the defaults."""
import os
from datetime import timedelta
from pathlib import Path

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
load_dotenv(BASE_DIR / ".env")


def _database_url(default_file: str) -> str:
    """Return DATABASE_URL, mapping plain postgres URLs to the psycopg 3 driver."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'instance' / default_file}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Production-safe defaults."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url("gops.sqlite")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    INSTANCE_DIR = os.environ.get("INSTANCE_DIR", str(BASE_DIR / "instance"))

    # Sessions: HttpOnly, SameSite=Lax, Secure unless development says otherwise.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    #: "keep me logged in" lasts this long; logging out anywhere ends it everywhere (the session generation)
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 14

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    #: no request body is parsed past this size (413 in the error shape)
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(2 * 1024 * 1024)))

    BABEL_DEFAULT_LOCALE = "ko"
    BABEL_DEFAULT_TIMEZONE = "Asia/Seoul"
    LANGUAGES = ("ko", "en")

    # Rate limits: Redis at scale (RATELIMIT_STORAGE_URI=redis://...).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    # Failed logins only, one set of counters for the login page and POST /api/v1/tokens (app/core/security.py).
    LOGIN_FAILS_PER_ACCOUNT_ADDRESS = os.environ.get("LOGIN_FAILS_PER_ACCOUNT_ADDRESS", "5 per 15 minutes")
    LOGIN_FAILS_PER_ADDRESS = os.environ.get("LOGIN_FAILS_PER_ADDRESS", "100 per 15 minutes")
    #: from all addresses together; past it, only addresses the account logged in from lately are heard
    LOGIN_FAILS_PER_ACCOUNT = os.environ.get("LOGIN_FAILS_PER_ACCOUNT", "100 per hour")
    PASSWORD_RESETS_PER_EMAIL = os.environ.get("PASSWORD_RESETS_PER_EMAIL", "3 per hour")
    PASSWORD_RESETS_PER_ADDRESS = os.environ.get("PASSWORD_RESETS_PER_ADDRESS", "20 per hour")
    EMAIL_CHANGES_PER_USER = os.environ.get("EMAIL_CHANGES_PER_USER", "5 per hour")
    REGISTRATIONS_PER_ADDRESS = os.environ.get("REGISTRATIONS_PER_ADDRESS", "50 per hour")
    SUPPORTS_PER_USER = os.environ.get("SUPPORTS_PER_USER", "60 per minute;600 per day")
    POSTS_PER_USER = os.environ.get("POSTS_PER_USER", "10 per hour;30 per day")
    COMMENTS_PER_USER = os.environ.get("COMMENTS_PER_USER", "20 per 10 minutes")
    PLEDGES_PER_USER = os.environ.get("PLEDGES_PER_USER", "20 per hour")

    # Mail: written to instance/mail/ unless MAIL_SERVER is set.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") == "1"
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")  # for links in mail sent from the CLI
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "GOPS <no-reply@gops.local>")
    #: who answers questions about personal data (shown in the privacy notice)
    PRIVACY_CONTACT = os.environ.get("PRIVACY_CONTACT", "privacy@gops.kr")
    EMAIL_VERIFY_MAX_AGE = 60 * 60 * 24 * 3
    PASSWORD_RESET_MAX_AGE = 60 * 60

    # The commons' rules (idea lifecycle, ...) are declared by each feature with their defaults
    # (app/<feature>/parameters.py); the environment may override a default by its key.

    SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", str(BASE_DIR / "instance" / "search"))

    # Payments: Stripe through the official SDK (app/funding/stripe_gateway.py). STRIPE_API_BASE points the SDK
    # at another server (localstripe in development and tests); STRIPE_JS_URL is the card form's script.
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY")
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE")
    STRIPE_JS_URL = os.environ.get("STRIPE_JS_URL", "https://js.stripe.com/v3/")
    #: Stripe Connect's transfers, when served apart from the rest of the API (the tests' fake of them)
    STRIPE_CONNECT_BASE = os.environ.get("STRIPE_CONNECT_BASE")

    #: refunds asked for, then recorded, together while a round that did not succeed refunds its backers
    REFUND_BATCH = int(os.environ.get("REFUND_BATCH", "100"))

    API_TOKEN_DAYS = 30
    IDEAS_PER_PAGE = 20
    PASSWORD_MIN_LENGTH = 10
    #: zxcvbn's score (0-4) a new password must reach
    PASSWORD_MIN_SCORE = 3


class DevelopmentConfig(Config):
    """`make run`: plain HTTP on localhost, a fixed development secret."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    # `make run` serves localstripe on this port and registers the webhook with this secret
    LOCALSTRIPE_PORT = int(os.environ.get("LOCALSTRIPE_PORT", "8420"))
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "sk_test_gops_localstripe")
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "pk_test_gops_localstripe")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_gops_localstripe")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", f"http://127.0.0.1:{LOCALSTRIPE_PORT}")
    STRIPE_JS_URL = os.environ.get("STRIPE_JS_URL", f"http://127.0.0.1:{LOCALSTRIPE_PORT}/js.stripe.com/v3/")


class TestConfig(Config):
    """The test suite: TEST_DATABASE_URL picks PostgreSQL, else a SQLite file per run."""

    TESTING = True
    SECRET_KEY = "test-secret"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    RATELIMIT_STORAGE_URI = "memory://"
    #: a test database is thrown away: no waiting for the disk (PostgreSQL's test cluster runs with fsync=off)
    SQLITE_SYNCHRONOUS = "OFF"
    MAIL_SERVER = None
    SEARCH_INDEX_DIR = os.environ.get("TEST_SEARCH_INDEX_DIR", "/tmp/gops-test-search")
