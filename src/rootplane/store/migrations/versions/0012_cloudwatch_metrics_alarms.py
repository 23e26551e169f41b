"""CloudWatch metrics, datapoints, metric alarms and alarm history.

Revision ID: 0012
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

import rootplane.store.base

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cloudwatch_alarm_history',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.String(length=12), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('alarm_name', sa.String(length=255), nullable=False),
    sa.Column('alarm_type', sa.String(length=32), nullable=False),
    sa.Column('timestamp', rootplane.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('item_type', sa.String(length=32), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cloudwatch_alarm_history'))
    )
    with op.batch_alter_table('cloudwatch_alarm_history', schema=None) as batch_op:
        batch_op.create_index('ix_cloudwatch_alarm_history_alarm', ['account_id', 'region', 'alarm_name', 'timestamp'], unique=False)

    op.create_table('cloudwatch_alarms',
    sa.Column('arn', sa.String(length=512), nullable=False),
    sa.Column('account_id', sa.String(length=12), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('namespace', sa.String(length=255), nullable=True),
    sa.Column('metric_name', sa.String(length=255), nullable=True),
    sa.Column('configuration', sa.Text(), nullable=False),
    sa.Column('configuration_updated', rootplane.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('actions_enabled', sa.Boolean(), nullable=False),
    sa.Column('state_value', sa.String(length=32), nullable=False),
    sa.Column('state_reason', sa.Text(), nullable=False),
    sa.Column('state_reason_data', sa.Text(), nullable=True),
    sa.Column('state_updated', rootplane.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('state_transitioned', rootplane.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('next_evaluation', rootplane.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('tags', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('arn', name=op.f('pk_cloudwatch_alarms')),
    sa.UniqueConstraint('account_id', 'region', 'name', name=op.f('uq_cloudwatch_alarms_account_id_region_name'))
    )
    with op.batch_alter_table('cloudwatch_alarms', schema=None) as batch_op:
        batch_op.create_index('ix_cloudwatch_alarms_due', ['next_evaluation'], unique=False)
        batch_op.create_index('ix_cloudwatch_alarms_metric', ['account_id', 'region', 'namespace', 'metric_name'], unique=False)

    op.create_table('cloudwatch_metrics',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.String(length=12), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('namespace', sa.String(length=255), nullable=False),
    sa.Column('metric_name', sa.String(length=255), nullable=False),
    sa.Column('dimensions', sa.Text(), nullable=False),
    sa.Column('dimensions_hash', sa.String(length=64), nullable=False),
    sa.Column('last_put', rootplane.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cloudwatch_metrics')),
    sa.UniqueConstraint('account_id', 'region', 'namespace', 'metric_name', 'dimensions_hash', name='uq_cloudwatch_metrics_identity')
    )
    with op.batch_alter_table('cloudwatch_metrics', schema=None) as batch_op:
        batch_op.create_index('ix_cloudwatch_metrics_name', ['account_id', 'region', 'metric_name', 'namespace'], unique=False)

    op.create_table('cloudwatch_datapoints',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('metric_id', sa.Integer(), nullable=False),
    sa.Column('timestamp', rootplane.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('sample_count', sa.Float(), nullable=False),
    sa.Column('total', sa.Float(), nullable=False),
    sa.Column('minimum', sa.Float(), nullable=False),
    sa.Column('maximum', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['metric_id'], ['cloudwatch_metrics.id'], name=op.f('fk_cloudwatch_datapoints_metric_id_cloudwatch_metrics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cloudwatch_datapoints'))
    )
    with op.batch_alter_table('cloudwatch_datapoints', schema=None) as batch_op:
        batch_op.create_index('ix_cloudwatch_datapoints_metric_time', ['metric_id', 'timestamp'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('cloudwatch_datapoints', schema=None) as batch_op:
        batch_op.drop_index('ix_cloudwatch_datapoints_metric_time')

    op.drop_table('cloudwatch_datapoints')
    with op.batch_alter_table('cloudwatch_metrics', schema=None) as batch_op:
        batch_op.drop_index('ix_cloudwatch_metrics_name')

    op.drop_table('cloudwatch_metrics')
    with op.batch_alter_table('cloudwatch_alarms', schema=None) as batch_op:
        batch_op.drop_index('ix_cloudwatch_alarms_metric')
        batch_op.drop_index('ix_cloudwatch_alarms_due')

    op.drop_table('cloudwatch_alarms')
    with op.batch_alter_table('cloudwatch_alarm_history', schema=None) as batch_op:
        batch_op.drop_index('ix_cloudwatch_alarm_history_alarm')

    op.drop_table('cloudwatch_alarm_history')
