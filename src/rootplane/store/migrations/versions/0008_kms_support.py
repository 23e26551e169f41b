"""KMS keys, aliases and grants; AWS Support plans, cases, communications and KMS key recoveries; the outbox's
channel (email or sms).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

import rootplane.store.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kms_aliases',
    sa.Column('alias_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.String(length=12), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=256), nullable=False),
    sa.Column('key_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', rootplane.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', rootplane.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('alias_id', name=op.f('pk_kms_aliases')),
    sa.UniqueConstraint('account_id', 'region', 'name', name=op.f('uq_kms_aliases_account_id_region_name'))
    )
    op.create_index('ix_kms_aliases_key', 'kms_aliases', ['key_id'], unique=False)
    op.create_table('kms_grants',
    sa.Column('grant_id', sa.String(length=64), nullable=False),
    sa.Column('key_id', sa.String(length=36), nullable=False),
    sa.Column('token', sa.String(length=128), nullable=False),
    sa.Column('name', sa.String(length=256), nullable=True),
    sa.Column('grantee_principal', sa.String(length=256), nullable=False),
    sa.Column('retiring_principal', sa.String(length=256), nullable=True),
    sa.Column('issuing_account', sa.String(length=64), nullable=False),
    sa.Column('operations_json', sa.Text(), nullable=False),
    sa.Column('constraints_json', sa.Text(), nullable=True),
    sa.Column('created_at', rootplane.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('grant_id', name=op.f('pk_kms_grants')),
    sa.UniqueConstraint('token', name=op.f('uq_kms_grants_token'))
    )
    op.create_index('ix_kms_grants_key', 'kms_grants', ['key_id', 'grant_id'], unique=False)
    op.create_index('ix_kms_grants_retiring', 'kms_grants', ['retiring_principal'], unique=False)
    op.create_table('kms_keys',
    sa.Column('key_id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=12), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('arn', sa.String(length=128), nullable=False),
    sa.Column('key_spec', sa.String(length=32), nullable=False),
    sa.Column('key_usage', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('description', sa.String(length=8192), nullable=False),
    sa.Column('policy', sa.Text(), nullable=False),
    sa.Column('sealed_material', sa.LargeBinary(), nullable=False),
    sa.Column('rotation_enabled', sa.Boolean(), nullable=False),
    sa.Column('tags_json', sa.Text(), nullable=False),
    sa.Column('created_at', rootplane.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('deletion_date', rootplane.store.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('pending_window_days', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('key_id', name=op.f('pk_kms_keys'))
    )
    op.create_index('ix_kms_keys_account_region', 'kms_keys', ['account_id', 'region', 'key_id'], unique=False)
    op.create_table('support_cases',
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('display_id', sa.String(length=16), nullable=False),
    sa.Column('account_id', sa.String(length=12), nullable=False),
    sa.Column('subject', sa.String(length=512), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('service_code', sa.String(length=128), nullable=False),
    sa.Column('category_code', sa.String(length=128), nullable=False),
    sa.Column('severity_code', sa.String(length=16), nullable=False),
    sa.Column('issue_type', sa.String(length=32), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('submitted_by', sa.String(length=2048), nullable=False),
    sa.Column('cc_json', sa.Text(), nullable=False),
    sa.Column('created_at', rootplane.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_support_cases')),
    sa.UniqueConstraint('display_id', name=op.f('uq_support_cases_display_id'))
    )
    op.create_index('ix_support_cases_account', 'support_cases', ['account_id', 'created_at'], unique=False)
    op.create_table('support_communications',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('submitted_by', sa.String(length=2048), nullable=False),
    sa.Column('created_at', rootplane.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_communications'))
    )
    op.create_index('ix_support_communications_case', 'support_communications', ['case_id', 'id'], unique=False)
    op.create_table('support_key_recoveries',
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.String(length=12), nullable=False),
    sa.Column('key_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('phone_number', sa.String(length=32), nullable=True),
    sa.Column('otp', sa.String(length=6), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('expires_at', rootplane.store.base.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_support_key_recoveries'))
    )
    with op.batch_alter_table('mail_messages') as batch:
        batch.add_column(sa.Column('channel', sa.String(length=8), server_default='email', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('mail_messages') as batch:
        batch.drop_column('channel')
    for table in ('support_key_recoveries', 'support_communications', 'support_cases', 'kms_keys',
                  'kms_grants', 'kms_aliases'):
        op.drop_table(table)
