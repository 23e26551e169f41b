"""KMS automatic key rotation's schedule: the rotation period and the date it counts from (GetKeyRotationStatus's
RotationPeriodInDays and NextRotationDate).

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

import rootplane.store.base

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kms_keys') as batch:
        batch.add_column(sa.Column('rotation_period_days', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('rotation_started_at', rootplane.store.base.UtcDateTime(timezone=True),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('kms_keys') as batch:
        batch.drop_column('rotation_started_at')
        batch.drop_column('rotation_period_days')
