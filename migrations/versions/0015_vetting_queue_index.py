"""index of the vetting queue by submission date

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# The vetting queue lists the profiles waiting (submitted, in review), oldest submission
# first, thirty a page: a partial index in that order reads one page instead of sorting
# every waiting profile.
QUEUE = "status IN ('submitted', 'in_review')"


def upgrade() -> None:
    with op.batch_alter_table('freelancer_profiles', schema=None) as batch_op:
        batch_op.create_index('ix_freelancer_profiles_vetting_queue', ['submitted_at', 'id'], unique=False,
                              postgresql_where=sa.text(QUEUE), sqlite_where=sa.text(QUEUE))


def downgrade() -> None:
    with op.batch_alter_table('freelancer_profiles', schema=None) as batch_op:
        batch_op.drop_index('ix_freelancer_profiles_vetting_queue')
