"""message threads per application and contract; company billing contact

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 07:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled by the change that owns this revision


def downgrade() -> None:
    pass
