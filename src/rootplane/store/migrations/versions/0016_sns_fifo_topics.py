"""SNS FIFO topics: a topic's last sequence number and its recent deduplication ids; S3 multipart objects' part
sizes and completed uploads' answers.

Revision ID: 0016
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

import rootplane.store.base

revision = "0016"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('s3_objects') as batch:
        batch.add_column(sa.Column('part_sizes', sa.Text(), nullable=True))
    with op.batch_alter_table('s3_uploads') as batch:
        batch.add_column(sa.Column('completed_json', sa.Text(), nullable=True))
    with op.batch_alter_table('sns_topics') as batch:
        batch.add_column(sa.Column('sequence', sa.BigInteger(), server_default='0', nullable=False))
    op.create_table(
        'sns_deduplication',
        sa.Column('topic_arn', sa.String(length=512), nullable=False),
        sa.Column('deduplication_id', sa.String(length=128), nullable=False),
        sa.Column('message_id', sa.String(length=64), nullable=False),
        sa.Column('sequence_number', sa.String(length=32), nullable=False),
        sa.Column('expires_at', rootplane.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('topic_arn', 'deduplication_id', name=op.f('pk_sns_deduplication')),
    )


def downgrade() -> None:
    op.drop_table('sns_deduplication')
    with op.batch_alter_table('sns_topics') as batch:
        batch.drop_column('sequence')
    with op.batch_alter_table('s3_objects') as batch:
        batch.drop_column('part_sizes')
    with op.batch_alter_table('s3_uploads') as batch:
        batch.drop_column('completed_json')
