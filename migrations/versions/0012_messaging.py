"""message threads per application and contract; company billing contact

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 07:00:00.000000

The company's billing contact (name, e-mail) already has its columns since 0001: the settings
page only lets its owners edit them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('message_threads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('freelancer_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('last_message_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_message_threads_application_id_applications'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_message_threads_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_message_threads_contract_id_contracts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['freelancer_id'], ['freelancer_profiles.id'], name=op.f('fk_message_threads_freelancer_id_freelancer_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_threads')),
    sa.UniqueConstraint('application_id', name=op.f('uq_message_threads_application_id')),
    sa.UniqueConstraint('contract_id', name=op.f('uq_message_threads_contract_id'))
    )
    with op.batch_alter_table('message_threads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_threads_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_threads_freelancer_id'), ['freelancer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_threads_last_message_at'), ['last_message_at'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=True),
    sa.Column('sender_side', sa.String(length=12), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("sender_side IN ('sme', 'freelancer')", name=op.f('ck_messages_sender_side_values')),
    sa.CheckConstraint('length(body) <= 5000', name=op.f('ck_messages_body_bounded')),
    sa.ForeignKeyConstraint(['sender_id'], ['users.id'], name=op.f('fk_messages_sender_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['thread_id'], ['message_threads.id'], name=op.f('fk_messages_thread_id_message_threads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_sender_id'), ['sender_id'], unique=False)
        batch_op.create_index('ix_messages_thread_id_id', ['thread_id', 'id'], unique=False)

    op.create_table('message_thread_readers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('last_read_message_id', sa.Integer(), nullable=False),
    sa.Column('notified_message_id', sa.Integer(), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['thread_id'], ['message_threads.id'], name=op.f('fk_message_thread_readers_thread_id_message_threads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_message_thread_readers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_thread_readers')),
    sa.UniqueConstraint('thread_id', 'user_id', name=op.f('uq_message_thread_readers_thread_id_user_id'))
    )
    with op.batch_alter_table('message_thread_readers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_thread_readers_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_table('message_thread_readers')
    op.drop_table('messages')
    op.drop_table('message_threads')
