"""CloudWatch Logs resource policies (PutResourcePolicy): account-level by name, or one per log group.

Revision ID: 0026
Revises: 0025
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('logs_resource_policies',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.String(length=12), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('resource_arn', sa.String(length=600), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.Column('revision_id', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logs_resource_policies')),
    sa.UniqueConstraint('account_id', 'region', 'resource_arn', 'name',
                        name=op.f('uq_logs_resource_policies_account_id_region_resource_arn_name'))
    )


def downgrade() -> None:
    op.drop_table('logs_resource_policies')
