"""KMS grants belong to one Region's key (each Region's key of a multi-Region key has its own grants).

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kms_grants') as batch:
        batch.add_column(sa.Column('region', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('kms_grants') as batch:
        batch.drop_column('region')
