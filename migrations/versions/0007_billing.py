"""billing: timesheet versions, live invoices, CII XML, contests, run items

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 04:54:47.867864
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('billing_run_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'issued', 'skipped', 'failed')", name=op.f('ck_billing_run_items_status_values')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_billing_run_items_contract_id_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_billing_run_items_invoice_id_invoices'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['billing_runs.id'], name=op.f('fk_billing_run_items_run_id_billing_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_run_items')),
    sa.UniqueConstraint('run_id', 'contract_id', name=op.f('uq_billing_run_items_run_id_contract_id'))
    )
    with op.batch_alter_table('billing_run_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_run_items_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_billing_run_items_status'), ['status'], unique=False)

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('related_invoice_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cii_xml', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('vat_debits_option', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('contested_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('contest_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('contest_resolved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('contest_resolution', sa.Text(), nullable=True))
        batch_op.drop_index(batch_op.f('uq_invoices_contract_month_issuer'), sqlite_where=sa.text("kind = 'invoice'"), postgresql_where=sa.text("kind = 'invoice'"))
        batch_op.create_index(batch_op.f('ix_invoices_related_invoice_id'), ['related_invoice_id'], unique=False)
        batch_op.create_index('uq_invoices_live_contract_month_issuer', ['contract_id', 'month', 'issuer_kind'], unique=True, sqlite_where=sa.text("kind = 'invoice' AND status <> 'cancelled'"), postgresql_where=sa.text("kind = 'invoice' AND status <> 'cancelled'"))
        batch_op.create_index('uq_invoices_one_credit_note', ['credited_invoice_id'], unique=True, sqlite_where=sa.text("kind = 'credit_note'"), postgresql_where=sa.text("kind = 'credit_note'"))
        batch_op.create_foreign_key(batch_op.f('fk_invoices_related_invoice_id_invoices'), 'invoices', ['related_invoice_id'], ['id'], ondelete='RESTRICT')

    with op.batch_alter_table('freelancer_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_capital_cents', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rcs_city', sa.String(length=120), nullable=True))

    with op.batch_alter_table('timesheets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('auto_approved', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('disputed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('correction_reason', sa.Text(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_timesheets_contract_id_month'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_timesheets_contract_id_month_version'), ['contract_id', 'month', 'version'])
        batch_op.create_index('uq_timesheets_live_contract_month', ['contract_id', 'month'], unique=True, sqlite_where=sa.text('replaced_at IS NULL'), postgresql_where=sa.text('replaced_at IS NULL'))
        batch_op.create_check_constraint('version_positive', 'version >= 1')


def downgrade() -> None:
    with op.batch_alter_table('freelancer_profiles', schema=None) as batch_op:
        batch_op.drop_column('rcs_city')
        batch_op.drop_column('share_capital_cents')

    with op.batch_alter_table('timesheets', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_timesheets_version_positive'), type_='check')
        batch_op.drop_index('uq_timesheets_live_contract_month', sqlite_where=sa.text('replaced_at IS NULL'), postgresql_where=sa.text('replaced_at IS NULL'))
        batch_op.drop_constraint(batch_op.f('uq_timesheets_contract_id_month_version'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_timesheets_contract_id_month'), ['contract_id', 'month'])
        batch_op.drop_column('correction_reason')
        batch_op.drop_column('replaced_at')
        batch_op.drop_column('disputed_at')
        batch_op.drop_column('auto_approved')
        batch_op.drop_column('version')

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invoices_related_invoice_id_invoices'), type_='foreignkey')
        batch_op.drop_index('uq_invoices_one_credit_note', sqlite_where=sa.text("kind = 'credit_note'"), postgresql_where=sa.text("kind = 'credit_note'"))
        batch_op.drop_index('uq_invoices_live_contract_month_issuer', sqlite_where=sa.text("kind = 'invoice' AND status <> 'cancelled'"), postgresql_where=sa.text("kind = 'invoice' AND status <> 'cancelled'"))
        batch_op.drop_index(batch_op.f('ix_invoices_related_invoice_id'))
        batch_op.create_index(batch_op.f('uq_invoices_contract_month_issuer'), ['contract_id', 'month', 'issuer_kind'], unique=True, sqlite_where=sa.text("kind = 'invoice'"), postgresql_where=sa.text("kind = 'invoice'"))
        batch_op.drop_column('contest_resolution')
        batch_op.drop_column('contest_resolved_at')
        batch_op.drop_column('contest_reason')
        batch_op.drop_column('contested_at')
        batch_op.drop_column('issued_at')
        batch_op.drop_column('vat_debits_option')
        batch_op.drop_column('cii_xml')
        batch_op.drop_column('related_invoice_id')

    with op.batch_alter_table('billing_run_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_run_items_status'))
        batch_op.drop_index(batch_op.f('ix_billing_run_items_run_id'))

    op.drop_table('billing_run_items')
