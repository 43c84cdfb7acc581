"""The public audit log: every steward decision, role change, parameter change and state transition.

`record(actor, action, subject, reason, data)` appends one row; rows are never edited (PostgreSQL
refuses UPDATE and DELETE on the table). Personal data stays out: the actor is a user id shown by
display name, the subject a (type, id) pair, and `data` holds states, keys and numbers only.
Features register how their subjects are named and linked (`register_subject`), so the log's
page shows titles and links without core knowing the features.
"""
import re
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.timeutil import utcnow
from app.extensions import db


class AuditEvent(db.Model):
    """One decision or transition: who, what, on which subject, when and why. Append-only."""

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_subject", "subject_type", "subject_id", "id"),
        sa.Index("ix_audit_events_action", "action", "id"),
        sa.CheckConstraint("length(action) > 0", name="action_nonempty"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: who acted; None for the platform's own rules (deadlines, thresholds)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    #: "<machine or feature>.<verb or new state>", e.g. "idea.shortlisted", "parameter.changed"
    action: so.Mapped[str] = so.mapped_column(sa.String(60))
    subject_type: so.Mapped[str] = so.mapped_column(sa.String(40))
    subject_id: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    data: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    actor = so.relationship("User", lazy="joined")


def subject_type(obj) -> str:
    """The subject type of a model instance: its class name in snake case (TeamMember -> team_member)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(obj).__name__).lower()


def record(actor, action: str, subject, reason: str | None = None, data: dict | None = None,
           at: datetime | None = None) -> AuditEvent:
    """Append one entry. `subject` is a model instance or a (type, id) pair; `actor` a user or None."""
    if isinstance(subject, tuple):
        kind, ident = subject
    else:
        kind, ident = subject_type(subject), subject.id
    actor_id = getattr(actor, "id", None) if actor is not None and getattr(actor, "is_authenticated", True) else None
    event = AuditEvent(actor_id=actor_id, action=action, subject_type=kind, subject_id=ident,
                       reason=(reason or "").strip() or None, data=data or {}, created_at=at or utcnow())
    db.session.add(event)
    db.session.flush()
    return event


def events_query(subject_type_: str | None = None, subject_id: int | None = None,
                 actions: tuple[str, ...] | None = None, newest_first: bool = True) -> sa.Select:
    """Entries, optionally about one subject type or subject, or with given actions."""
    stmt = sa.select(AuditEvent)
    if subject_type_:
        stmt = stmt.where(AuditEvent.subject_type == subject_type_)
    if subject_id is not None:
        stmt = stmt.where(AuditEvent.subject_id == subject_id)
    if actions:
        stmt = stmt.where(AuditEvent.action.in_(actions))
    return stmt.order_by(AuditEvent.id.desc() if newest_first else AuditEvent.id)


# Subjects: how a feature's rows are named and linked on the log's page.
_SUBJECTS: dict[str, dict] = {}


def register_subject(kind: str, *, label, titles: Callable[[list[int]], dict[int, str]] | None = None,
                     link: Callable[[int], str] | None = None) -> None:
    """Declare a subject type: its label, a bulk title lookup (one query per page) and a link builder."""
    _SUBJECTS[kind] = {"label": label, "titles": titles, "link": link}


def subject_types() -> list[str]:
    """Every registered subject type."""
    return sorted(_SUBJECTS)


def subject_labels() -> dict[str, str]:
    """Every registered subject type with its label in the current language."""
    return {kind: str(_SUBJECTS[kind]["label"]) for kind in sorted(_SUBJECTS)}


def describe(events: list[AuditEvent]) -> list[dict]:
    """The entries with their subjects' label, title and link, one title query per subject type."""
    wanted: dict[str, set[int]] = {}
    for e in events:
        if e.subject_id is not None:
            wanted.setdefault(e.subject_type, set()).add(e.subject_id)
    titles = {}
    for kind, ids in wanted.items():
        spec = _SUBJECTS.get(kind)
        if spec and spec["titles"]:
            titles[kind] = spec["titles"](sorted(ids))
    rows = []
    for e in events:
        spec = _SUBJECTS.get(e.subject_type, {})
        title = titles.get(e.subject_type, {}).get(e.subject_id) if e.subject_id is not None else None
        link = spec["link"](e.subject_id) if spec.get("link") and e.subject_id is not None and title else None
        rows.append({"event": e, "subject_label": str(spec.get("label", e.subject_type)), "title": title,
                     "link": link})
    return rows
