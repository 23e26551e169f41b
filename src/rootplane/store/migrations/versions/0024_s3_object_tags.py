"""S3 object tagging: each object version's tag set (PutObjectTagging, x-amz-tagging).

Revision ID: 0024
Revises: 0023
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('s3_objects') as batch:
        batch.add_column(sa.Column('tags_json', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('s3_objects') as batch:
        batch.drop_column('tags_json')
