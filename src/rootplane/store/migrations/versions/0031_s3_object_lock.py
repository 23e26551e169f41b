"""S3 Object Lock: each object version's retention and legal hold (PutObjectRetention, PutObjectLegalHold).

Revision ID: 0031
Revises: 0030
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('s3_objects') as batch:
        batch.add_column(sa.Column('lock_json', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('s3_objects') as batch:
        batch.drop_column('lock_json')
