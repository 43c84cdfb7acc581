"""Loading rows by an id a client sent."""
from app.extensions import db

#: ids are 32-bit integers in PostgreSQL; anything outside cannot exist
MAX_ID = 2**31 - 1


def get_by_id(model, ident, options=()):
    """The row with this id, or None (also for ids no row can have, which the database would reject).

    `options` are loader options (a narrower load for a hot write path)."""
    if not isinstance(ident, int) or isinstance(ident, bool) or not 0 < ident <= MAX_ID:
        return None
    return db.session.get(model, ident, options=options)
