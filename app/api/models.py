"""API bookkeeping: stored responses for idempotent retries."""
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.timeutil import utcnow
from app.extensions import db


class IdempotencyRecord(db.Model):
    """The first response to a write sent with an Idempotency-Key, replayed for retries."""

    __tablename__ = "idempotency_records"
    __table_args__ = (sa.UniqueConstraint("scope", "key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: "user:<id>" or "addr:<address>" for anonymous writes
    scope: so.Mapped[str] = so.mapped_column(sa.String(80))
    key: so.Mapped[str] = so.mapped_column(sa.String(200))
    fingerprint: so.Mapped[str] = so.mapped_column(sa.String(64))
    status_code: so.Mapped[int | None] = so.mapped_column()
    response_body: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
