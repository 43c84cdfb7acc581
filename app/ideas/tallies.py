"""How many ideas each (status, category, municipality) holds, kept with the data.

The board shows how many ideas match its filters without counting them: the count is a sum over
at most a few hundred tally rows. Triggers (created by migration 0007 from the statements below)
change the tallies with every insert, move, edit or delete of an idea, in the same transaction,
whatever wrote it; `flask ideas tallies` checks them against a real count and can rebuild them.
"""
import sqlalchemy as sa

from app.extensions import db
from app.ideas.models import Idea, IdeaTally

KEY = ("status", "category_id", "municipality_id")

#: the database keeps the tallies: every insert, update of these columns and delete of an idea, whether
#: through the ORM, a compare-and-set UPDATE or a bulk load, changes them in the same statement
_UPSERT = ("INSERT INTO idea_tallies (status, category_id, municipality_id, n) "
           "VALUES (NEW.status, NEW.category_id, NEW.municipality_id, 1) "
           "ON CONFLICT (status, category_id, municipality_id) DO UPDATE SET n = idea_tallies.n + 1")
_DECREMENT = ("UPDATE idea_tallies SET n = n - 1 WHERE status = OLD.status AND category_id = OLD.category_id "
              "AND municipality_id = OLD.municipality_id")
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER ideas_tally_insert AFTER INSERT ON ideas BEGIN {_UPSERT}; END",
    "CREATE TRIGGER ideas_tally_update AFTER UPDATE OF status, category_id, municipality_id ON ideas "
    "WHEN OLD.status IS NOT NEW.status OR OLD.category_id IS NOT NEW.category_id "
    f"OR OLD.municipality_id IS NOT NEW.municipality_id BEGIN {_DECREMENT}; {_UPSERT}; END",
    f"CREATE TRIGGER ideas_tally_delete AFTER DELETE ON ideas BEGIN {_DECREMENT}; END",
)
POSTGRES_TRIGGERS = (
    f"""CREATE FUNCTION ideas_tally() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN {_DECREMENT}; END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') THEN {_UPSERT}; END IF;
      RETURN NULL;
    END $$""",
    "CREATE TRIGGER ideas_tally_insert_delete AFTER INSERT OR DELETE ON ideas "
    "FOR EACH ROW EXECUTE FUNCTION ideas_tally()",
    "CREATE TRIGGER ideas_tally_update AFTER UPDATE OF status, category_id, municipality_id ON ideas "
    "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.category_id IS DISTINCT FROM NEW.category_id "
    "OR OLD.municipality_id IS DISTINCT FROM NEW.municipality_id) EXECUTE FUNCTION ideas_tally()",
)
DROP_TRIGGERS = {
    "sqlite": ("DROP TRIGGER ideas_tally_insert", "DROP TRIGGER ideas_tally_update", "DROP TRIGGER ideas_tally_delete"),
    "postgresql": ("DROP TRIGGER ideas_tally_insert_delete ON ideas", "DROP TRIGGER ideas_tally_update ON ideas",
                   "DROP FUNCTION ideas_tally()"),
}


def _count_select(by_category: bool, by_municipality: bool) -> sa.Select:
    stmt = sa.select(sa.func.coalesce(sa.func.sum(IdeaTally.n), 0)).where(
        IdeaTally.status.in_(sa.bindparam("statuses", expanding=True)))
    if by_category:
        stmt = stmt.where(IdeaTally.category_id == sa.bindparam("category_id"))
    if by_municipality:
        stmt = stmt.where(IdeaTally.municipality_id == sa.bindparam("municipality_id"))
    return stmt


#: the four sums, built once (building a select costs more than running this one)
_COUNTS = {(c, m): _count_select(c, m) for c in (False, True) for m in (False, True)}


def count(statuses, category_id: int | None = None, municipality_id: int | None = None) -> int:
    """Ideas in these states, of this category and city when given: one indexed sum."""
    stmt = _COUNTS[category_id is not None, municipality_id is not None]
    return int(db.session.scalar(stmt, {"statuses": list(statuses), "category_id": category_id,
                                        "municipality_id": municipality_id}))


def _actual() -> sa.Select:
    return sa.select(Idea.status, Idea.category_id, Idea.municipality_id, sa.func.count().label("n")).group_by(
        Idea.status, Idea.category_id, Idea.municipality_id)


def differences() -> list[tuple]:
    """(status, category_id, municipality_id, kept, actual) wherever the tallies disagree with a real count."""
    kept = {(t.status, t.category_id, t.municipality_id): t.n for t in db.session.scalars(sa.select(IdeaTally))}
    actual = {(s, c, m): n for s, c, m, n in db.session.execute(_actual())}
    return [(*key, kept.get(key, 0), actual.get(key, 0)) for key in sorted(set(kept) | set(actual), key=str)
            if kept.get(key, 0) != actual.get(key, 0)]


def rebuild() -> None:
    """Recount every tally from the ideas (after bulk loads that bypass the ORM)."""
    db.session.execute(sa.delete(IdeaTally))
    db.session.execute(sa.insert(IdeaTally).from_select([*KEY, "n"], _actual()))
