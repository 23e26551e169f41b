"""SQS dead-letter queue redrive: message move tasks (sqs_move_tasks) and, per message, the queue it was
dead-lettered from (sqs_messages.dead_letter_source_arn; None for messages sent before).

Revision ID: 0030
Revises: 0029
"""

import sqlalchemy as sa
from alembic import op

import rootplane.store.base

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sqs_move_tasks',
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('source_arn', sa.String(length=256), nullable=False),
    sa.Column('destination_arn', sa.String(length=256), nullable=True),
    sa.Column('rate', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('moved', sa.Integer(), nullable=False),
    sa.Column('to_move', sa.Integer(), nullable=False),
    sa.Column('failure_reason', sa.String(length=256), nullable=True),
    sa.Column('started_at', rootplane.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('task_id', name=op.f('pk_sqs_move_tasks'))
    )
    op.create_index('ix_sqs_move_tasks_source', 'sqs_move_tasks', ['source_arn', 'started_at'], unique=False)
    op.create_index(op.f('ix_sqs_move_tasks_status'), 'sqs_move_tasks', ['status'], unique=False)
    with op.batch_alter_table('sqs_messages') as batch:
        batch.add_column(sa.Column('dead_letter_source_arn', sa.String(length=256), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sqs_messages') as batch:
        batch.drop_column('dead_letter_source_arn')
    op.drop_index(op.f('ix_sqs_move_tasks_status'), table_name='sqs_move_tasks')
    op.drop_index('ix_sqs_move_tasks_source', table_name='sqs_move_tasks')
    op.drop_table('sqs_move_tasks')
