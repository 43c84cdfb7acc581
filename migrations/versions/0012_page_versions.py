"""idea page versions: the database counts every change an idea's page shows

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 20:30:00

An anonymous reader's idea page is remembered whole (app/core/pagecache.py), keyed by the idea's
`page_version` and the site's `page_generation`. Triggers change them in the same transaction as the
change, whatever wrote it (the ORM, a compare-and-set UPDATE, a bulk move of a merge):
- `ideas.page_version` on every update of the idea (its counts, status, texts, deadlines), and of its
  comments, its answer and its proposal;
- `page_generation.value` (one row) when a name, a role or a parameter changes, which any page can show.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_TOUCH = "UPDATE ideas SET page_version = page_version + 1 WHERE id = {row}.idea_id"
_BUMP = ("INSERT INTO page_generation (id, value) VALUES (1, 1) "
         "ON CONFLICT (id) DO UPDATE SET value = page_generation.value + 1")
#: the tables whose rows belong to one idea's page, and the updates that change what it shows (a proposal's
#: page link only: funding updates a proposal often and need not touch its idea)
_OF_AN_IDEA = {"comments": "UPDATE", "answers": "UPDATE", "proposals": "UPDATE OF idea_id"}
#: the tables any page can show a value of
_SITEWIDE = ("user_roles", "parameters")

#: the idea's columns its page shows (not `hot_score`, which only orders the board and changes with every
#: recount, nor `merged_into_id`: a merged idea's page is a redirect, and `status` says it is merged)
SHOWN = ("author_id", "title", "summary", "body", "category_id", "municipality_id", "status", "active",
         "support_count", "comment_count", "updated_at", "support_deadline_at", "shortlisted_at", "answer_due_at",
         "answered_at", "archived_at")

SQLITE_TRIGGERS = (
    # the inner update sets no shown column, so it does not fire the trigger again
    f"CREATE TRIGGER ideas_page_version AFTER UPDATE OF {', '.join(SHOWN)} ON ideas "
    "BEGIN UPDATE ideas SET page_version = OLD.page_version + 1 WHERE id = NEW.id; END",
    *(statement for table, update in _OF_AN_IDEA.items() for statement in (
        f"CREATE TRIGGER {table}_page_insert AFTER INSERT ON {table} BEGIN {_TOUCH.format(row='NEW')}; END",
        f"CREATE TRIGGER {table}_page_update AFTER {update} ON {table} "
        f"BEGIN {_TOUCH.format(row='OLD')}; {_TOUCH.format(row='NEW')}; END",
        f"CREATE TRIGGER {table}_page_delete AFTER DELETE ON {table} BEGIN {_TOUCH.format(row='OLD')}; END",
    )),
    *(f"CREATE TRIGGER {table}_page_generation_{event.lower()} AFTER {event} ON {table} BEGIN {_BUMP}; END"
      for table in _SITEWIDE for event in ("INSERT", "UPDATE", "DELETE")),
    "CREATE TRIGGER users_page_generation AFTER UPDATE OF display_name ON users "
    f"WHEN OLD.display_name IS NOT NEW.display_name BEGIN {_BUMP}; END",
)
POSTGRES_TRIGGERS = (
    """CREATE FUNCTION ideas_page_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.page_version := OLD.page_version + 1;
      RETURN NEW;
    END $$""",
    f"CREATE TRIGGER ideas_page_version BEFORE UPDATE OF {', '.join(SHOWN)} ON ideas "
    "FOR EACH ROW EXECUTE FUNCTION ideas_page_version()",
    f"""CREATE FUNCTION idea_page_touched() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN {_TOUCH.format(row='OLD')}; END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') THEN {_TOUCH.format(row='NEW')}; END IF;
      RETURN NULL;
    END $$""",
    *(f"CREATE TRIGGER {table}_page AFTER INSERT OR {update} OR DELETE ON {table} "
      "FOR EACH ROW EXECUTE FUNCTION idea_page_touched()" for table, update in _OF_AN_IDEA.items()),
    f"""CREATE FUNCTION page_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      {_BUMP};
      RETURN NULL;
    END $$""",
    *(f"CREATE TRIGGER {table}_page_generation AFTER INSERT OR UPDATE OR DELETE ON {table} "
      "FOR EACH STATEMENT EXECUTE FUNCTION page_generation_bump()" for table in _SITEWIDE),
    "CREATE TRIGGER users_page_generation AFTER UPDATE OF display_name ON users FOR EACH ROW "
    "WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name) EXECUTE FUNCTION page_generation_bump()",
)
DROP_TRIGGERS = {
    "sqlite": ("DROP TRIGGER ideas_page_version",
               *(f"DROP TRIGGER {table}_page_{event}" for table in _OF_AN_IDEA
                 for event in ("insert", "update", "delete")),
               *(f"DROP TRIGGER {table}_page_generation_{event}" for table in _SITEWIDE
                 for event in ("insert", "update", "delete")),
               "DROP TRIGGER users_page_generation"),
    "postgresql": ("DROP TRIGGER ideas_page_version ON ideas",
                   *(f"DROP TRIGGER {table}_page ON {table}" for table in _OF_AN_IDEA),
                   *(f"DROP TRIGGER {table}_page_generation ON {table}" for table in _SITEWIDE),
                   "DROP TRIGGER users_page_generation ON users",
                   "DROP FUNCTION ideas_page_version()", "DROP FUNCTION idea_page_touched()",
                   "DROP FUNCTION page_generation_bump()"),
}


def upgrade():
    op.add_column('ideas', sa.Column('page_version', sa.Integer(), server_default='0', nullable=False))
    op.create_table(
        'page_generation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_page_generation_one_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_page_generation')),
    )
    op.execute("INSERT INTO page_generation (id, value) VALUES (1, 1)")
    for statement in (POSTGRES_TRIGGERS if op.get_bind().dialect.name == 'postgresql' else SQLITE_TRIGGERS):
        op.execute(statement)


def downgrade():
    for statement in DROP_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_table('page_generation')
    # not a batch: rebuilding the table would drop the tally triggers on SQLite
    op.execute("ALTER TABLE ideas DROP COLUMN page_version")
