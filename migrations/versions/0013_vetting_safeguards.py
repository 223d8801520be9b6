"""document content hashes; approval reasons with open warnings

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 07:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


# Every document has carried its SHA-256 since 0001 (computed at upload by the storage
# service), so there is nothing to backfill: the vetting only needs to look files up by it.
# Approval reasons and confirmations go into the audit log's existing reason and details.


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_sha256'), ['sha256'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_sha256'))
