"""Parameters the stewards set, and every change to them."""
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.auth.models import User
from app.core.timeutil import utcnow
from app.extensions import db


class Parameter(db.Model):
    """A rule's current value, overriding the default in config.py."""

    __tablename__ = "parameters"

    key: so.Mapped[str] = so.mapped_column(sa.String(60), primary_key=True)
    value: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class ParameterChange(db.Model):
    """One change of a parameter: who, when, from what, to what, and why. Never edited."""

    __tablename__ = "parameter_changes"
    __table_args__ = (sa.Index("ix_parameter_changes_changed_at", "changed_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(60))
    old_value: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    new_value: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    reason: so.Mapped[str] = so.mapped_column(sa.String(500))
    changed_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    changed_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    changed_by: so.Mapped[User] = so.relationship(lazy="joined", innerjoin=True)
