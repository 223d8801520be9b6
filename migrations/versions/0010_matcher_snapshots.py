"""matcher index snapshots; missions and companies indexed by update time for the matcher sync

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('matcher_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('format', sa.String(length=40), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('model_version', sa.Integer(), nullable=True),
    sa.Column('n_profiles', sa.Integer(), nullable=False),
    sa.Column('n_missions', sa.Integer(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('meta', sa.JSON(), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matcher_snapshots')),
    sa.UniqueConstraint('version', name=op.f('uq_matcher_snapshots_version'))
    )
    with op.batch_alter_table('missions', schema=None) as batch_op:
        batch_op.create_index('ix_missions_updated_at', ['updated_at'], unique=False)
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.create_index('ix_companies_updated_at', ['updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_index('ix_companies_updated_at')
    with op.batch_alter_table('missions', schema=None) as batch_op:
        batch_op.drop_index('ix_missions_updated_at')
    op.drop_table('matcher_snapshots')
