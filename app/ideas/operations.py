"""Idea verbs: post, edit, withdraw, support, comment. They check, change, flush; callers commit."""
import math

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.core.errors import InvalidInput, NotFound, PermissionDenied
from app.core.lookup import get_by_id
from app.core.sql import dialect_insert
from app.core.timeutil import utcnow
from app.extensions import db
from app.ideas.models import Category, Comment, Idea, Municipality, Support
from app.ideas.lifecycle import advance_idea, support_deadline
from app.ideas.states import IdeaStatus, transition
from app.notifications.models import Kind
from app.notifications.operations import notify_followers, notify_user

#: seconds of recency worth one tenfold of supports (the Reddit "hot" constant)
HOT_SECONDS = 45000


def hot_value(support_count: int, epoch_seconds: float) -> float:
    """log10(supports + 1) plus recency: the shape of Reddit's hot ranking."""
    return math.log10(support_count + 1) + epoch_seconds / HOT_SECONDS


def _resolve(model, code: str, field: str):
    row = db.session.scalar(sa.select(model).where(model.code == code))
    if row is None:
        msg = _l("Choose one of the listed options.")
        raise InvalidInput(msg, code=f"unknown_{field}", fields={field: [str(msg)]})
    return row


def create_idea(author, *, title: str, summary: str, body: str, category: str, municipality: str) -> Idea:
    """Post a new open idea; only verified, unrestricted users may."""
    if not author.can_participate():
        raise PermissionDenied(_l("Verify your email address before posting an idea."), code="not_verified")
    now = utcnow()
    idea = Idea(
        author=author,
        title=title.strip(),
        summary=summary.strip(),
        body=body,
        category=_resolve(Category, category, "category"),
        municipality=_resolve(Municipality, municipality, "municipality"),
        status=IdeaStatus.OPEN.value,
        created_at=now,
        support_deadline_at=support_deadline(now),
        hot_score=hot_value(0, now.timestamp()),
    )
    db.session.add(idea)
    db.session.flush()
    return idea


def ensure_can_edit(idea: Idea, user) -> None:
    """Raise PermissionDenied unless the user may edit the idea."""
    if not idea.can_edit(user):
        raise PermissionDenied(_l("Only the author can edit an idea, and only before anyone supports it."))


def edit_idea(idea: Idea, user, *, title: str, summary: str, body: str, category: str, municipality: str) -> None:
    """Change an idea's text; allowed to its author until the first support."""
    ensure_can_edit(idea, user)
    idea.title = title.strip()
    idea.summary = summary.strip()
    idea.body = body
    idea.category = _resolve(Category, category, "category")
    idea.municipality = _resolve(Municipality, municipality, "municipality")
    idea.updated_at = utcnow()
    db.session.flush()


def withdraw_idea(idea: Idea, user) -> None:
    """The author takes a draft or open idea off the board."""
    if not idea.can_withdraw(user):
        raise PermissionDenied(_l("Only the author can withdraw a draft or open idea."))
    transition(idea, IdeaStatus.WITHDRAWN)
    notify_followers(idea, Kind.WITHDRAWN, include_author=False)
    db.session.flush()


def _support_refusal(idea: Idea, user):
    if not user.is_verified:
        return PermissionDenied(_l("Verify your email address before supporting ideas."), code="not_verified")
    if user.id == idea.author_id:
        return PermissionDenied(_l("You cannot support your own idea."), code="own_idea")
    return PermissionDenied(_l("This idea is not collecting supports."), code="not_supportable")


def support_idea(idea: Idea, user) -> bool:
    """Support the idea once; return True if this call added the support (idempotent)."""
    if not idea.can_support(user):
        raise _support_refusal(idea, user)
    now = utcnow()
    stmt = (
        dialect_insert(Support)
        .values(idea_id=idea.id, user_id=user.id, created_at=now)
        .on_conflict_do_nothing(index_elements=["idea_id", "user_id"])
        .returning(Support.id)
    )
    if db.session.execute(stmt).scalar() is None:
        return False
    # The right-hand side reads the row as it was: the new count is support_count + 1.
    db.session.execute(
        sa.update(Idea)
        .where(Idea.id == idea.id)
        .values(
            support_count=Idea.support_count + 1,
            hot_score=sa.func.log10(Idea.support_count + 2) + now.timestamp() / HOT_SECONDS,
        )
    )
    db.session.flush()
    db.session.refresh(idea, ["support_count", "hot_score"])
    advance_idea(idea, now)
    return True


def withdraw_support(idea: Idea, user) -> bool:
    """Take one's support back; return True if there was one (idempotent)."""
    if not user.is_authenticated:
        raise PermissionDenied()
    if not idea.collects_supports():
        raise PermissionDenied(_l("Supports can no longer change on this idea."), code="not_supportable")
    deleted = db.session.execute(
        sa.delete(Support).where(Support.idea_id == idea.id, Support.user_id == user.id)
    ).rowcount
    if not deleted:
        return False
    # Keep the recency part of the score, swap log10(old + 1) for log10(old).
    db.session.execute(
        sa.update(Idea)
        .where(Idea.id == idea.id)
        .values(
            support_count=Idea.support_count - 1,
            hot_score=Idea.hot_score - sa.func.log10(Idea.support_count + 1) + sa.func.log10(Idea.support_count),
        )
    )
    db.session.flush()
    db.session.refresh(idea, ["support_count", "hot_score"])
    return True


def supported_idea_ids(user, idea_ids) -> set[int]:
    """Which of these ideas the user supports (one query)."""
    if not user or not user.is_authenticated or not idea_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Support.idea_id).where(Support.user_id == user.id, Support.idea_id.in_(list(idea_ids)))
        )
    )


def add_comment(idea: Idea, user, body: str, parent_id: int | None = None) -> Comment:
    """Comment on an idea, or reply to a comment; a reply to a reply joins its thread."""
    if not idea.can_comment(user):
        if not user.is_verified:
            raise PermissionDenied(_l("Verify your email address before commenting."), code="not_verified")
        raise PermissionDenied(_l("The discussion on this idea is closed."), code="comments_closed")
    parent = None
    if parent_id is not None:
        parent = get_by_id(Comment, parent_id)
        if parent is None or parent.idea_id != idea.id:
            raise NotFound(_l("The comment you replied to does not exist."), code="parent_not_found")
        if parent.parent_id is not None:
            parent = db.session.get(Comment, parent.parent_id)
    comment = Comment(idea_id=idea.id, author=user, parent_id=parent.id if parent else None, body=body.strip())
    db.session.add(comment)
    db.session.flush()
    db.session.execute(sa.update(Idea).where(Idea.id == idea.id).values(comment_count=Idea.comment_count + 1))
    db.session.refresh(idea, ["comment_count"])
    if parent is not None and parent.author_id != user.id:
        notify_user(parent.author_id, Kind.REPLY, idea.id, comment_id=comment.id)
    return comment


def comment_threads(idea: Idea) -> list[tuple[Comment, list[Comment]]]:
    """The idea's comments as (top-level comment, replies) in time order, in one query."""
    rows = db.session.scalars(
        sa.select(Comment).where(Comment.idea_id == idea.id).order_by(Comment.created_at, Comment.id)
    ).all()
    replies: dict[int, list[Comment]] = {}
    for c in rows:
        if c.parent_id is not None:
            replies.setdefault(c.parent_id, []).append(c)
    return [(c, replies.get(c.id, [])) for c in rows if c.parent_id is None]


SORTS = {
    "hot": (Idea.hot_score.desc(), Idea.id.desc()),
    "new": (Idea.created_at.desc(), Idea.id.desc()),
    "top": (Idea.support_count.desc(), Idea.id.desc()),
}
PUBLIC_STATUSES = ("open", "shortlisted", "adopted", "archived")


def ideas_query(*, sort: str = "hot", status: str | None = None, category: str | None = None,
                municipality: str | None = None, author_id: int | None = None, q: str | None = None) -> sa.Select:
    """The select for an idea list; unknown sort or filter values raise InvalidInput."""
    if sort not in SORTS:
        raise InvalidInput(_l("Unknown sort order."), code="invalid_sort", fields={"sort": [str(_l("Unknown sort order."))]})
    stmt = sa.select(Idea)
    if status:
        if status not in PUBLIC_STATUSES:
            msg = _l("Unknown status.")
            raise InvalidInput(msg, code="invalid_status", fields={"status": [str(msg)]})
        stmt = stmt.where(Idea.status == status)
    else:
        stmt = stmt.where(Idea.status.in_(PUBLIC_STATUSES))
    if category:
        stmt = stmt.where(Idea.category_id == _resolve(Category, category, "category").id)
    if municipality:
        stmt = stmt.where(Idea.municipality_id == _resolve(Municipality, municipality, "municipality").id)
    if author_id is not None:
        stmt = stmt.where(Idea.author_id == author_id)
    if q and q.strip():
        # A plain substring filter; Korean-aware ranked search lives in /search.
        pattern = "%" + q.strip()[:100].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(sa.or_(Idea.title.ilike(pattern, escape="\\"), Idea.summary.ilike(pattern, escape="\\")))
    return stmt.order_by(*SORTS[sort])


def get_visible_idea(idea_id: int, user) -> Idea:
    """The idea if it exists and this user may see it, else NotFound."""
    idea = get_by_id(Idea, idea_id)
    if idea is None or not idea.is_visible_to(user):
        raise NotFound(_l("There is no such idea."), code="idea_not_found")
    return idea
