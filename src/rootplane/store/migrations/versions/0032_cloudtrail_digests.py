"""CloudTrail log file integrity validation: each Region's digest signing key (cloudtrail_digest_keys) and where
each trail's chain of digest files stands (cloudtrail_digest_chains), a trail's latest digest delivery.

Revision ID: 0032
Revises: 0031
"""

import sqlalchemy as sa
from alembic import op

import rootplane.store.base

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cloudtrail_digest_keys',
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('fingerprint', sa.String(length=32), nullable=False),
    sa.Column('private_key_pem', sa.Text(), nullable=False),
    sa.Column('valid_from', rootplane.store.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('region', 'fingerprint', name=op.f('pk_cloudtrail_digest_keys'))
    )
    with op.batch_alter_table('cloudtrail_trails') as batch:
        batch.add_column(sa.Column('latest_digest_delivery_time', rootplane.store.base.UtcDateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column('latest_digest_delivery_error', sa.String(length=64), nullable=True))
    op.create_table('cloudtrail_digest_chains',
    sa.Column('trail_arn', sa.String(length=512), nullable=False),
    sa.Column('account_id', sa.String(length=12), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('last_digest', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('trail_arn', 'account_id', 'region', name=op.f('pk_cloudtrail_digest_chains'))
    )


def downgrade() -> None:
    op.drop_table('cloudtrail_digest_chains')
    op.drop_table('cloudtrail_digest_keys')
    with op.batch_alter_table('cloudtrail_trails') as batch:
        batch.drop_column('latest_digest_delivery_error')
        batch.drop_column('latest_digest_delivery_time')
