"""Dialect helpers for statements SQLite and PostgreSQL both support in their own spelling."""
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def dialect_insert(model):
    """An INSERT that supports ON CONFLICT DO NOTHING on the current database."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    return insert(model)
