"""S3 bucket configurations kept as documents; CloudTrail trail tags and Insights selectors.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('s3_bucket_settings',
    sa.Column('bucket', sa.String(length=63).with_variant(sa.String(length=63, collation='C'), 'postgresql'), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['bucket'], ['s3_buckets.name'], name=op.f('fk_s3_bucket_settings_bucket_s3_buckets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('bucket', 'kind', name=op.f('pk_s3_bucket_settings'))
    )
    with op.batch_alter_table('cloudtrail_trails') as batch:
        batch.add_column(sa.Column('tags_json', sa.Text(), server_default='{}', nullable=False))
        batch.add_column(sa.Column('insight_selectors', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cloudtrail_trails') as batch:
        batch.drop_column('insight_selectors')
        batch.drop_column('tags_json')
    op.drop_table('s3_bucket_settings')
