"""Reads shared by the idea pages and the API."""
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.auth.models import User, UserRole
from app.core.errors import InvalidInput, NotFound
from app.core.i18n import locale_code
from app.core.security import Role
from app.core.lookup import MAX_ID, get_by_id
from app.core.pagecache import generation
from app.core.pagination import paginate
from app.extensions import db
from app.ideas.models import Answer, Category, Comment, Follow, Idea, IdeaRules, Municipality, Support
from app.ideas import tallies
from app.ideas.states import ACTIVE, PUBLIC, IdeaStatus

SORT_COLUMNS = {"hot": Idea.hot_score, "new": Idea.created_at, "top": Idea.support_count}
#: every sort is descending, ties broken by the newer id, like the indexes (…, id)
SORTS = {name: (column.desc(), Idea.id.desc()) for name, column in SORT_COLUMNS.items()}
PUBLIC_STATUSES = PUBLIC
#: what a list row needs: the author, category and city joined (the model's default), no body, no roles
LIST_LOADING = (so.defer(Idea.body, raiseload=True), so.defaultload(Idea.author).lazyload(User.role_rows))


def _refuse(field: str, code: str, message=None):
    msg = message or _l("Choose one of the listed options.")
    return InvalidInput(msg, code=code, fields={field: [str(msg)]})


def by_code(model, code: str, field: str):
    """A municipality or category by its code; InvalidInput naming `field` if there is none."""
    row = db.session.scalar(sa.select(model).where(model.code == code)) if isinstance(code, str) else None
    if row is None:
        raise _refuse(field, f"unknown_{field}")
    return row


def municipality_by_code(code: str, field: str = "municipality") -> Municipality:
    """One of the 31 cities and counties by code."""
    return by_code(Municipality, code, field)


def ideas_query(*, sort: str = "hot", status: str | None = None, category: str | None = None,
                municipality: str | None = None, author_id: int | None = None, q: str | None = None) -> sa.Select:
    """The select for an idea list; unknown sort or filter values raise InvalidInput."""
    shape, values = _board(sort, status, category, municipality, author_id, q)
    return _shape_selects(*shape)[0].params(values)


def ideas_page(page: int, per_page: int, *, sort: str = "hot", status: str | None = None,
               category: str | None = None, municipality: str | None = None, q: str | None = None):
    """A page of the board with its exact total, summed from the tallies (a capped count when words filter it).

    The page's rows are read as plain rows: their ids found along the index (skipping the offset's entries
    without reading a row), the rows read with their author's name in the same statement, put in order here.
    """
    shape, values = _board(sort, status, category, municipality, None, q)
    select, rows_select = _shape_selects(*shape)
    statuses = (values["status"],) if "status" in values else ACTIVE
    total = None if "pattern" in values else tallies.count(statuses, values.get("category_id"),
                                                           values.get("municipality_id"))
    rows = _page_rows(rows_select, values, SORT_COLUMNS[sort].key, descending=True)
    return paginate(select.params(values) if total is None else select, page, per_page, total, rows=rows)


def _page_rows(rows_select: sa.Select, values: dict, key: str, descending: bool):
    """`rows(limit, offset)` for `paginate`: the page's rows of `rows_select` (see `_ids_then_rows`) as `IdeaRow`s,
    in the index's order, (`key`, id), redone here."""
    categories, municipalities = (dict((r.id, r) for r in rows) for rows in reference_lists())

    def rows(limit: int, offset: int) -> list["IdeaRow"]:
        found = db.session.execute(rows_select, {**values, "limit": limit, "offset": offset})
        return sorted((IdeaRow(row, categories, municipalities) for row in found),
                      key=lambda idea: (getattr(idea, key), idea.id), reverse=descending)

    return rows


def _ids_then_rows(stmt: sa.Select) -> sa.Select:
    """The select of a page of `stmt` (limit and offset as parameters): the ids found along the index, skipping
    the offset's entries without reading a row, then those rows read with their author's name.

    It has no ORDER BY: sorting its twenty joined rows would take a temporary B-tree (which the EXPLAIN test
    refuses). Plain rows rather than ORM objects: building twenty entities with their joined author, category
    and city cost three times the statement itself.
    """
    ids = stmt.with_only_columns(Idea.id, maintain_column_froms=True).limit(sa.bindparam("limit")).offset(
        sa.bindparam("offset"))
    return _ROW_SELECT.where(Idea.id.in_(ids))


@dataclass(frozen=True, slots=True)
class Author:
    """What a list row shows of its author."""

    id: int
    display_name: str


#: what a list row reads: the idea without its body, and its author's name
ROW_COLUMNS = tuple(c for c in Idea.__table__.c if c.key != "body")
_ROW_KEYS = tuple(c.key for c in ROW_COLUMNS)
_ROW_SELECT = sa.select(*ROW_COLUMNS, User.display_name.label("author_name")).join(User, User.id == Idea.author_id)


class IdeaRow(IdeaRules):
    """An idea as a list shows it (the board, the API's list): its columns but the body, its author's id and
    name, its category and city from the reference data; the rules of `IdeaRules`. Never written."""

    __slots__ = (*_ROW_KEYS, "author", "category", "municipality")

    def __init__(self, row, categories: dict, municipalities: dict):
        """From a row of `_ROW_SELECT`."""
        for key, value in zip(_ROW_KEYS, row):
            setattr(self, key, value)
        self.author = Author(self.author_id, row[-1])
        self.category = categories[row.category_id]
        self.municipality = municipalities[row.municipality_id]

    def __repr__(self) -> str:
        return f"<IdeaRow {self.id} {self.status}>"


def _board(sort, status, category, municipality, author_id, q) -> tuple[tuple, dict]:
    """The shape of the list's filters (for `_shape_selects`) and their values; InvalidInput for unknown ones."""
    if sort not in SORTS:
        raise _refuse("sort", "invalid_sort", _l("Unknown sort order."))
    values = {}
    if status:
        if status not in PUBLIC_STATUSES:
            raise _refuse("status", "invalid_status", _l("Unknown status."))
        values["status"] = status
    if category:
        values["category_id"] = reference_id("category", category)
    if municipality:
        values["municipality_id"] = reference_id("municipality", municipality)
    if author_id is not None:
        values["author_id"] = author_id
    if q and q.strip():
        values["pattern"] = "%" + q.strip()[:100].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    shape = (sort, *(name in values for name in ("status", "category_id", "municipality_id", "author_id", "pattern")))
    return shape, values


@lru_cache(maxsize=None)
def _shape_selects(sort: str, by_status: bool, by_category: bool, by_municipality: bool, by_author: bool,
                   by_words: bool) -> tuple[sa.Select, sa.Select]:
    """(the list's select, the select of a page's rows) for one shape of filters, their values left as parameters
    (status, category_id, municipality_id, author_id, pattern; limit and offset for the page): built once, as
    building and keying a select cost more than running it.

    Without a status it lists the active ideas (open, shortlisted, adopted), or an author's public
    ideas. Each (filter, sort) has an index ending in id, so the database reads a page in index order
    and stops: ix_ideas_active_{,category_,municipality_}*, ix_ideas_status_* (a category or city
    is then checked along the walk) and ix_ideas_author_new. Authors, categories and municipalities
    are joined to the page's rows (the equality on the indexed column makes both databases start from
    ideas; tests/test_scale.py checks the plans).
    """
    stmt = sa.select(Idea).options(*LIST_LOADING)
    if by_status:
        stmt = stmt.where(Idea.status == sa.bindparam("status"))
    elif by_author:
        stmt = stmt.where(Idea.status.in_(PUBLIC_STATUSES))
    else:
        stmt = stmt.where(Idea.active == sa.true())
    if by_category:
        stmt = stmt.where(Idea.category_id == sa.bindparam("category_id"))
    if by_municipality:
        stmt = stmt.where(Idea.municipality_id == sa.bindparam("municipality_id"))
    if by_author:
        stmt = stmt.where(Idea.author_id == sa.bindparam("author_id"))
    if by_words:  # a plain substring filter; Korean-aware ranked search lives in /search
        pattern = sa.bindparam("pattern")
        stmt = stmt.where(sa.or_(Idea.title.ilike(pattern, escape="\\"), Idea.summary.ilike(pattern, escape="\\")))
    stmt = stmt.order_by(*SORTS[sort])
    return stmt, _ids_then_rows(stmt)


#: what supporting needs of an idea: its own columns but the body (author, category and city load if asked)
SUPPORT_LOADING = (so.defer(Idea.body), so.lazyload(Idea.author), so.lazyload(Idea.category),
                   so.lazyload(Idea.municipality))
#: what the idea page needs: the idea with its category, city and author's name (the author's roles load if asked)
PAGE_LOADING = (so.joinedload(Idea.author).lazyload(User.role_rows),)


@lru_cache(maxsize=None)
def _page_key_select() -> sa.Select:
    return sa.select(Idea.status, Idea.support_deadline_at, Idea.page_version, generation().label("generation")).where(
        Idea.id == sa.bindparam("idea_id"))


def page_key(idea_id: int, now: datetime) -> tuple | None:
    """What the idea's page shows a reader who is not logged in depends on, read in one statement: the idea's
    page version and the site's generation (both moved by the database), whether it collects supports at `now`,
    and for an idea that lists similar ideas the minute (their support counts stay at most a minute old).
    None when that page is not the same for every such reader: no such idea, hidden, a draft, or merged (a
    redirect with a message)."""
    if not 0 < idea_id <= MAX_ID:
        return None
    row = db.session.execute(_page_key_select(), {"idea_id": idea_id}).first()
    if row is None or row.status in (IdeaStatus.HIDDEN.value, IdeaStatus.DRAFT.value, IdeaStatus.MERGED.value):
        return None
    similar = row.status in (IdeaStatus.OPEN.value, IdeaStatus.SHORTLISTED.value)
    # the model's own rule, applied to the row (it reads only `status` and `support_deadline_at`)
    return (idea_id, row.page_version, row.generation, Idea.collects_supports(row, now),
            int(now.timestamp() // 60) if similar else None)


def get_visible_idea(idea_id: int, user, options=()) -> Idea:
    """The idea if it exists and this user may see it, else NotFound (`options`: loader options)."""
    idea = get_by_id(Idea, idea_id, options)
    if idea is None or not idea.is_visible_to(user):
        raise NotFound(_l("There is no such idea."), code="idea_not_found")
    return idea


def supported_idea_ids(user, idea_ids) -> set[int]:
    """Which of these ideas the user supports (one query)."""
    if not user or not user.is_authenticated or not idea_ids:
        return set()
    return set(db.session.scalars(
        sa.select(Support.idea_id).where(Support.user_id == user.id, Support.idea_id.in_(list(idea_ids)))))


def follows(user, idea: Idea) -> bool:
    """Whether the user follows the idea."""
    if not (user and user.is_authenticated):
        return False
    return db.session.scalar(sa.select(Follow.id).where(Follow.idea_id == idea.id, Follow.user_id == user.id)) is not None


def followers_select(idea_id: int) -> sa.Select:
    """Everyone who hears about an idea besides its author: supporters and followers, each once."""
    return sa.union(sa.select(Support.user_id).where(Support.idea_id == idea_id),
                    sa.select(Follow.user_id).where(Follow.idea_id == idea_id))


@dataclass(frozen=True, slots=True)
class Person:
    """Who wrote a comment, as the page shows them: the name and the badges of their roles."""

    id: int
    display_name: str
    roles: frozenset

    def has_role(self, role) -> bool:
        """Whether they hold the role (a `Role` or its name)."""
        return Role(role).value in self.roles


@dataclass(frozen=True, slots=True)
class CommentRow:
    """A comment as the idea page shows it (a plain row: pages with hundreds of comments build no ORM objects)."""

    id: int
    parent_id: int | None
    author_id: int
    body: str
    created_at: datetime
    author: Person


def comment_threads(idea: Idea) -> list[tuple[CommentRow, list[CommentRow]]]:
    """The idea's comments as (top-level comment, replies) in time order: two queries (the comments with their
    authors' names, then those authors' roles)."""
    rows = db.session.execute(
        sa.select(Comment.id, Comment.parent_id, Comment.author_id, Comment.body, Comment.created_at,
                  User.display_name).join(User, User.id == Comment.author_id)
        .where(Comment.idea_id == idea.id).order_by(Comment.created_at, Comment.id)).all()
    roles: dict[int, set[str]] = {}
    authors = list({row.author_id for row in rows})
    if authors:
        for user_id, role in db.session.execute(
                sa.select(UserRole.user_id, UserRole.role).where(UserRole.user_id.in_(authors))):
            roles.setdefault(user_id, set()).add(role)
    people = {row.author_id: Person(row.author_id, row.display_name, frozenset(roles.get(row.author_id, ())))
              for row in rows}
    comments = [CommentRow(row.id, row.parent_id, row.author_id, row.body, row.created_at, people[row.author_id])
                for row in rows]
    replies: dict[int, list[CommentRow]] = {}
    for c in comments:
        if c.parent_id is not None:
            replies.setdefault(c.parent_id, []).append(c)
    return [(c, replies.get(c.id, [])) for c in comments if c.parent_id is None]


def comments_query(idea: Idea) -> sa.Select:
    """The idea's comments in time order (the API's flat list)."""
    return sa.select(Comment).where(Comment.idea_id == idea.id).order_by(Comment.created_at, Comment.id)


def answer_of(idea: Idea) -> Answer | None:
    """The official answer, if there is one (an idea without `answered_at` has none: no query)."""
    if idea.answered_at is None:
        return None
    return db.session.scalar(sa.select(Answer).where(Answer.idea_id == idea.id))


@lru_cache(maxsize=None)
def _answers_due_selects() -> tuple[sa.Select, sa.Select]:
    # Only shortlisted (and later adopted) ideas have a due date; `active` leaves out hidden and merged ones.
    # The partial index ix_ideas_answer_waiting (active, answer_due_at, id) WHERE answered_at IS NULL serves it.
    stmt = (sa.select(Idea).where(Idea.active == sa.true(), Idea.answered_at.is_(None), Idea.answer_due_at.is_not(None))
            .options(*LIST_LOADING).order_by(Idea.answer_due_at, Idea.id))
    return stmt, _ids_then_rows(stmt)


def answers_due_query() -> sa.Select:
    """Shortlisted (or adopted) ideas still waiting for their official answer, soonest due first."""
    return _answers_due_selects()[0]


def answers_due_page(page: int, per_page: int):
    """A page of `answers_due_query` as plain rows (a capped count)."""
    stmt, rows_select = _answers_due_selects()
    return paginate(stmt, page, per_page, rows=_page_rows(rows_select, {}, "answer_due_at", descending=False))


def recent_answers(limit: int = 20) -> list[sa.Row]:
    """The latest official answers: (idea_id, title, answered_at) rows, newest first, along ix_answers_created."""
    return db.session.execute(
        sa.select(Idea.id.label("idea_id"), Idea.title, Answer.created_at.label("answered_at"))
        .join(Answer, Answer.idea_id == Idea.id)
        .order_by(Answer.created_at.desc(), Answer.id.desc()).limit(limit)).all()


@dataclass(frozen=True)
class Reference:
    """A category or municipality as lists and filters show it (a plain copy, never attached to a session)."""

    id: int
    code: str
    name_ko: str
    name_en: str
    #: municipalities: "city" or "county"; categories: None
    kind: str | None = None

    @property
    def name(self) -> str:
        """The name in the current locale."""
        return self.name_in(locale_code())

    def name_in(self, locale: str) -> str:
        """The name in this locale."""
        return self.name_en if locale == "en" else self.name_ko


def reference_lists() -> tuple[tuple[Reference, ...], tuple[Reference, ...]]:
    """Categories in their order and municipalities in Korean order, for filters and forms.

    Read once per app and kept: reference data is written only by `ensure_reference_data` at setup
    (migrations and `flask demo`), never by a request, and every list page shows it.
    """
    cached = current_app.extensions.get("gops.reference")
    if cached is None:
        categories = tuple(Reference(*row) for row in db.session.execute(
            sa.select(Category.id, Category.code, Category.name_ko, Category.name_en).order_by(Category.position)))
        municipalities = tuple(Reference(*row) for row in db.session.execute(
            sa.select(Municipality.id, Municipality.code, Municipality.name_ko, Municipality.name_en,
                      Municipality.kind).order_by(Municipality.name_ko)))
        cached = (categories, municipalities)
        if categories and municipalities:  # not before the reference data is loaded
            current_app.extensions["gops.reference"] = cached
    return cached


def reference_names(by: str = "id") -> tuple[dict, dict]:
    """{id: name} (or {code: name}, `by="code"`) of the categories and of the municipalities in the reader's
    language, kept per app and language (a board card or search hit shows both; looking up the language for each
    of 47 names cost more than the page's count)."""
    locale = locale_code()
    key = f"gops.reference_names.{by}.{locale}"
    cached = current_app.extensions.get(key)
    if cached is None:
        lists = reference_lists()
        cached = tuple({getattr(row, by): row.name_in(locale) for row in rows} for rows in lists)
        if all(lists):
            current_app.extensions[key] = cached
    return cached


def reference_id(kind: str, code) -> int:
    """The id of the category or municipality ("category" or "municipality") with this code, else InvalidInput."""
    categories, municipalities = reference_lists()
    for row in categories if kind == "category" else municipalities:
        if row.code == code:
            return row.id
    raise _refuse(kind, f"unknown_{kind}")
