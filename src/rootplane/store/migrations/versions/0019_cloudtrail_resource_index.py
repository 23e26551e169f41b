"""CloudTrail Event history: no index on cloudtrail_event_resources.event_id. Resource lookups find their page's
(time, event id) keys in the resource lookup indexes and join the events by their primary key; nothing reads resource
rows by event id, and the audit writer paid one more index insert per resource for it.

Revision ID: 0019
Revises: 0018
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index(op.f('ix_cloudtrail_event_resources_event_id'), table_name='cloudtrail_event_resources')


def downgrade() -> None:
    op.create_index(op.f('ix_cloudtrail_event_resources_event_id'), 'cloudtrail_event_resources', ['event_id'],
                    unique=False)
