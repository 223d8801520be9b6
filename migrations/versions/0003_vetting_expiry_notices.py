"""vetting: expiry notices on documents, referee address on reference requests

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:32:35.609841
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expiry_notice_days', sa.Integer(), nullable=True))

    with op.batch_alter_table('reference_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_to', sa.String(length=254), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('reference_requests', schema=None) as batch_op:
        batch_op.drop_column('sent_to')

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('expiry_notice_days')

