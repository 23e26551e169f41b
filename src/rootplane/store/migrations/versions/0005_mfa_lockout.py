"""MFA devices: the TOTP steps they accepted (single use) instead of the highest one, and the lockout of wrong
session codes (consecutive failures and the end of the lock).

Revision ID: 0005
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

import rootplane.store.base

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None

_devices = sa.table("iam_mfa_devices", sa.column("serial_number", sa.String), sa.column("last_counter", sa.Integer),
                    sa.column("used_steps", sa.JSON))


def upgrade() -> None:
    with op.batch_alter_table("iam_mfa_devices") as batch:
        batch.add_column(sa.Column("used_steps", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("locked_until", rootplane.store.base.UtcDateTime(timezone=True), nullable=True))
    connection = op.get_bind()
    spent = connection.execute(sa.select(_devices.c.serial_number, _devices.c.last_counter)
                               .where(_devices.c.last_counter > 0)).all()
    for serial_number, last_counter in spent:
        connection.execute(_devices.update().where(_devices.c.serial_number == serial_number)
                           .values(used_steps=[last_counter]))
    with op.batch_alter_table("iam_mfa_devices") as batch:
        batch.drop_column("last_counter")


def downgrade() -> None:
    with op.batch_alter_table("iam_mfa_devices") as batch:
        batch.add_column(sa.Column("last_counter", sa.Integer(), nullable=False, server_default="0"))
    connection = op.get_bind()
    for serial_number, used_steps in connection.execute(sa.select(_devices.c.serial_number, _devices.c.used_steps)).all():
        if used_steps:
            connection.execute(_devices.update().where(_devices.c.serial_number == serial_number)
                               .values(last_counter=max(used_steps)))
    with op.batch_alter_table("iam_mfa_devices") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_attempts")
        batch.drop_column("used_steps")
