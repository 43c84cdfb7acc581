"""Finding organizations and people by name, for the team and contribution pickers (never by email)."""
import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from app.auth.models import User, UserRole
from app.extensions import db
from app.proposals.models import Organization
from app.proposals.states import ORG_KINDS

#: at most this many suggestions per lookup: enough to choose from, too few to list everyone
LIMIT = 10
#: what a lookup reads of the query: a name is short
MAX_QUERY = 60


def _escaped(text: str) -> str:
    """The text with LIKE's wildcards and escape character taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(column, text: str):
    """A case-insensitive substring match with LIKE's wildcards taken literally."""
    return column.ilike(f"%{_escaped(text)}%", escape="\\")


def _ranked(column, text: str):
    """Exact names first, then names that start with the text, then the rest."""
    return sa.case((sa.func.lower(column) == text.lower(), 0),
                   (column.ilike(f"{_escaped(text)}%", escape="\\"), 1), else_=2)


def _query(text) -> str:
    """What a lookup searches for: trimmed, short, without NUL (PostgreSQL refuses it in a string)."""
    return (text if isinstance(text, str) else "").replace("\x00", "").strip()[:MAX_QUERY]


def find_organizations(text: str) -> list[dict]:
    """Organizations whose name contains `text`: id, name and what they are (kind, city)."""
    text = _query(text)
    if not text:
        return []
    rows = db.session.scalars(sa.select(Organization).where(_contains(Organization.name, text))
                              .order_by(_ranked(Organization.name, text), Organization.name, Organization.id)
                              .limit(LIMIT)).all()
    return [{"id": o.id, "name": o.name, "detail": " · ".join(
        str(part) for part in (ORG_KINDS.get(o.kind, o.kind), o.municipality.name if o.municipality else None) if part)}
        for o in rows]


def find_people(text: str) -> list[dict]:
    """People whose display name contains `text`: id, name, and a hint to tell namesakes apart (no email)."""
    text = _query(text)
    if not text:
        return []
    expert = sa.exists().where(UserRole.user_id == User.id, UserRole.role == "expert")
    rows = db.session.execute(
        sa.select(User.id, User.display_name, User.created_at, expert.label("expert"))
        .where(_contains(User.display_name, text), User.banned_at.is_(None))
        .order_by(_ranked(User.display_name, text), User.display_name, User.id).limit(LIMIT)).all()
    return [{"id": uid, "name": name, "detail": " · ".join(
        [str(_l("Verified expert"))] * bool(is_expert)
        + [str(_l("joined %(when)s", when=format_date(created, "yyyy.M")))])}
        for uid, name, created, is_expert in rows]


def organization_named(name: str) -> list[Organization]:
    """Organizations with exactly this name (for a form sent without a script, which sends the name only)."""
    name = (name or "").strip()
    return db.session.scalars(sa.select(Organization).where(sa.func.lower(Organization.name) == name.lower())
                              .limit(2)).all() if name else []


def people_named(name: str) -> list[User]:
    """People with exactly this display name (for a form sent without a script)."""
    name = (name or "").strip()
    return db.session.scalars(sa.select(User).where(sa.func.lower(User.display_name) == name.lower(),
                                                    User.banned_at.is_(None)).limit(2)).all() if name else []
