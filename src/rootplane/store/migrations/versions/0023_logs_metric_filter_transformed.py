"""CloudWatch Logs metric filters keep PutMetricFilter's applyOnTransformedLogs (DescribeMetricFilters shows it).

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('logs_metric_filters') as batch:
        batch.add_column(sa.Column('apply_on_transformed_logs', sa.Boolean(), server_default=sa.false(),
                                   nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('logs_metric_filters') as batch:
        batch.drop_column('apply_on_transformed_logs')
