"""payments

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 05:14:30.961481
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('provider_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=120), nullable=False),
    sa.Column('type', sa.String(length=80), nullable=False),
    sa.Column('object_id', sa.String(length=120), nullable=True),
    sa.Column('account', sa.String(length=120), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('received', 'processed', 'ignored', 'failed')", name=op.f('ck_provider_events_status_values')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_events')),
    sa.UniqueConstraint('event_id', name=op.f('uq_provider_events_event_id'))
    )
    op.create_table('bank_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("format IN ('csv', 'camt053')", name=op.f('ck_bank_statements_format_values')),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_bank_statements_imported_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_statements')),
    sa.UniqueConstraint('sha256', name=op.f('uq_bank_statements_sha256'))
    )
    op.create_table('payment_methods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.String(length=120), nullable=False),
    sa.Column('setup_intent_id', sa.String(length=120), nullable=True),
    sa.Column('provider_ref', sa.String(length=120), nullable=True),
    sa.Column('type', sa.String(length=12), nullable=True),
    sa.Column('brand', sa.String(length=20), nullable=True),
    sa.Column('last4', sa.String(length=4), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'active', 'removed')", name=op.f('ck_payment_methods_status_values')),
    sa.CheckConstraint("type IN ('card', 'sepa_debit')", name=op.f('ck_payment_methods_type_values')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_payment_methods_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_payment_methods_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_methods')),
    sa.UniqueConstraint('setup_intent_id', name=op.f('uq_payment_methods_setup_intent_id'))
    )
    with op.batch_alter_table('payment_methods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_methods_company_id'), ['company_id'], unique=False)
        batch_op.create_index('uq_payment_methods_active_company', ['company_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.create_table('bank_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('booking_date', sa.Date(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('reference', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('matched', 'unmatched', 'manual', 'ignored')", name=op.f('ck_bank_lines_status_values')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_bank_lines_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['statement_id'], ['bank_statements.id'], name=op.f('fk_bank_lines_statement_id_bank_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_lines')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_bank_lines_fingerprint'))
    )
    with op.batch_alter_table('bank_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_lines_statement_id'), ['statement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_lines_status'), ['status'], unique=False)

    op.create_table('yearly_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('freelancer_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('gross_cents', sa.Integer(), nullable=False),
    sa.Column('fees_cents', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_yearly_statements_document_id_documents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['freelancer_id'], ['freelancer_profiles.id'], name=op.f('fk_yearly_statements_freelancer_id_freelancer_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_yearly_statements')),
    sa.UniqueConstraint('freelancer_id', 'year', name=op.f('uq_yearly_statements_freelancer_id_year'))
    )
    with op.batch_alter_table('yearly_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_yearly_statements_freelancer_id'), ['freelancer_id'], unique=False)

    op.create_table('payment_allocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_payment_allocations_amount_positive')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_payment_allocations_invoice_id_invoices'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_allocations_payment_id_payments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_allocations')),
    sa.UniqueConstraint('payment_id', 'invoice_id', name=op.f('uq_payment_allocations_payment_id_invoice_id'))
    )
    with op.batch_alter_table('payment_allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_allocations_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_allocations_payment_id'), ['payment_id'], unique=False)

    op.create_table('payment_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=4), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('penalty_cents', sa.Integer(), nullable=False),
    sa.CheckConstraint("stage IN ('due', 'd7', 'd15')", name=op.f('ck_payment_reminders_stage_values')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_payment_reminders_invoice_id_invoices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_reminders')),
    sa.UniqueConstraint('invoice_id', 'stage', name=op.f('uq_payment_reminders_invoice_id_stage'))
    )
    with op.batch_alter_table('payment_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_reminders_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('provider_ref', sa.String(length=120), nullable=True),
    sa.Column('idempotency_key', sa.String(length=80), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('reverse_transfer', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'succeeded', 'failed', 'canceled')", name=op.f('ck_refunds_status_values')),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_refunds_amount_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_refunds_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_refunds_invoice_id_invoices'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_refunds_payment_id_payments'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refunds')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_refunds_idempotency_key')),
    sa.UniqueConstraint('provider_ref', name=op.f('uq_refunds_provider_ref'))
    )
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refunds_payment_id'), ['payment_id'], unique=False)

    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stripe_customer_id', sa.String(length=120), nullable=True))

    with op.batch_alter_table('freelancer_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stripe_account_id', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('stripe_payouts_enabled', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('stripe_requirements', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.create_unique_constraint(batch_op.f('uq_freelancer_profiles_stripe_account_id'), ['stripe_account_id'])

    # A payment now settles one or more invoices through its allocations.
    op.execute("INSERT INTO payment_allocations (payment_id, invoice_id, amount_cents) "
               "SELECT id, invoice_id, amount_cents FROM payments")
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('company_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('method_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('destination_account', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('application_fee_cents', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('failure_code', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('bank_line_id', sa.Integer(), nullable=True))
        batch_op.drop_index(batch_op.f('ix_payments_invoice_id'))
        batch_op.create_index(batch_op.f('ix_payments_company_id'), ['company_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_payments_invoice_id_invoices'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_payments_method_id_payment_methods'), 'payment_methods', ['method_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_payments_bank_line_id_bank_lines'), 'bank_lines', ['bank_line_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_payments_company_id_companies'), 'companies', ['company_id'], ['id'], ondelete='RESTRICT')
        batch_op.drop_column('invoice_id')
        batch_op.drop_constraint(op.f('ck_payments_status_values'), type_='check')
        batch_op.create_check_constraint('status_values', "status IN ('pending', 'processing', 'succeeded', 'failed', 'refunded')")
    op.execute("UPDATE payments SET company_id = (SELECT invoices.company_id FROM invoices "
               "JOIN payment_allocations ON payment_allocations.invoice_id = invoices.id "
               "WHERE payment_allocations.payment_id = payments.id LIMIT 1)")

    with op.batch_alter_table('payouts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sent_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_payouts_sent_by_id_users'), 'users', ['sent_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_payouts_payment_id_payments'), 'payments', ['payment_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_constraint(op.f('ck_payouts_status_values'), type_='check')
    op.execute("UPDATE payouts SET status = 'reversed' WHERE status = 'refunded'")
    with op.batch_alter_table('payouts', schema=None) as batch_op:
        batch_op.create_check_constraint('status_values', "status IN ('pending', 'sent', 'succeeded', 'failed', 'reversed')")

    # « En retard » is derived from the due date: the status says how the payment stands.
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_invoices_status_values'), type_='check')
    op.execute("UPDATE invoices SET status = 'issued' WHERE status = 'overdue'")
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_check_constraint('status_values', "status IN ('issued', 'processing', 'paid', 'failed', 'refunded', 'cancelled')")



def downgrade() -> None:
    with op.batch_alter_table('payouts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_payouts_payment_id_payments'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_payouts_sent_by_id_users'), type_='foreignkey')
        batch_op.drop_column('sent_by_id')
        batch_op.drop_column('payment_id')

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invoice_id', sa.INTEGER(), nullable=False))
        batch_op.drop_constraint(batch_op.f('fk_payments_company_id_companies'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_payments_bank_line_id_bank_lines'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_payments_method_id_payment_methods'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_payments_invoice_id_invoices'), 'invoices', ['invoice_id'], ['id'], ondelete='RESTRICT')
        batch_op.drop_index(batch_op.f('ix_payments_company_id'))
        batch_op.create_index(batch_op.f('ix_payments_invoice_id'), ['invoice_id'], unique=False)
        batch_op.drop_column('bank_line_id')
        batch_op.drop_column('failure_code')
        batch_op.drop_column('application_fee_cents')
        batch_op.drop_column('destination_account')
        batch_op.drop_column('method_id')
        batch_op.drop_column('company_id')
    op.execute("UPDATE payments SET invoice_id = (SELECT MIN(invoice_id) FROM payment_allocations "
               "WHERE payment_allocations.payment_id = payments.id)")

    with op.batch_alter_table('freelancer_profiles', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_freelancer_profiles_stripe_account_id'), type_='unique')
        batch_op.drop_column('stripe_requirements')
        batch_op.drop_column('stripe_payouts_enabled')
        batch_op.drop_column('stripe_account_id')

    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_column('stripe_customer_id')

    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refunds_payment_id'))

    op.drop_table('refunds')
    with op.batch_alter_table('payment_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_reminders_invoice_id'))

    op.drop_table('payment_reminders')
    with op.batch_alter_table('payment_allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_allocations_payment_id'))
        batch_op.drop_index(batch_op.f('ix_payment_allocations_invoice_id'))

    op.drop_table('payment_allocations')
    with op.batch_alter_table('yearly_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_yearly_statements_freelancer_id'))

    op.drop_table('yearly_statements')
    with op.batch_alter_table('bank_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_lines_status'))
        batch_op.drop_index(batch_op.f('ix_bank_lines_statement_id'))

    op.drop_table('bank_lines')
    with op.batch_alter_table('payment_methods', schema=None) as batch_op:
        batch_op.drop_index('uq_payment_methods_active_company', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
        batch_op.drop_index(batch_op.f('ix_payment_methods_company_id'))

    op.drop_table('payment_methods')
    op.drop_table('bank_statements')
    op.drop_table('provider_events')
