"""scale: the board's tally sums read a covering index

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 07:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_idea_tallies_sums", "idea_tallies", ["status", "category_id", "municipality_id", "n"])


def downgrade():
    op.drop_index("ix_idea_tallies_sums", table_name="idea_tallies")
