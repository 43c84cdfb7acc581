"""scale: the board's `active` flag, one index per (filter, sort) walked in order, idea tallies

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

ACTIVE = "status IN ('open', 'shortlisted', 'adopted')"
WAITING = "answered_at IS NULL"
SORTS = (('hot', 'hot_score'), ('new', 'created_at'), ('top', 'support_count'))

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


def upgrade():
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(f"UPDATE ideas SET active = ({ACTIVE})")
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.create_check_constraint('active_follows_status', f"active = ({ACTIVE})")
        for name in ('ix_ideas_status_hot', 'ix_ideas_status_created', 'ix_ideas_status_supports',
                     'ix_ideas_status_answer_due', 'ix_ideas_author_id', 'ix_ideas_category_id',
                     'ix_ideas_municipality_id'):
            batch_op.drop_index(name)
        for sort, column in SORTS:
            batch_op.create_index(f'ix_ideas_active_category_{sort}', ['active', 'category_id', column, 'id'])
            batch_op.create_index(f'ix_ideas_active_municipality_{sort}', ['active', 'municipality_id', column, 'id'])
        batch_op.create_index('ix_ideas_active_hot', ['active', 'hot_score', 'id'])
        batch_op.create_index('ix_ideas_active_new', ['active', 'created_at', 'id'])
        batch_op.create_index('ix_ideas_active_top', ['active', 'support_count', 'id'])
        batch_op.create_index('ix_ideas_status_hot', ['status', 'hot_score', 'id'])
        batch_op.create_index('ix_ideas_status_new', ['status', 'created_at', 'id'])
        batch_op.create_index('ix_ideas_status_top', ['status', 'support_count', 'id'])
        batch_op.create_index('ix_ideas_author_new', ['author_id', 'created_at', 'id'])
    op.create_index('ix_ideas_answer_waiting', 'ideas', ['active', 'answer_due_at', 'id'],
                    sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))
    op.create_index('ix_answers_created', 'answers', ['created_at', 'id'])
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_proposals_stage_created')
        batch_op.create_index('ix_proposals_stage_created', ['stage', 'created_at', 'id'])
        batch_op.create_index('ix_proposals_created', ['created_at', 'id'])
    op.create_table(
        'idea_tallies',
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('municipality_id', sa.Integer(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.CheckConstraint('n >= 0', name=op.f('ck_idea_tallies_n_nonnegative')),
        sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_idea_tallies_category_id_categories')),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'],
                                name=op.f('fk_idea_tallies_municipality_id_municipalities')),
        sa.PrimaryKeyConstraint('status', 'category_id', 'municipality_id', name=op.f('pk_idea_tallies')),
    )
    op.execute("INSERT INTO idea_tallies (status, category_id, municipality_id, n) "
               "SELECT status, category_id, municipality_id, count(*) FROM ideas "
               "GROUP BY status, category_id, municipality_id")
    # the triggers as app/ideas/tallies.py spells them (copied: a migration stays as it was written)
    for statement in (POSTGRES_TRIGGERS if op.get_bind().dialect.name == 'postgresql' else SQLITE_TRIGGERS):
        op.execute(statement)


def downgrade():
    for statement in DROP_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_table('idea_tallies')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_proposals_created')
        batch_op.drop_index('ix_proposals_stage_created')
        batch_op.create_index('ix_proposals_stage_created', ['stage', 'created_at'])
    op.drop_index('ix_answers_created', table_name='answers')
    op.drop_index('ix_ideas_answer_waiting', table_name='ideas')
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        for name in ('ix_ideas_author_new', 'ix_ideas_status_top', 'ix_ideas_status_new', 'ix_ideas_status_hot',
                     'ix_ideas_active_top', 'ix_ideas_active_new', 'ix_ideas_active_hot'):
            batch_op.drop_index(name)
        for sort, _column in SORTS:
            batch_op.drop_index(f'ix_ideas_active_category_{sort}')
            batch_op.drop_index(f'ix_ideas_active_municipality_{sort}')
        batch_op.create_index('ix_ideas_municipality_id', ['municipality_id'])
        batch_op.create_index('ix_ideas_category_id', ['category_id'])
        batch_op.create_index('ix_ideas_author_id', ['author_id'])
        batch_op.create_index('ix_ideas_status_answer_due', ['status', 'answer_due_at'])
        batch_op.create_index('ix_ideas_status_supports', ['status', 'support_count'])
        batch_op.create_index('ix_ideas_status_created', ['status', 'created_at'])
        batch_op.create_index('ix_ideas_status_hot', ['status', 'hot_score'])
        batch_op.drop_constraint('active_follows_status', type_='check')
        batch_op.drop_column('active')
