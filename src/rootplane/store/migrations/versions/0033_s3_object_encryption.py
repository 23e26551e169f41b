"""S3 SSE-KMS: each object version's server-side encryption (algorithm, KMS key ARN, S3 Bucket Key, encryption
context).

Revision ID: 0033
Revises: 0032
"""

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('s3_objects') as batch:
        batch.add_column(sa.Column('encryption_json', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('s3_objects') as batch:
        batch.drop_column('encryption_json')
