"""S3 object ACLs: each object version's access control list (PutObjectAcl; x-amz-acl and x-amz-grant-* on
PutObject, CopyObject and CreateMultipartUpload).

Revision ID: 0025
Revises: 0024
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('s3_objects') as batch:
        batch.add_column(sa.Column('acl_json', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('s3_objects') as batch:
        batch.drop_column('acl_json')
