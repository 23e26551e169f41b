"""Account preferences set by the console: IAM access to Billing, Support plan.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_preferences",
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("iam_billing_access", sa.Boolean(), nullable=False),
        sa.Column("support_plan", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("account_id"),
    )


def downgrade() -> None:
    op.drop_table("account_preferences")
