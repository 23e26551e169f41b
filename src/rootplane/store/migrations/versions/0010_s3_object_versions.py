"""S3 object versions: (bucket, key, version_id) rows with delete markers; existing objects become version "null";
the bucket's MFA delete state.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('s3_buckets') as batch:
        batch.add_column(sa.Column('mfa_delete', sa.String(length=16), nullable=True))
    with op.batch_alter_table('s3_objects') as batch:
        batch.add_column(sa.Column('version_id', sa.String(length=64), server_default='null', nullable=False))
        batch.add_column(sa.Column('seq', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('is_latest', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch.add_column(sa.Column('delete_marker', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.drop_constraint('pk_s3_objects', type_='primary')
        batch.create_primary_key('pk_s3_objects', ['bucket', 'key', 'version_id'])
        batch.create_index('ix_s3_objects_current', ['bucket', 'is_latest', 'key'], unique=False)
        batch.create_index('ix_s3_objects_versions', ['bucket', 'key', 'seq'], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM s3_objects WHERE version_id <> 'null' OR delete_marker")
    with op.batch_alter_table('s3_objects') as batch:
        batch.drop_index('ix_s3_objects_versions')
        batch.drop_index('ix_s3_objects_current')
        batch.drop_constraint('pk_s3_objects', type_='primary')
        batch.create_primary_key('pk_s3_objects', ['bucket', 'key'])
        batch.drop_column('delete_marker')
        batch.drop_column('is_latest')
        batch.drop_column('seq')
        batch.drop_column('version_id')
    with op.batch_alter_table('s3_buckets') as batch:
        batch.drop_column('mfa_delete')
