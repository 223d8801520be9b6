"""jobs by registered name, CHECK constraints on enumerated columns, one accepted application
per mission, one pending job per de-duplication key, matcher models in the database

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 02:57:36.197475
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# Job intents recorded before jobs had names: the dotted entry point → the registered name.
JOB_NAMES = {
    "worker.jobs.deliver_email": "mail.deliver",
    "worker.jobs.run_vetting_check": "vetting.run_group",
    "worker.jobs.retrain_matcher": "matching.retrain",
    "worker.jobs.remind_waiting_applications": "missions.remind_waiting_applications",
    "worker.jobs.send_reference_reminders": "vetting.reference_reminders",
    "worker.jobs.run_vetting_expiry": "vetting.expiry",
    "worker.jobs.sweep_pending_jobs": "jobs.sweep",
}

# Enumerated columns keep to their values (the models' enum_check constraints).
CHECKS = {
    'billing_runs': (
        ('status_values', "status IN ('pending', 'running', 'done', 'failed')"),
    ),
    'job_intents': (
        ('status_values', "status IN ('pending', 'running', 'done', 'failed')"),
    ),
    'users': (
        ('company_role_values', "company_role IN ('owner', 'member')"),
        ('role_values', "role IN ('sme', 'freelancer', 'admin')"),
    ),
    'freelancer_profiles': (
        ('legal_form_values', "legal_form IN ('micro', 'ei', 'eurl', 'sasu', 'portage')"),
        ('status_values', "status IN ('draft', 'submitted', 'in_review', 'approved', 'rejected', 'suspended')"),
        ('vat_regime_values', "vat_regime IN ('franchise', 'liable')"),
        ('work_mode_values', "work_mode IN ('onsite', 'hybrid', 'remote')"),
    ),
    'missions': (
        ('status_values', "status IN ('draft', 'published', 'filled', 'closed')"),
        ('work_mode_values', "work_mode IN ('onsite', 'hybrid', 'remote')"),
    ),
    'outbound_emails': (
        ('status_values', "status IN ('pending', 'sent', 'failed')"),
    ),
    'applications': (
        ('source_values', "source IN ('applied', 'invited')"),
        ('status_values', "status IN ('applied', 'shortlisted', 'invited', 'accepted', 'declined', 'withdrawn', 'closed')"),
    ),
    'documents': (
        ('kind_values', "kind IN ('urssaf_certificate', 'registration_proof', 'insurance', 'identity', 'contract_pdf', 'invoice_pdf', 'other')"),
    ),
    'invoice_series': (
        ('issuer_kind_values', "issuer_kind IN ('freelancer', 'platform')"),
    ),
    'vetting_checks': (
        ('kind_values', "kind IN ('siret', 'vat_number', 'iban', 'legal_form', 'urssaf_certificate', 'registration_proof', 'insurance', 'identity', 'references', 'duplicates', 'experience')"),
        ('status_values', "status IN ('pending', 'running', 'passed', 'warning', 'failed', 'error')"),
    ),
    'contracts': (
        ('status_values', "status IN ('draft', 'pending_signature', 'active', 'ended', 'cancelled')"),
        ('work_mode_values', "work_mode IN ('onsite', 'hybrid', 'remote')"),
    ),
    'reference_requests': (
        ('status_values', "status IN ('pending', 'sent', 'answered', 'expired', 'cancelled')"),
    ),
    'contract_signatures': (
        ('party_values', "party IN ('sme', 'freelancer')"),
    ),
    'timesheets': (
        ('status_values', "status IN ('draft', 'submitted', 'approved', 'disputed')"),
    ),
    'invoices': (
        ('issuer_kind_values', "issuer_kind IN ('freelancer', 'platform')"),
        ('kind_values', "kind IN ('invoice', 'credit_note')"),
        ('status_values', "status IN ('issued', 'paid', 'overdue', 'cancelled')"),
    ),
    'invoice_lines': (
        ('vat_category_values', "vat_category IN ('S', 'E')"),
    ),
    'payments': (
        ('provider_values', "provider IN ('stripe', 'transfer')"),
        ('status_values', "status IN ('pending', 'succeeded', 'failed', 'refunded')"),
    ),
    'payouts': (
        ('provider_values', "provider IN ('stripe', 'transfer')"),
        ('status_values', "status IN ('pending', 'succeeded', 'failed', 'refunded')"),
    ),
}


def upgrade() -> None:
    op.create_table('matcher_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('training_data_sha256', sa.String(length=64), nullable=False),
    sa.Column('n_pairs', sa.Integer(), nullable=False),
    sa.Column('n_outcome_pairs', sa.Integer(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('meta', sa.JSON(), nullable=False),
    sa.Column('artifact', sa.LargeBinary(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matcher_models')),
    sa.UniqueConstraint('version', name=op.f('uq_matcher_models_version'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('uq_applications_one_accepted_per_mission', ['mission_id'], unique=True, sqlite_where=sa.text("status = 'accepted'"), postgresql_where=sa.text("status = 'accepted'"))

    with op.batch_alter_table('job_intents', schema=None) as batch_op:
        batch_op.alter_column('func', new_column_name='name', existing_type=sa.String(length=120), existing_nullable=False)
    intents = sa.table('job_intents', sa.column('id', sa.Integer), sa.column('name', sa.String),
                       sa.column('dedupe_key', sa.String), sa.column('status', sa.String))
    for old, new in JOB_NAMES.items():
        op.execute(intents.update().where(intents.c.name == old).values(name=new))
    # Older code could leave two pending intents with one key: keep the first as the one job.
    connection = op.get_bind()
    seen: set[str] = set()
    rows = connection.execute(sa.select(intents.c.id, intents.c.dedupe_key)
                              .where(intents.c.status == 'pending', intents.c.dedupe_key.is_not(None))
                              .order_by(intents.c.id)).all()
    for row_id, key in rows:
        if key in seen:
            connection.execute(intents.update().where(intents.c.id == row_id).values(dedupe_key=None))
        seen.add(key)
    with op.batch_alter_table('job_intents', schema=None) as batch_op:
        batch_op.create_index('uq_job_intents_pending_dedupe_key', ['dedupe_key'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, condition in checks:
                batch_op.create_check_constraint(name, condition)


def downgrade() -> None:
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _condition in checks:
                batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")

    with op.batch_alter_table('job_intents', schema=None) as batch_op:
        batch_op.drop_index('uq_job_intents_pending_dedupe_key', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.alter_column('name', new_column_name='func', existing_type=sa.String(length=120), existing_nullable=False)

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('uq_applications_one_accepted_per_mission', sqlite_where=sa.text("status = 'accepted'"), postgresql_where=sa.text("status = 'accepted'"))

    op.drop_table('matcher_models')
