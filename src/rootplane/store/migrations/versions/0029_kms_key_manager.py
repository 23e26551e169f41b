"""KMS AWS managed keys: who manages a key (kms_keys.key_manager: CUSTOMER, or AWS for the keys of alias/aws/*).
Existing keys are customer managed.

Revision ID: 0029
Revises: 0028
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kms_keys') as batch:
        batch.add_column(sa.Column('key_manager', sa.String(length=16), server_default='CUSTOMER', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('kms_keys') as batch:
        batch.drop_column('key_manager')
