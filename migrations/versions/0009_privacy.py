"""privacy: account closures, data exports, retention records; kept records no longer follow a deletion

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 05:27:44.757097

The documents a contract, an invoice or a yearly statement points to, and a profile's
documents, are now RESTRICT instead of SET NULL / CASCADE: deleting a profile or a file
can never take a signed contract's or an invoice's PDF with it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account_closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('erase_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('held_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('held_by_id', sa.Integer(), nullable=True),
    sa.Column('hold_reason', sa.Text(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("scope = 'account' OR company_id IS NOT NULL", name=op.f('ck_account_closures_company_scope_has_company')),
    sa.CheckConstraint("scope IN ('account', 'company')", name=op.f('ck_account_closures_scope_values')),
    sa.CheckConstraint("status IN ('pending', 'held', 'cancelled', 'erased')", name=op.f('ck_account_closures_status_values')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_account_closures_company_id_companies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['held_by_id'], ['users.id'], name=op.f('fk_account_closures_held_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_closures_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_closures'))
    )
    with op.batch_alter_table('account_closures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_closures_erase_after'), ['erase_after'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_closures_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_closures_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_account_closures_open_user', ['user_id'], unique=True, sqlite_where=sa.text("status IN ('pending', 'held')"), postgresql_where=sa.text("status IN ('pending', 'held')"))

    op.create_table('data_exports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=True),
    sa.Column('size_bytes', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('ready_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('downloaded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'ready', 'failed', 'expired')", name=op.f('ck_data_exports_status_values')),
    sa.CheckConstraint('size_bytes IS NULL OR size_bytes >= 0', name=op.f('ck_data_exports_size_positive')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_data_exports_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_exports')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_data_exports_storage_key'))
    )
    with op.batch_alter_table('data_exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_exports_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_exports_user_id'), ['user_id'], unique=False)

    op.create_table('retention_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('subject_type', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('closure_id', sa.Integer(), nullable=True),
    sa.Column('retain_until', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('invoice', 'timesheet', 'contract', 'signed_document', 'vigilance_certificate', 'payment', 'yearly_statement', 'vetting_audit', 'billing_mandate')", name=op.f('ck_retention_records_kind_values')),
    sa.ForeignKeyConstraint(['closure_id'], ['account_closures.id'], name=op.f('fk_retention_records_closure_id_account_closures'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_records')),
    sa.UniqueConstraint('subject_type', 'subject_id', name=op.f('uq_retention_records_subject_type_subject_id'))
    )
    with op.batch_alter_table('retention_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retention_records_closure_id'), ['closure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_retention_records_retain_until'), ['retain_until'], unique=False)

    with op.batch_alter_table('contract_versions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contract_versions_document_id_documents'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_contract_versions_sealed_document_id_documents'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_contract_versions_document_id_documents'), 'documents', ['document_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_foreign_key(batch_op.f('fk_contract_versions_sealed_document_id_documents'), 'documents', ['sealed_document_id'], ['id'], ondelete='RESTRICT')

    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contracts_vigilance_document_id_documents'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_contracts_document_id_documents'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_contracts_vigilance_document_id_documents'), 'documents', ['vigilance_document_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_foreign_key(batch_op.f('fk_contracts_document_id_documents'), 'documents', ['document_id'], ['id'], ondelete='RESTRICT')

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_documents_profile_id_freelancer_profiles'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_documents_profile_id_freelancer_profiles'), 'freelancer_profiles', ['profile_id'], ['id'], ondelete='RESTRICT')

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invoices_pdf_document_id_documents'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_invoices_pdf_document_id_documents'), 'documents', ['pdf_document_id'], ['id'], ondelete='RESTRICT')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('yearly_statements', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_yearly_statements_document_id_documents'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_yearly_statements_freelancer_id_freelancer_profiles'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_yearly_statements_document_id_documents'), 'documents', ['document_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_foreign_key(batch_op.f('fk_yearly_statements_freelancer_id_freelancer_profiles'), 'freelancer_profiles', ['freelancer_id'], ['id'], ondelete='RESTRICT')



def downgrade() -> None:
    with op.batch_alter_table('yearly_statements', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_yearly_statements_freelancer_id_freelancer_profiles'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_yearly_statements_document_id_documents'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_yearly_statements_freelancer_id_freelancer_profiles'), 'freelancer_profiles', ['freelancer_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_yearly_statements_document_id_documents'), 'documents', ['document_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('erased_at')

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invoices_pdf_document_id_documents'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_invoices_pdf_document_id_documents'), 'documents', ['pdf_document_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_documents_profile_id_freelancer_profiles'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_documents_profile_id_freelancer_profiles'), 'freelancer_profiles', ['profile_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contracts_document_id_documents'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_contracts_vigilance_document_id_documents'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_contracts_document_id_documents'), 'documents', ['document_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_contracts_vigilance_document_id_documents'), 'documents', ['vigilance_document_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('contract_versions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contract_versions_sealed_document_id_documents'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_contract_versions_document_id_documents'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_contract_versions_sealed_document_id_documents'), 'documents', ['sealed_document_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_contract_versions_document_id_documents'), 'documents', ['document_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('retention_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retention_records_retain_until'))
        batch_op.drop_index(batch_op.f('ix_retention_records_closure_id'))

    op.drop_table('retention_records')
    with op.batch_alter_table('data_exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_exports_user_id'))
        batch_op.drop_index(batch_op.f('ix_data_exports_status'))

    op.drop_table('data_exports')
    with op.batch_alter_table('account_closures', schema=None) as batch_op:
        batch_op.drop_index('uq_account_closures_open_user', sqlite_where=sa.text("status IN ('pending', 'held')"), postgresql_where=sa.text("status IN ('pending', 'held')"))
        batch_op.drop_index(batch_op.f('ix_account_closures_user_id'))
        batch_op.drop_index(batch_op.f('ix_account_closures_status'))
        batch_op.drop_index(batch_op.f('ix_account_closures_erase_after'))

    op.drop_table('account_closures')
