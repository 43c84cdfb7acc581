"""scale: the board's `active` flag and one index per (filter, sort), walked in order

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


def upgrade():
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(f"UPDATE ideas SET active = ({ACTIVE})")
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.create_check_constraint('active_follows_status', f"active = ({ACTIVE})")
        for name in ('ix_ideas_status_hot', 'ix_ideas_status_created', 'ix_ideas_status_supports',
                     'ix_ideas_status_answer_due', 'ix_ideas_author_id'):
            batch_op.drop_index(name)
        batch_op.create_index('ix_ideas_active_hot', ['active', 'hot_score', 'id'])
        batch_op.create_index('ix_ideas_active_new', ['active', 'created_at', 'id'])
        batch_op.create_index('ix_ideas_active_top', ['active', 'support_count', 'id'])
        batch_op.create_index('ix_ideas_status_hot', ['status', 'hot_score', 'id'])
        batch_op.create_index('ix_ideas_status_new', ['status', 'created_at', 'id'])
        batch_op.create_index('ix_ideas_status_top', ['status', 'support_count', 'id'])
        batch_op.create_index('ix_ideas_author_new', ['author_id', 'created_at', 'id'])
    op.create_index('ix_ideas_answer_waiting', 'ideas', ['active', 'answer_due_at', 'id'],
                    sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))


def downgrade():
    op.drop_index('ix_ideas_answer_waiting', table_name='ideas')
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        for name in ('ix_ideas_author_new', 'ix_ideas_status_top', 'ix_ideas_status_new', 'ix_ideas_status_hot',
                     'ix_ideas_active_top', 'ix_ideas_active_new', 'ix_ideas_active_hot'):
            batch_op.drop_index(name)
        batch_op.create_index('ix_ideas_author_id', ['author_id'])
        batch_op.create_index('ix_ideas_status_answer_due', ['status', 'answer_due_at'])
        batch_op.create_index('ix_ideas_status_supports', ['status', 'support_count'])
        batch_op.create_index('ix_ideas_status_created', ['status', 'created_at'])
        batch_op.create_index('ix_ideas_status_hot', ['status', 'hot_score'])
        batch_op.drop_constraint('active_follows_status', type_='check')
        batch_op.drop_column('active')
