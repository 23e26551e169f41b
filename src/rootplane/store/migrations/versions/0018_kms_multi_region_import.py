"""KMS multi-Region keys (one kms_keys row per Region: primary key (key_id, region)) and imported key material
(origin, material digest, expiry; kms_import_tokens); each CloudTrail event's deciding statement (internal).

Revision ID: 0018
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

import rootplane.store.base

revision = "0018"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kms_keys') as batch:
        batch.add_column(sa.Column('origin', sa.String(length=16), server_default='AWS_KMS', nullable=False))
        batch.add_column(sa.Column('primary_region', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('material_digest', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('valid_to', rootplane.store.base.UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('expiration_model', sa.String(length=32), nullable=True))
        batch.drop_constraint('pk_kms_keys', type_='primary')
        batch.create_primary_key('pk_kms_keys', ['key_id', 'region'])
    op.create_table('kms_import_tokens',
    sa.Column('token_id', sa.String(length=64), nullable=False),
    sa.Column('key_id', sa.String(length=36), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('wrapping_algorithm', sa.String(length=32), nullable=False),
    sa.Column('sealed_private_key', sa.LargeBinary(), nullable=False),
    sa.Column('expires_at', rootplane.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token_id', name=op.f('pk_kms_import_tokens'))
    )
    op.create_index('ix_kms_import_tokens_key', 'kms_import_tokens', ['key_id', 'region'], unique=False)
    with op.batch_alter_table('cloudtrail_events') as batch:
        batch.add_column(sa.Column('deciding_statement', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cloudtrail_events') as batch:
        batch.drop_column('deciding_statement')
    op.drop_index('ix_kms_import_tokens_key', table_name='kms_import_tokens')
    op.drop_table('kms_import_tokens')
    op.execute("DELETE FROM kms_keys WHERE primary_region IS NOT NULL AND primary_region <> region")
    with op.batch_alter_table('kms_keys') as batch:
        batch.drop_constraint('pk_kms_keys', type_='primary')
        batch.create_primary_key('pk_kms_keys', ['key_id'])
        batch.drop_column('expiration_model')
        batch.drop_column('valid_to')
        batch.drop_column('material_digest')
        batch.drop_column('primary_region')
        batch.drop_column('origin')
