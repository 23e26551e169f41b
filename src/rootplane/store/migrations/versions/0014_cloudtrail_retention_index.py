"""CloudTrail Event history: indexes on event time alone, so the retention sweep is a range delete, not a scan.

Revision ID: 0014
Revises: 0010
"""

from alembic import op

revision = "0014"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f('ix_cloudtrail_events_event_time'), 'cloudtrail_events', ['event_time'], unique=False)
    op.create_index(op.f('ix_cloudtrail_event_resources_event_time'), 'cloudtrail_event_resources', ['event_time'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_cloudtrail_event_resources_event_time'), table_name='cloudtrail_event_resources')
    op.drop_index(op.f('ix_cloudtrail_events_event_time'), table_name='cloudtrail_events')
