"""User accounts, their roles and API tokens."""
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from flask_babel import lazy_gettext as _l

from app.core.audit import register_subject
from app.core.security import Role
from app.core.timeutil import as_utc, utcnow
from app.extensions import db

INVESTOR_CATEGORIES = ("general", "qualified", "professional")


class User(UserMixin, db.Model):
    """A person with an account."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lower"),
        sa.CheckConstraint("locale IN ('ko', 'en')", name="locale_known"),
        sa.CheckConstraint(
            "investor_category IN ('general', 'qualified', 'professional')", name="investor_category_known"
        ),
        sa.CheckConstraint("notification_mode IN ('immediate', 'daily', 'off')", name="notification_mode_known"),
        sa.CheckConstraint("pending_email = lower(pending_email)", name="pending_email_lower"),
        sa.CheckConstraint("session_generation > 0", name="session_generation_positive"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: unique, stored lower-cased
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(60))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    locale: so.Mapped[str] = so.mapped_column(sa.String(5), default="ko")
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    #: set when the user follows the link in the verification mail
    verified_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    investor_category: so.Mapped[str] = so.mapped_column(sa.String(20), default="general")
    suspended_until: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    banned_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    #: how notifications reach the user by mail: immediate, daily (a digest) or off (in-app only)
    notification_mode: so.Mapped[str] = so.mapped_column(sa.String(10), default="immediate",
                                                         server_default="immediate")
    #: carried by the session and the remember cookie (`get_id`); a new generation ends every session at once
    #: (logout, password change or reset, email change, deletion)
    session_generation: so.Mapped[int] = so.mapped_column(default=1, server_default="1")
    #: the terms of use and privacy notice versions the user accepted, and when (app/auth/legal.py)
    terms_version: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    terms_accepted_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    privacy_version: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    privacy_accepted_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    #: a new address waiting for its verification link to be followed; `email` stays until then
    pending_email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    #: set when the user deleted the account: personal data erased, public contributions kept anonymously
    erased_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))

    role_rows: so.Mapped[list["UserRole"]] = so.relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    def get_id(self) -> str:
        """Flask-Login's id for the session and the remember cookie: "<id>:<generation>"."""
        return f"{self.id}:{self.session_generation}"

    def set_password(self, password: str) -> None:
        """Store an scrypt hash of the password."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """Whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def roles(self) -> set[str]:
        """The user's role names."""
        return {r.role for r in self.role_rows}

    def has_role(self, role: Role | str) -> bool:
        """Whether the user holds the role."""
        return Role(role).value in self.roles

    @property
    def is_verified(self) -> bool:
        """Whether the email address has been verified."""
        return self.verified_at is not None

    @property
    def is_restricted(self) -> bool:
        """Banned, or suspended right now: may read but not act."""
        if self.banned_at is not None:
            return True
        until = as_utc(self.suspended_until)
        return until is not None and until > utcnow()

    @property
    def is_active(self) -> bool:  # Flask-Login: banned users and deleted accounts cannot log in
        return self.banned_at is None and self.erased_at is None

    @property
    def is_erased(self) -> bool:
        """Whether the account was deleted (its public contributions remain under an anonymous name)."""
        return self.erased_at is not None

    @property
    def badges(self) -> list[str]:
        """The roles shown next to the name: expert, steward."""
        return [role for role in ("expert", "steward") if role in self.roles]

    def can_participate(self) -> bool:
        """Verified and not restricted: may post, support and comment."""
        return self.is_verified and not self.is_restricted


class UserRole(db.Model):
    """One role held by one user."""

    __tablename__ = "user_roles"
    __table_args__ = (sa.CheckConstraint("role IN ('citizen', 'expert', 'steward')", name="role_known"),)

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: so.Mapped[str] = so.mapped_column(sa.String(20), primary_key=True)
    granted_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    user: so.Mapped[User] = so.relationship(back_populates="role_rows")


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))

    user: so.Mapped[User] = so.relationship(lazy="joined")

    @property
    def is_expired(self) -> bool:
        """Whether the token is past its expiry."""
        return as_utc(self.expires_at) <= utcnow()


def _user_names(ids: list[int]) -> dict[int, str]:
    return dict(db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(ids))).all())


register_subject("user", label=_l("User"), titles=_user_names)
