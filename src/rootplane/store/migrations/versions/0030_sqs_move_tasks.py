"""SQS: per message, the queue it was dead-lettered from (sqs_messages.dead_letter_source_arn; None for messages
moved before).

Revision ID: 0030
Revises: 0029
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sqs_messages') as batch:
        batch.add_column(sa.Column('dead_letter_source_arn', sa.String(length=256), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sqs_messages') as batch:
        batch.drop_column('dead_letter_source_arn')
