"""The console's sign-in state in the store: sessions and visitors, throttle counters, console secrets, passkeys.

Revision ID: 0015
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from rootplane.store.base import UtcDateTime

revision = "0015"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signin_console_states",
        sa.Column("id_sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_sha256"),
    )
    op.create_index("ix_signin_console_states_expires_at", "signin_console_states", ["expires_at"])
    op.create_table(
        "signin_throttle",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_failure", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_signin_throttle_last_failure", "signin_throttle", ["last_failure"])
    op.create_table(
        "signin_secrets",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "signin_passkeys",
        sa.Column("credential_id", sa.String(length=1400), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("serial_number", sa.String(length=256), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.account_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("credential_id"),
        sa.UniqueConstraint("serial_number", name=op.f("uq_signin_passkeys_serial_number")),
    )
    op.create_index("ix_signin_passkeys_account_id", "signin_passkeys", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_signin_passkeys_account_id", table_name="signin_passkeys")
    op.drop_table("signin_passkeys")
    op.drop_table("signin_secrets")
    op.drop_index("ix_signin_throttle_last_failure", table_name="signin_throttle")
    op.drop_table("signin_throttle")
    op.drop_index("ix_signin_console_states_expires_at", table_name="signin_console_states")
    op.drop_table("signin_console_states")
