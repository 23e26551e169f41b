"""Organizations keeps its resource-based delegation policy (PutResourcePolicy): one per organization.

Revision ID: 0027
Revises: 0026
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'org_resource_policies',
        sa.Column('org_id', sa.String(length=40), nullable=False),
        sa.Column('id', sa.String(length=131), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('org_id', name=op.f('pk_org_resource_policies')),
        sa.UniqueConstraint('id', name=op.f('uq_org_resource_policies_id')),
    )


def downgrade() -> None:
    op.drop_table('org_resource_policies')
