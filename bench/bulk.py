"""Bulk row writing for the benchmark loader: executemany on SQLite, COPY on PostgreSQL.

Timestamps are passed as text in the form SQLAlchemy itself stores on SQLite
("YYYY-MM-DD HH:MM:SS.ffffff", UTC), with "+00" added on PostgreSQL. Not a script: bench/data.py uses it.
"""
import sqlite3
from datetime import datetime, timezone
from urllib.parse import unquote, urlparse


def ts(epoch: float | None) -> str | None:
    """A UTC epoch as SQLAlchemy's SQLite text form (None stays None)."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def sqlite_path(url: str) -> str:
    """The file of a sqlite:/// URL."""
    return unquote(url.split(":///", 1)[1].split("?", 1)[0])


def libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL (postgresql+psycopg://...) as libpq understands it."""
    parsed = urlparse(url)
    return parsed._replace(scheme="postgresql").geturl()


class Writer:
    """Writes rows into tables in one transaction, the fastest way the database offers."""

    def __init__(self, url: str):
        """Open a plain DBAPI connection on the database (no ORM, no SQLAlchemy engine)."""
        self.postgres = url.startswith("postgresql")
        if self.postgres:
            import psycopg

            self.conn = psycopg.connect(libpq_url(url))
        else:
            self.conn = sqlite3.connect(sqlite_path(url), isolation_level=None)
            # A bulk load of a fresh file: no journal, no fsync, a big page cache. Rows are consistent
            # by construction; WAL is switched back on at the end (the app expects it).
            for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1000000", "foreign_keys=OFF",
                           "temp_store=MEMORY"):
                self.conn.execute(f"PRAGMA {pragma}")
            self.conn.execute("BEGIN")
        self.counts: dict[str, int] = {}

    def value(self, stamp: str | None) -> str | None:
        """A timestamp from ts() in this database's text form."""
        return stamp + "+00" if self.postgres and stamp is not None else stamp

    def rows(self, table: str, columns: tuple[str, ...], rows) -> int:
        """Insert every row (tuples in `columns` order); return how many."""
        cols = ", ".join(columns)
        n = 0
        if self.postgres:
            with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
        else:
            marks = ", ".join("?" * len(columns))
            cur = self.conn.cursor()
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) == 50_000:
                    cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", batch)
                    n += len(batch)
                    batch.clear()
            cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", batch)
            n += len(batch)
        self.counts[table] = self.counts.get(table, 0) + n
        return n

    def scalar(self, sql: str):
        """The first column of the first row of a query."""
        row = self.conn.execute(sql).fetchone()
        return row[0] if row else None

    def next_id(self, table: str) -> int:
        """The first free id of a table."""
        return (self.scalar(f"SELECT max(id) FROM {table}") or 0) + 1

    def finish(self) -> None:
        """Commit (PostgreSQL: id sequences moved past the rows written, then ANALYZE); SQLite goes back to WAL."""
        if self.postgres:
            for table in self.counts:
                sequence = self.scalar(f"SELECT pg_get_serial_sequence('{table}', column_name) FROM "
                                       f"information_schema.columns WHERE table_name = '{table}' "
                                       "AND column_name = 'id'")
                if sequence:
                    self.conn.execute(f"SELECT setval('{sequence}', (SELECT coalesce(max(id), 1) FROM {table}))")
            self.conn.commit()
            self.conn.autocommit = True
            self.conn.execute("ANALYZE")  # what autovacuum does soon after a bulk load
        else:
            self.conn.execute("COMMIT")
            self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.close()
