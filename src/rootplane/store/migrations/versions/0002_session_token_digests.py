"""Temporary sessions keep a SHA-256 of their session token instead of the token.

Existing sessions are dropped: their tokens cannot be hashed back from nothing but are only temporary (at most
36 hours), so callers simply request new ones.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM temporary_sessions"))
    with op.batch_alter_table("temporary_sessions") as batch:
        batch.alter_column("session_token", new_column_name="session_token_sha256",
                           existing_type=sa.Text(), type_=sa.String(length=64), existing_nullable=False)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM temporary_sessions"))
    with op.batch_alter_table("temporary_sessions") as batch:
        batch.alter_column("session_token_sha256", new_column_name="session_token",
                           existing_type=sa.String(length=64), type_=sa.Text(), existing_nullable=False)
