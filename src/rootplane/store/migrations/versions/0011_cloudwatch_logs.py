"""CloudWatch Logs: log groups, streams, events and metric filters; a trail's CloudWatch Logs delivery settings and
status.

Revision ID: 0011
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

import rootplane.store.base

revision = "0011"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('logs_groups',
    sa.Column('arn', sa.String(length=600), nullable=False),
    sa.Column('account_id', sa.String(length=12), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=512), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('retention_days', sa.Integer(), nullable=True),
    sa.Column('kms_key_id', sa.String(length=256), nullable=True),
    sa.Column('log_group_class', sa.String(length=32), nullable=False),
    sa.Column('tags_json', sa.Text(), nullable=False),
    sa.Column('stored_bytes', sa.BigInteger(), nullable=False),
    sa.Column('deletion_protection', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('arn', name=op.f('pk_logs_groups')),
    sa.UniqueConstraint('account_id', 'region', 'name', name=op.f('uq_logs_groups_account_id_region_name'))
    )
    op.create_table('logs_metric_filters',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('group_arn', sa.String(length=600), nullable=False),
    sa.Column('name', sa.String(length=512), nullable=False),
    sa.Column('pattern', sa.Text(), nullable=False),
    sa.Column('transformations_json', sa.Text(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['group_arn'], ['logs_groups.arn'], name=op.f('fk_logs_metric_filters_group_arn_logs_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logs_metric_filters')),
    sa.UniqueConstraint('group_arn', 'name', name=op.f('uq_logs_metric_filters_group_arn_name'))
    )
    op.create_table('logs_streams',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('group_arn', sa.String(length=600), nullable=False),
    sa.Column('name', sa.String(length=512), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('first_event_at', sa.BigInteger(), nullable=True),
    sa.Column('last_event_at', sa.BigInteger(), nullable=True),
    sa.Column('last_ingestion_at', sa.BigInteger(), nullable=True),
    sa.Column('stored_bytes', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['group_arn'], ['logs_groups.arn'], name=op.f('fk_logs_streams_group_arn_logs_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logs_streams')),
    sa.UniqueConstraint('group_arn', 'name', name=op.f('uq_logs_streams_group_arn_name'))
    )
    op.create_table('logs_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('stream_id', sa.Integer(), nullable=False),
    sa.Column('group_arn', sa.String(length=600), nullable=False),
    sa.Column('timestamp', sa.BigInteger(), nullable=False),
    sa.Column('ingested_at', sa.BigInteger(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['group_arn'], ['logs_groups.arn'], name=op.f('fk_logs_events_group_arn_logs_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stream_id'], ['logs_streams.id'], name=op.f('fk_logs_events_stream_id_logs_streams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logs_events'))
    )
    with op.batch_alter_table('logs_events', schema=None) as batch_op:
        batch_op.create_index('ix_logs_events_group', ['group_arn', 'timestamp', 'id'], unique=False)
        batch_op.create_index('ix_logs_events_stream', ['stream_id', 'timestamp', 'id'], unique=False)
    with op.batch_alter_table('cloudtrail_trails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cloud_watch_logs_group_arn', sa.String(length=1024), nullable=True))
        batch_op.add_column(sa.Column('cloud_watch_logs_role_arn', sa.String(length=1024), nullable=True))
        batch_op.add_column(sa.Column('latest_cloud_watch_logs_delivery_time',
                                      rootplane.store.base.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('latest_cloud_watch_logs_delivery_error', sa.String(length=256), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cloudtrail_trails', schema=None) as batch_op:
        batch_op.drop_column('latest_cloud_watch_logs_delivery_error')
        batch_op.drop_column('latest_cloud_watch_logs_delivery_time')
        batch_op.drop_column('cloud_watch_logs_role_arn')
        batch_op.drop_column('cloud_watch_logs_group_arn')
    with op.batch_alter_table('logs_events', schema=None) as batch_op:
        batch_op.drop_index('ix_logs_events_stream')
        batch_op.drop_index('ix_logs_events_group')
    op.drop_table('logs_events')
    op.drop_table('logs_streams')
    op.drop_table('logs_metric_filters')
    op.drop_table('logs_groups')
