"""mission versions, duplicates and previews

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 07:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mission_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mission_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('material', sa.Boolean(), nullable=False),
    sa.CheckConstraint('number >= 1', name=op.f('ck_mission_versions_number_positive')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_mission_versions_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mission_id'], ['missions.id'], name=op.f('fk_mission_versions_mission_id_missions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mission_versions')),
    sa.UniqueConstraint('mission_id', 'number', name=op.f('uq_mission_versions_mission_id_number'))
    )
    with op.batch_alter_table('mission_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mission_versions_mission_id'), ['mission_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('mission_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mission_versions_mission_id'))
    op.drop_table('mission_versions')
