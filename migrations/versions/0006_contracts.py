"""contracts: versions under negotiation, booked slots with dates, notice and ends, vigilance,
quarterly satisfaction surveys

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 04:38:39.924904
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('satisfaction_surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('kpi_results', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.CheckConstraint('score IS NULL OR score BETWEEN 0 AND 10', name=op.f('ck_satisfaction_surveys_score_range')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_satisfaction_surveys_answered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_satisfaction_surveys_contract_id_contracts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_surveys')),
    sa.UniqueConstraint('contract_id', 'quarter', name=op.f('uq_satisfaction_surveys_contract_id_quarter'))
    )
    with op.batch_alter_table('satisfaction_surveys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_satisfaction_surveys_contract_id'), ['contract_id'], unique=False)

    with op.batch_alter_table('contract_bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('released_on', sa.Date(), nullable=True))

    with op.batch_alter_table('contract_signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('read_and_approved', sa.Boolean(), nullable=False, server_default=sa.true()))

    with op.batch_alter_table('contract_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), nullable=False, server_default='initial'))
        batch_op.add_column(sa.Column('status', sa.String(length=10), nullable=False, server_default='signed'))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('proposed_by', sa.String(length=12), nullable=False, server_default='platform'))
        batch_op.add_column(sa.Column('sme_accepted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('freelancer_accepted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('effective_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('document_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sealed_document_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closed_reason', sa.Text(), nullable=True))
        batch_op.alter_column('document_hash', existing_type=sa.VARCHAR(length=64), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_contract_versions_sealed_document_id_documents'), 'documents', ['sealed_document_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_contract_versions_document_id_documents'), 'documents', ['document_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint('kind_values', "kind IN ('initial', 'amendment')")
        batch_op.create_check_constraint('status_values', "status IN ('proposed', 'superseded', 'agreed', 'signed', 'withdrawn')")
        batch_op.create_check_constraint('proposed_by_values', "proposed_by IN ('sme', 'freelancer', 'platform')")

    # Monthly invoices are periodic: never more than 45 days from the invoice date.
    op.execute("UPDATE contracts SET payment_terms_days = 45 WHERE payment_terms_days > 45")
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('title', sa.String(length=160), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('slots', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('notice_months', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('platform_fee_bp', sa.Integer(), nullable=False, server_default='1500'))
        batch_op.add_column(sa.Column('blocked_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('end_kind', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('end_requested_by', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('end_requested_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('end_proposed_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('vigilance_document_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('vigilance_requested_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_contracts_vigilance_document_id_documents'), 'documents', ['vigilance_document_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_column('notice_days')
        batch_op.drop_constraint(op.f('ck_contracts_payment_terms_range'), type_='check')
        batch_op.create_check_constraint('payment_terms_range', 'payment_terms_days BETWEEN 0 AND 45')
        batch_op.drop_constraint(op.f('ck_contracts_status_values'), type_='check')
        batch_op.create_check_constraint('status_values', "status IN ('draft', 'pending_signature', 'active', 'notice', 'ended', 'cancelled')")
        batch_op.create_check_constraint('end_kind_values', "end_kind IN ('notice', 'mutual', 'term')")
        batch_op.create_check_constraint('end_requested_by_values', "end_requested_by IN ('sme', 'freelancer')")
        batch_op.create_check_constraint('fee_range', 'platform_fee_bp BETWEEN 0 AND 10000')
        batch_op.create_check_constraint('notice_range', 'notice_months BETWEEN 0 AND 3')

    # Contracts recorded before: their slots are their weekdays, whole days.
    connection = op.get_bind()
    contracts = sa.table('contracts', sa.column('id', sa.Integer), sa.column('weekdays', sa.JSON),
                         sa.column('slots', sa.JSON))
    for row_id, weekdays in connection.execute(sa.select(contracts.c.id, contracts.c.weekdays)).all():
        slots = [f"{day}-{half}" for day in (weekdays or []) for half in ("am", "pm")]
        connection.execute(contracts.update().where(contracts.c.id == row_id).values(slots=slots))


def downgrade() -> None:
    op.execute("UPDATE contracts SET status = 'active' WHERE status = 'notice'")
    op.execute("UPDATE contract_versions SET document_hash = '' WHERE document_hash IS NULL")
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_contracts_notice_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_contracts_fee_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_contracts_end_requested_by_values'), type_='check')
        batch_op.drop_constraint(op.f('ck_contracts_end_kind_values'), type_='check')
        batch_op.drop_constraint(op.f('ck_contracts_status_values'), type_='check')
        batch_op.create_check_constraint('status_values', "status IN ('draft', 'pending_signature', 'active', 'ended', 'cancelled')")
        batch_op.drop_constraint(op.f('ck_contracts_payment_terms_range'), type_='check')
        batch_op.create_check_constraint('payment_terms_range', 'payment_terms_days BETWEEN 0 AND 60')
        batch_op.add_column(sa.Column('notice_days', sa.INTEGER(), nullable=False, server_default='30'))
        batch_op.drop_constraint(batch_op.f('fk_contracts_vigilance_document_id_documents'), type_='foreignkey')
        for column in ('vigilance_requested_at', 'vigilance_document_id', 'end_proposed_date', 'end_requested_at',
                       'end_requested_by', 'end_kind', 'blocked_reason', 'platform_fee_bp', 'notice_months', 'slots',
                       'title', 'signed_version'):
            batch_op.drop_column(column)

    with op.batch_alter_table('contract_versions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_contract_versions_proposed_by_values'), type_='check')
        batch_op.drop_constraint(op.f('ck_contract_versions_status_values'), type_='check')
        batch_op.drop_constraint(op.f('ck_contract_versions_kind_values'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_contract_versions_document_id_documents'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_contract_versions_sealed_document_id_documents'), type_='foreignkey')
        batch_op.alter_column('document_hash', existing_type=sa.VARCHAR(length=64), nullable=False)
        for column in ('closed_reason', 'sealed_document_id', 'document_id', 'applied_at', 'effective_from',
                       'freelancer_accepted_at', 'sme_accepted_at', 'proposed_by', 'note', 'status', 'kind'):
            batch_op.drop_column(column)

    with op.batch_alter_table('contract_signatures', schema=None) as batch_op:
        batch_op.drop_column('read_and_approved')

    with op.batch_alter_table('contract_bookings', schema=None) as batch_op:
        batch_op.drop_column('released_on')
        batch_op.drop_column('starts_on')

    with op.batch_alter_table('satisfaction_surveys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_satisfaction_surveys_contract_id'))
    op.drop_table('satisfaction_surveys')
