"""Notifications: one row per recipient and event."""
import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from app.core.timeutil import utcnow
from app.extensions import db


class Kind(str, enum.Enum):
    """What happened."""

    SHORTLISTED = "idea_shortlisted"
    ARCHIVED = "idea_archived"
    ANSWERED = "idea_answered"
    MERGED = "idea_merged"
    MERGED_INTO = "idea_merged_into"
    WITHDRAWN = "idea_withdrawn"
    REPLY = "comment_reply"
    ADOPTED = "idea_adopted"
    PROPOSAL_STAGE = "proposal_stage"
    PROPOSAL_UPDATE = "proposal_update"


#: the sentence shown for each kind; %(title)s is the idea's title
MESSAGES = {
    Kind.SHORTLISTED: _l("“%(title)s” reached the support threshold and is shortlisted: experts may now adopt it."),
    Kind.ARCHIVED: _l("“%(title)s” did not reach the support threshold in time and is archived. Its supports stay visible."),
    Kind.ANSWERED: _l("The stewards answered “%(title)s”."),
    Kind.MERGED: _l("“%(title)s” was merged into a similar idea; its supports and comments moved there."),
    Kind.MERGED_INTO: _l("A similar idea was merged into “%(title)s”."),
    Kind.WITHDRAWN: _l("“%(title)s” was withdrawn by its author."),
    Kind.REPLY: _l("Someone replied to your comment on “%(title)s”."),
    Kind.ADOPTED: _l("An expert adopted “%(title)s”: it becomes a testbed proposal."),
    Kind.PROPOSAL_STAGE: _l("The proposal from “%(title)s” moved to a new stage."),
    Kind.PROPOSAL_UPDATE: _l("The team behind “%(title)s” posted an update."),
}

MODES = ("immediate", "daily", "off")


class Notification(db.Model):
    """Something a user should know about, shown under the bell until read."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_user_created", "user_id", "created_at"),
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
        sa.Index("ix_notifications_unmailed", "emailed_at", "user_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    #: the idea the event is about (for merges: the idea the user followed)
    idea_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    #: where to look: the target of a merge, the reply, ...
    link_idea_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("ideas.id", ondelete="CASCADE"))
    comment_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    read_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    #: when it went out by mail; also set (without mailing) for users whose mail is off
    emailed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))

    idea = so.relationship("Idea", foreign_keys=[idea_id], lazy="joined", innerjoin=True)

    @property
    def message(self) -> str:
        """The sentence in the current language."""
        return str(MESSAGES[Kind(self.kind)] % {"title": self.idea.title})

    @property
    def target_idea_id(self) -> int:
        """The idea a click leads to."""
        return self.link_idea_id or self.idea_id
