"""trust: influence points capped per contribution; following an idea; representatives say who they are

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # No single contribution outweighs a thousand points (self-credit of 10,000 points was possible).
    op.execute("UPDATE contributions SET points = 1000 WHERE points > 1000")
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.create_check_constraint('points_capped', "points <= 1000")
    # Who asks to represent an organization says their title there and what proves it.
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('evidence', sa.Text(), nullable=True))
    # A merged idea always says where it went.
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.create_check_constraint('merged_has_target', "status <> 'merged' OR merged_into_id IS NOT NULL")
    op.create_table('follows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_follows_idea_id_ideas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_follows_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follows')),
    sa.UniqueConstraint('idea_id', 'user_id', name=op.f('uq_follows_idea_id_user_id'))
    )
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follows_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_column('evidence')
        batch_op.drop_column('title')
    op.drop_table('follows')
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_constraint('ck_ideas_merged_has_target', type_='check')
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_constraint('ck_contributions_points_capped', type_='check')
