"""Time and thresholds: shortlisting, archiving, official answers, merging duplicates."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core.errors import Conflict, InvalidInput, PermissionDenied
from app.core.parties import refuse_party
from app.core.sql import dialect_insert
from app.core.timeutil import as_utc, utcnow
from app.extensions import db
from app.ideas.models import Answer, Comment, Idea, Support
from app.ideas.parameters import answer_due_days, shortlist_supports, support_window_days
from app.ideas.signals import idea_answered
from app.ideas.states import IDEA, IdeaStatus


def support_deadline(created_at: datetime) -> datetime:
    """When an idea posted at `created_at` must have reached the threshold."""
    return created_at + timedelta(days=support_window_days())


def _shortlist(idea: Idea, now: datetime) -> None:
    idea.shortlisted_at = now
    idea.answer_due_at = now + timedelta(days=answer_due_days())
    IDEA.move(idea, IdeaStatus.SHORTLISTED, None, data={"supports": idea.support_count})


def _archive(idea: Idea, now: datetime) -> None:
    idea.archived_at = now
    IDEA.move(idea, IdeaStatus.ARCHIVED, None, data={"supports": idea.support_count})


def advance_idea(idea: Idea, now: datetime | None = None) -> bool:
    """Apply the time and threshold rules to one open idea; return whether it changed state.

    An open idea with enough supports is shortlisted; one whose deadline has come (now >= deadline)
    without enough supports is archived. Running it again changes nothing.
    """
    now = now or utcnow()
    if idea.status != IdeaStatus.OPEN.value:
        return False
    if idea.support_count >= shortlist_supports():
        deadline = as_utc(idea.support_deadline_at)
        _shortlist(idea, min(now, deadline) if deadline else now)
    elif idea.support_deadline_at is not None and now >= as_utc(idea.support_deadline_at):
        _archive(idea, now)
    else:
        return False
    db.session.flush()
    return True


def due_ideas_query(now: datetime) -> sa.Select:
    """Open ideas whose state the rules would change now."""
    return sa.select(Idea).where(
        Idea.status == IdeaStatus.OPEN.value,
        sa.or_(Idea.support_deadline_at <= now, Idea.support_count >= shortlist_supports()),
    ).order_by(Idea.id)


def advance_due(now: datetime | None = None, limit: int | None = None) -> int:
    """Advance every idea that is due (at most `limit`); return how many changed."""
    now = now or utcnow()
    stmt = due_ideas_query(now)
    if limit:
        stmt = stmt.limit(limit)
    return sum(advance_idea(idea, now) for idea in db.session.scalars(stmt).all())


def answer_idea(idea: Idea, steward, body: str, now: datetime | None = None) -> Answer:
    """Publish the stewards' official answer; supporters and the author are told."""
    if not (steward and steward.is_authenticated and steward.has_role("steward")):
        raise PermissionDenied(_l("Only stewards give official answers."), code="not_steward")
    refuse_party(idea, steward)
    if idea.answered_at is not None:
        raise Conflict(_l("This idea already has an official answer."), code="already_answered")
    if not idea.can_answer(steward):
        raise Conflict(_l("This idea cannot be answered in its current state."), code="not_answerable")
    body = (body or "").strip()
    if not body:
        msg = _l("Write the answer first.")
        raise InvalidInput(msg, code="validation_failed", fields={"body": [str(msg)]})
    now = now or utcnow()
    answer = Answer(idea_id=idea.id, author_id=steward.id, body=body, created_at=now)
    db.session.add(answer)
    idea.answered_at = now
    db.session.flush()
    audit.record(steward, "idea.answered", idea, data={"answer_id": answer.id}, at=now)
    idea_answered.send(idea, answer=answer, actor=steward)
    return answer


def merge_ideas(duplicate: Idea, target: Idea, steward, now: datetime | None = None) -> None:
    """Merge a duplicate into the target: comments move, supports carry over once, the duplicate redirects."""
    if not duplicate.can_merge(steward):
        raise PermissionDenied(_l("Only stewards merge ideas, and only open or shortlisted ones."), code="not_mergeable")
    if target.id == duplicate.id:
        raise InvalidInput(_l("An idea cannot be merged into itself."), code="same_idea")
    refuse_party(duplicate, steward)
    refuse_party(target, steward)
    if target.status not in (IdeaStatus.OPEN.value, IdeaStatus.SHORTLISTED.value, IdeaStatus.ADOPTED.value):
        raise Conflict(_l("Ideas can only be merged into an open, shortlisted or adopted idea."), code="bad_target")
    now = now or utcnow()
    # Move first: the duplicate's followers are told while their supports still point at it.
    duplicate.merged_into_id = target.id
    IDEA.move(duplicate, IdeaStatus.MERGED, steward, data={"into": target.id})
    carried = (sa.select(sa.literal(target.id, sa.Integer), Support.user_id, Support.created_at)
               .where(Support.idea_id == duplicate.id, Support.user_id != target.author_id))
    db.session.execute(dialect_insert(Support).from_select(["idea_id", "user_id", "created_at"], carried)
                       .on_conflict_do_nothing(index_elements=["idea_id", "user_id"]))
    old_count = target.support_count
    db.session.execute(sa.delete(Support).where(Support.idea_id == duplicate.id))
    db.session.execute(sa.update(Comment).where(Comment.idea_id == duplicate.id).values(idea_id=target.id))
    supports = sa.select(sa.func.count(Support.id)).where(Support.idea_id == Idea.id).scalar_subquery()
    comments = sa.select(sa.func.count(Comment.id)).where(Comment.idea_id == Idea.id).scalar_subquery()
    db.session.execute(sa.update(Idea).where(Idea.id.in_([duplicate.id, target.id]))
                       .values(support_count=supports, comment_count=comments),
                       execution_options={"synchronize_session": False})
    db.session.refresh(target, ["support_count", "comment_count"])
    db.session.refresh(duplicate, ["support_count", "comment_count"])
    db.session.execute(sa.update(Idea).where(Idea.id == target.id).values(
        hot_score=Idea.hot_score - sa.func.log10(old_count + 1) + sa.func.log10(Idea.support_count + 1)))
    db.session.refresh(target, ["hot_score"])
    db.session.flush()
    advance_idea(target, now)
