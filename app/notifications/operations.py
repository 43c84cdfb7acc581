"""Create notifications in bulk, read them, and mail them (at once or as a daily digest)."""
from collections import OrderedDict
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.auth.models import User
from app.core.errors import InvalidInput
from app.core.mail import send_mail
from app.core.timeutil import utcnow
from app.extensions import db
from app.notifications.models import MODES, Notification

COLUMNS = ["user_id", "kind", "subject_type", "subject_id", "data", "created_at"]


def _constants(kind: str, subject_type: str, subject_id: int, data: dict, now: datetime) -> list:
    return [sa.literal(kind, sa.String), sa.literal(subject_type, sa.String), sa.literal(subject_id, sa.BigInteger),
            sa.literal(data, sa.JSON), sa.literal(now, sa.DateTime(timezone=True))]


def notify_selected(recipients: sa.Select, kind: str, subject: tuple[str, int], data: dict, now=None) -> None:
    """Tell every user whose id `recipients` selects, in one INSERT ... SELECT however many there are."""
    rows = sa.select(recipients.subquery().c[0], *_constants(kind, *subject, data, now or utcnow()))
    db.session.execute(sa.insert(Notification).from_select(COLUMNS, rows))


def notify_user(user_id: int, kind: str, subject: tuple[str, int], data: dict, now=None) -> None:
    """Tell one user."""
    db.session.add(Notification(user_id=user_id, kind=kind, subject_type=subject[0], subject_id=subject[1],
                                data=data, created_at=now or utcnow()))
    db.session.flush()


def unread_count(user) -> int:
    """How many notifications the user has not read (for the bell)."""
    return db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)))


def notifications_query(user) -> sa.Select:
    """The user's notifications, newest first."""
    return (sa.select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def mark_read(user, notification_id: int | None = None) -> int:
    """Mark one notification (or all) as read; return how many changed."""
    stmt = sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    return db.session.execute(stmt.values(read_at=utcnow())).rowcount


def set_mode(user, mode: str) -> None:
    """Choose how notifications arrive by mail."""
    if mode not in MODES:
        msg = _l("Choose one of the listed options.")
        raise InvalidInput(msg, code="invalid_mode", fields={"notification_mode": [str(msg)]})
    user.notification_mode = mode
    db.session.flush()


def _grouped_by_subject(rows: list[Notification]) -> "OrderedDict[tuple[str, int], list[Notification]]":
    groups: OrderedDict[tuple[str, int], list[Notification]] = OrderedDict()
    for row in rows:
        groups.setdefault((row.subject_type, row.subject_id), []).append(row)
    return groups


def send_pending(mode: str, now=None, progress=None) -> int:
    """Mail every user in `mode` their unmailed notifications, one message each, grouped by subject.

    `mode` is "immediate" (run every few minutes) or "daily" (the digest, run once a day). Users
    whose mail is off just have their notifications marked as handled. Safe to run again: each
    user's rows are marked in the same transaction as their mail is sent. Returns mails sent.
    """
    now = now or utcnow()
    db.session.execute(
        sa.update(Notification).where(Notification.emailed_at.is_(None),
                                      Notification.user_id.in_(sa.select(User.id).where(User.notification_mode == "off")))
        .values(emailed_at=now), execution_options={"synchronize_session": False})
    db.session.commit()
    user_ids = db.session.scalars(
        sa.select(Notification.user_id).join(User, User.id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), User.notification_mode == mode)
        .distinct().order_by(Notification.user_id)).all()
    sent = 0
    for user_id in user_ids:
        user = db.session.get(User, user_id)
        rows = db.session.scalars(notifications_query(user).where(Notification.emailed_at.is_(None))
                                  .order_by(None).order_by(Notification.created_at, Notification.id)).all()
        if rows:
            _mail(user, _grouped_by_subject(rows), digest=(mode == "daily"))
            sent += 1
        db.session.execute(sa.update(Notification).where(Notification.id.in_([r.id for r in rows]))
                           .values(emailed_at=now))
        db.session.commit()
        if progress:
            progress(1)
    return sent


def _mail(user, groups, digest: bool) -> None:
    base = current_app.config["BASE_URL"].rstrip("/")
    with force_locale(user.locale):
        subject = _("Your GOPS daily digest") if digest else _("News about ideas you follow on GOPS")
        groups = [(rows[0].title, base + (rows[0].link or ""), rows) for rows in groups.values()]
        body = render_template("notifications/mail.txt", user=user, groups=groups, base=base, digest=digest)
    send_mail(user.email, subject, body)
