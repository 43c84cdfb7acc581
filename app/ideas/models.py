"""Reference data (municipalities, categories) and ideas with their supports and comments."""
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.auth.models import User
from app.core.i18n import locale_code
from app.core.parties import is_party
from app.core.timeutil import as_utc, utcnow
from app.extensions import db
from app.ideas.states import ACTIVE, COMMENTABLE, LABELS, IdeaStatus

STATUS_VALUES = ", ".join(f"'{s.value}'" for s in IdeaStatus)
ACTIVE_VALUES = ", ".join(f"'{s}'" for s in ACTIVE)


class _Named:
    """Reference rows carry a Korean and an English name."""

    @property
    def name(self) -> str:
        """The name in the current locale."""
        return self.name_en if locale_code() == "en" else self.name_ko


class Municipality(_Named, db.Model):
    """One of Gyeonggi's 31 cities and counties."""

    __tablename__ = "municipalities"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    name_ko: so.Mapped[str] = so.mapped_column(sa.String(40))
    name_en: so.Mapped[str] = so.mapped_column(sa.String(60))
    #: "city" (si) or "county" (gun)
    kind: so.Mapped[str] = so.mapped_column(sa.String(10))


class Category(_Named, db.Model):
    """A policy area an idea belongs to."""

    __tablename__ = "categories"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    name_ko: so.Mapped[str] = so.mapped_column(sa.String(40))
    name_en: so.Mapped[str] = so.mapped_column(sa.String(60))
    position: so.Mapped[int] = so.mapped_column(default=0)


class IdeaRules:
    """What an idea's own fields decide (its label, whether it collects supports and from whom),
    shared by the `Idea` model and the plain rows of list pages (`queries.IdeaRow`)."""

    __slots__ = ()

    @property
    def status_label(self) -> str:
        """The status in the current language."""
        return str(LABELS[IdeaStatus(self.status)])

    def collects_supports(self, now=None) -> bool:
        """Open ideas collect supports until their deadline; shortlisted ideas keep collecting."""
        if self.status == IdeaStatus.SHORTLISTED.value:
            return True
        deadline = as_utc(self.support_deadline_at)
        return self.status == IdeaStatus.OPEN.value and (deadline is None or (now or utcnow()) < deadline)

    def can_support(self, user, now=None) -> bool:
        """Verified, unrestricted users other than the author may support while the idea collects supports."""
        return bool(
            user
            and user.is_authenticated
            and user.can_participate()
            and user.id != self.author_id
            and self.collects_supports(now)
        )


class Idea(IdeaRules, db.Model):
    """A citizen's idea for a city problem."""

    __tablename__ = "ideas"
    __table_args__ = (
        sa.CheckConstraint(f"status IN ({STATUS_VALUES})", name="status_known"),
        sa.CheckConstraint("support_count >= 0", name="support_count_nonnegative"),
        sa.CheckConstraint("comment_count >= 0", name="comment_count_nonnegative"),
        sa.CheckConstraint("length(title) > 0", name="title_nonempty"),
        sa.CheckConstraint(f"active = (status IN ({ACTIVE_VALUES}))", name="active_follows_status"),
        # One index per (filter, sort) the board offers, each ending in id like the ORDER BY, so a page
        # is read in index order and stops after its rows (queries.ideas_query; tests/test_query_plans.py).
        sa.Index("ix_ideas_active_hot", "active", "hot_score", "id"),
        sa.Index("ix_ideas_active_new", "active", "created_at", "id"),
        sa.Index("ix_ideas_active_top", "active", "support_count", "id"),
        sa.Index("ix_ideas_active_category_hot", "active", "category_id", "hot_score", "id"),
        sa.Index("ix_ideas_active_category_new", "active", "category_id", "created_at", "id"),
        sa.Index("ix_ideas_active_category_top", "active", "category_id", "support_count", "id"),
        sa.Index("ix_ideas_active_municipality_hot", "active", "municipality_id", "hot_score", "id"),
        sa.Index("ix_ideas_active_municipality_new", "active", "municipality_id", "created_at", "id"),
        sa.Index("ix_ideas_active_municipality_top", "active", "municipality_id", "support_count", "id"),
        sa.Index("ix_ideas_status_hot", "status", "hot_score", "id"),
        sa.Index("ix_ideas_status_new", "status", "created_at", "id"),
        sa.Index("ix_ideas_status_top", "status", "support_count", "id"),
        sa.Index("ix_ideas_author_new", "author_id", "created_at", "id"),
        sa.Index("ix_ideas_status_deadline", "status", "support_deadline_at"),
        # the public answers page: shortlisted ideas still owed an answer, soonest due first
        sa.Index("ix_ideas_answer_waiting", "active", "answer_due_at", "id",
                 sqlite_where=sa.text("answered_at IS NULL"), postgresql_where=sa.text("answered_at IS NULL")),
        sa.CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_into_self"),
        sa.CheckConstraint("status <> 'merged' OR merged_into_id IS NOT NULL", name="merged_has_target"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    title: so.Mapped[str] = so.mapped_column(sa.String(120))
    summary: so.Mapped[str] = so.mapped_column(sa.String(300))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    category_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("categories.id"))
    municipality_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("municipalities.id"))
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default=IdeaStatus.OPEN.value)
    #: listed on the board by default (open, shortlisted, adopted); follows `status` (IDEA.derived)
    active: so.Mapped[bool] = so.mapped_column(
        default=lambda ctx: ctx.get_current_parameters().get("status", IdeaStatus.OPEN.value) in ACTIVE)
    #: denormalized count of Support rows, changed in SQL with each support
    support_count: so.Mapped[int] = so.mapped_column(default=0)
    #: denormalized count of Comment rows
    comment_count: so.Mapped[int] = so.mapped_column(default=0)
    #: log10(supports + 1) + (time of the latest support or of posting) / 45000; see operations.hot_expr
    hot_score: so.Mapped[float] = so.mapped_column(sa.Float, default=0.0)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    #: an open idea must reach the shortlist threshold before this moment, or it is archived
    support_deadline_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    shortlisted_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    #: stewards owe an official answer by this moment once the idea is shortlisted
    answer_due_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    answered_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    archived_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    merged_into_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("ideas.id", ondelete="SET NULL"))
    #: moved by the database (triggers of migration 0012) with every change the idea's page shows: its own row,
    #: its comments, answer and proposal; the key of its remembered page (app/core/pagecache.py)
    page_version: so.Mapped[int] = so.mapped_column(sa.Integer, server_default="0", deferred=True)

    author: so.Mapped[User] = so.relationship(lazy="joined", innerjoin=True)
    category: so.Mapped[Category] = so.relationship(lazy="joined", innerjoin=True)
    municipality: so.Mapped[Municipality] = so.relationship(lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"<Idea {self.id} {self.status}>"

    def is_visible_to(self, user) -> bool:
        """Hidden and draft ideas are seen only by their author and stewards."""
        if self.status not in (IdeaStatus.HIDDEN.value, IdeaStatus.DRAFT.value):
            return True
        return bool(user and user.is_authenticated and (user.id == self.author_id or user.has_role("steward")))

    def can_edit(self, user) -> bool:
        """The author may edit while the idea is a draft or open and nobody supports it yet."""
        return bool(
            user
            and user.is_authenticated
            and user.id == self.author_id
            and not user.is_restricted
            and self.status in (IdeaStatus.DRAFT.value, IdeaStatus.OPEN.value)
            and self.support_count == 0
        )

    def can_withdraw(self, user) -> bool:
        """The author may withdraw a draft or open idea."""
        return bool(
            user
            and user.is_authenticated
            and user.id == self.author_id
            and self.status in (IdeaStatus.DRAFT.value, IdeaStatus.OPEN.value)
        )

    def can_answer(self, user) -> bool:
        """Stewards give one official answer to an idea that is on the board."""
        return bool(
            user and user.is_authenticated and user.has_role("steward") and self.answered_at is None
            and self.status in ("open", "shortlisted", "adopted", "archived") and not is_party(self, user)
        )

    def can_merge(self, user) -> bool:
        """Stewards may merge an open or shortlisted idea into another."""
        return bool(user and user.is_authenticated and user.has_role("steward")
                    and self.status in ("open", "shortlisted") and not is_party(self, user))

    def can_comment(self, user) -> bool:
        """Verified, unrestricted users may comment while the discussion is open."""
        return bool(
            user
            and user.is_authenticated
            and user.can_participate()
            and self.status in {s.value for s in COMMENTABLE}
        )


class IdeaTally(db.Model):
    """How many ideas one (status, category, municipality) holds; kept by app.ideas.tallies."""

    __tablename__ = "idea_tallies"
    __table_args__ = (
        sa.CheckConstraint("n >= 0", name="n_nonnegative"),
        # the board's sums read this index alone (n included), never the table
        sa.Index("ix_idea_tallies_sums", "status", "category_id", "municipality_id", "n"),
    )

    status: so.Mapped[str] = so.mapped_column(sa.String(20), primary_key=True)
    category_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("categories.id"), primary_key=True)
    municipality_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("municipalities.id"), primary_key=True)
    n: so.Mapped[int] = so.mapped_column(default=0)


class Support(db.Model):
    """A user's support of an idea; one per user and idea."""

    __tablename__ = "supports"
    __table_args__ = (sa.UniqueConstraint("idea_id", "user_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    idea_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ideas.id", ondelete="CASCADE"))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class Follow(db.Model):
    """A user follows an idea without supporting it: they hear what happens to it."""

    __tablename__ = "follows"
    __table_args__ = (sa.UniqueConstraint("idea_id", "user_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    idea_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ideas.id", ondelete="CASCADE"))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class Comment(db.Model):
    """A comment on an idea; replies nest one level."""

    __tablename__ = "comments"
    __table_args__ = (
        sa.CheckConstraint("length(body) > 0", name="body_nonempty"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        sa.Index("ix_comments_idea_created", "idea_id", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    idea_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ideas.id", ondelete="CASCADE"))
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    parent_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    author: so.Mapped[User] = so.relationship(lazy="joined", innerjoin=True)


class Answer(db.Model):
    """The official answer of the commons' stewards to an idea; one per idea."""

    __tablename__ = "answers"
    __table_args__ = (sa.CheckConstraint("length(body) > 0", name="body_nonempty"),
                      sa.Index("ix_answers_created", "created_at", "id"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    idea_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ideas.id", ondelete="CASCADE"), unique=True)
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)

    author: so.Mapped[User] = so.relationship(lazy="joined", innerjoin=True)
