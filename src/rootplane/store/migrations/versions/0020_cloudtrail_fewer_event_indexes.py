"""CloudTrail Event history: no index on the time alone. Each index cost the audit writer a b-tree insert per event
(with its pages in every commit); an unfiltered lookup now merges the newest page of each ReadOnly value from the
ReadOnly index, and the retention sweep deletes each (account, region, ReadOnly) range of that index.

Revision ID: 0020
Revises: 0019
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_cloudtrail_events_time', table_name='cloudtrail_events')
    op.drop_index(op.f('ix_cloudtrail_events_event_time'), table_name='cloudtrail_events')


def downgrade() -> None:
    op.create_index(op.f('ix_cloudtrail_events_event_time'), 'cloudtrail_events', ['event_time'], unique=False)
    op.create_index('ix_cloudtrail_events_time', 'cloudtrail_events', ['account_id', 'region', 'event_time', 'event_id'],
                    unique=False)
