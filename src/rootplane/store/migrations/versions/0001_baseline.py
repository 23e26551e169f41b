"""Baseline schema.

Before the first release the baseline is the mapped model itself: it creates every table that the
services declare (``rootplane.services.*.tables``), and is a no-op for tables that already exist.
From the first release on, every schema change gets its own revision after this one.

Revision ID: 0001
Revises:
"""

from alembic import op

from rootplane.store.schema import metadata

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    metadata().create_all(bind=op.get_bind(), checkfirst=True)


def downgrade() -> None:
    metadata().drop_all(bind=op.get_bind())
