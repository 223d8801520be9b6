"""index of the published missions by publication date

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 07:20:00.000000
"""

from __future__ import annotations

from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


# « Missions pour vous » shows the latest published missions after the ranked ones: with
# this index the database reads the first ones instead of sorting every published mission.


def upgrade() -> None:
    with op.batch_alter_table('missions', schema=None) as batch_op:
        batch_op.create_index('ix_missions_status_published_at', ['status', 'published_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('missions', schema=None) as batch_op:
        batch_op.drop_index('ix_missions_status_published_at')
