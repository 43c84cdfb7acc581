"""trust: influence points capped per contribution

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

"""
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # No single contribution outweighs a thousand points (self-credit of 10,000 points was possible).
    op.execute("UPDATE contributions SET points = 1000 WHERE points > 1000")
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.create_check_constraint('points_capped', "points <= 1000")


def downgrade():
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_constraint('ck_contributions_points_capped', type_='check')
