"""Notifications: one row per recipient and event, about a subject (type and id) of any feature."""
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.notices import link_for, render_message
from app.core.timeutil import utcnow
from app.extensions import db

MODES = ("immediate", "daily", "off")


class Notification(db.Model):
    """Something a user should know about, shown under the bell until read.

    `kind` is registered by the feature that owns it (`app.core.notices`), which says how the
    message reads and where it leads; `data` holds what the message needs (a title, who acted),
    copied when the event happened so the list needs no joins.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_user_created", "user_id", "created_at"),
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
        sa.Index("ix_notifications_unmailed", "emailed_at", "user_id"),
        sa.Index("ix_notifications_subject", "subject_type", "subject_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    subject_type: so.Mapped[str] = so.mapped_column(sa.String(40))
    subject_id: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    data: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    read_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    #: when it went out by mail; also set (without mailing) for users whose mail is off
    emailed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))

    @property
    def message(self) -> str:
        """The sentence in the current language."""
        return render_message(self.kind, self.data)

    @property
    def link(self) -> str | None:
        """Where the notification leads."""
        return link_for(self.kind, self.subject_id, self.data)

    @property
    def title(self) -> str:
        """The subject's title as it was when the event happened."""
        return (self.data or {}).get("title", "")
