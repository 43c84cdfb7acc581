"""Idea verbs: post, edit, withdraw, support, comment. They check, change, flush; callers commit."""
import math

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from app.core.errors import NotFound, PermissionDenied
from app.core.lookup import get_by_id
from app.core.sql import dialect_insert
from app.core.timeutil import utcnow
from app.extensions import db
from app.ideas.lifecycle import advance_idea, support_deadline
from app.ideas.models import Category, Comment, Follow, Idea, Support
from app.ideas.queries import by_code, municipality_by_code
from app.ideas.signals import comment_posted, idea_posted
from app.ideas.states import IDEA, IdeaStatus

#: seconds of recency worth one tenfold of supports (the Reddit "hot" constant)
HOT_SECONDS = 45000


def hot_value(support_count: int, epoch_seconds: float) -> float:
    """log10(supports + 1) plus recency: the shape of Reddit's hot ranking."""
    return math.log10(support_count + 1) + epoch_seconds / HOT_SECONDS


def create_idea(author, *, title: str, summary: str, body: str, category: str, municipality: str,
                now=None, draft: bool = False) -> Idea:
    """Post a new open idea, or save a draft only its author sees; only verified, unrestricted users may.
    (`now`: for imports and demo data.) A draft's support window starts when it is published."""
    if not author.can_participate():
        raise PermissionDenied(_l("Verify your email address before posting an idea."), code="not_verified")
    now = now or utcnow()
    idea = Idea(
        author=author,
        title=title.strip(),
        summary=summary.strip(),
        body=body,
        category=by_code(Category, category, "category"),
        municipality=municipality_by_code(municipality),
        status=(IdeaStatus.DRAFT if draft else IdeaStatus.OPEN).value,
        created_at=now,
        support_deadline_at=None if draft else support_deadline(now),
        hot_score=hot_value(0, now.timestamp()),
    )
    db.session.add(idea)
    db.session.flush()
    if not draft:
        idea_posted.send(idea, actor=author)
    return idea


def publish_idea(idea: Idea, user, now=None) -> None:
    """The author publishes a draft: it opens to supports from now, with a fresh deadline."""
    now = now or utcnow()
    IDEA.move(idea, IdeaStatus.OPEN, user, values={
        "created_at": now, "support_deadline_at": support_deadline(now), "hot_score": hot_value(0, now.timestamp())})
    idea_posted.send(idea, actor=user)


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
    idea.category = by_code(Category, category, "category")
    idea.municipality = municipality_by_code(municipality)
    idea.updated_at = utcnow()
    db.session.flush()


def withdraw_idea(idea: Idea, user) -> None:
    """The author takes a draft or open idea off the board."""
    IDEA.move(idea, IdeaStatus.WITHDRAWN, user)
def _support_refusal(idea: Idea, user):
    if not user.is_verified:
        return PermissionDenied(_l("Verify your email address before supporting ideas."), code="not_verified")
    if user.id == idea.author_id:
        return PermissionDenied(_l("You cannot support your own idea."), code="own_idea")
    return PermissionDenied(_l("This idea is not collecting supports."), code="not_supportable")


def support_idea(idea: Idea, user, now=None) -> bool:
    """Support the idea once; return True if this call added the support (idempotent)."""
    now = now or utcnow()
    if not idea.can_support(user, now):
        raise _support_refusal(idea, user)
    stmt = (
        dialect_insert(Support)
        .values(idea_id=idea.id, user_id=user.id, created_at=now)
        .on_conflict_do_nothing(index_elements=["idea_id", "user_id"])
        .returning(Support.id)
    )
    if db.session.execute(stmt).scalar() is None:
        return False
    # The right-hand side reads the row as it was: the new count is support_count + 1.
    counts = db.session.execute(
        sa.update(Idea)
        .where(Idea.id == idea.id)
        .values(
            support_count=Idea.support_count + 1,
            hot_score=sa.func.log10(Idea.support_count + 2) + now.timestamp() / HOT_SECONDS,
        )
        .returning(Idea.support_count, Idea.hot_score)
        .execution_options(synchronize_session=False)
    ).one()
    _counted(idea, counts)
    advance_idea(idea, now)
    return True


def _counted(idea: Idea, counts) -> None:
    """Take the counter and score an UPDATE … RETURNING gave back as the idea's loaded values (no reload)."""
    so.attributes.set_committed_value(idea, "support_count", counts.support_count)
    so.attributes.set_committed_value(idea, "hot_score", counts.hot_score)


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
    counts = db.session.execute(
        sa.update(Idea)
        .where(Idea.id == idea.id)
        .values(
            support_count=Idea.support_count - 1,
            hot_score=Idea.hot_score - sa.func.log10(Idea.support_count + 1) + sa.func.log10(Idea.support_count),
        )
        .returning(Idea.support_count, Idea.hot_score)
        .execution_options(synchronize_session=False)
    ).one()
    _counted(idea, counts)
    return True


def follow_idea(idea: Idea, user) -> bool:
    """Follow an idea one can see (its news arrive like a supporter's); True if this call added it."""
    if not (user and user.is_authenticated and idea.is_visible_to(user)):
        raise PermissionDenied()
    stmt = (dialect_insert(Follow).values(idea_id=idea.id, user_id=user.id, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["idea_id", "user_id"]).returning(Follow.id))
    return db.session.execute(stmt).scalar() is not None


def unfollow_idea(idea: Idea, user) -> bool:
    """Stop following; True if there was a follow."""
    if not (user and user.is_authenticated):
        raise PermissionDenied()
    return bool(db.session.execute(sa.delete(Follow).where(Follow.idea_id == idea.id,
                                                           Follow.user_id == user.id)).rowcount)


def add_comment(idea: Idea, user, body: str, parent_id: int | None = None, now=None) -> Comment:
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
    comment = Comment(idea_id=idea.id, author=user, parent_id=parent.id if parent else None, body=body.strip(),
                      created_at=now or utcnow())
    db.session.add(comment)
    db.session.flush()
    db.session.execute(sa.update(Idea).where(Idea.id == idea.id).values(comment_count=Idea.comment_count + 1))
    db.session.refresh(idea, ["comment_count"])
    comment_posted.send(comment, idea=idea, parent=parent, actor=user)
    return comment
