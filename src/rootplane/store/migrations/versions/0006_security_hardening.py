"""Security hardening.

- IAM children reference their parent's unique id: access keys, login profiles and group memberships their user,
  memberships their group, policy versions their policy (finding 6: races between servers sharing a PostgreSQL
  database left keys of deleted users that then authenticated as the next user of that name). Orphans such races
  already left behind are removed first: they belong to no entity any API can reach.
- SNS subscriptions remember whether they were confirmed with AuthenticateOnUnsubscribe (finding 8).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# (child table, column, parent table, parent column)
_LINKS = (
    ("access_keys", "user_id", "iam_users", "user_id"),
    ("iam_login_profiles", "user_id", "iam_users", "user_id"),
    ("iam_group_members", "group_id", "iam_groups", "group_id"),
    ("iam_group_members", "user_id", "iam_users", "user_id"),
    ("iam_policy_versions", "policy_id", "iam_managed_policies", "policy_id"),
)


def _name(child: str, column: str, parent: str) -> str:
    return f"fk_{child}_{column}_{parent}"


def upgrade() -> None:
    with op.batch_alter_table("sns_subscriptions") as batch:
        batch.add_column(sa.Column("authenticate_on_unsubscribe", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    for child, column, parent, parent_column in _LINKS:
        op.execute(sa.text(
            f"DELETE FROM {child} WHERE {column} IS NOT NULL AND {column} NOT IN (SELECT {parent_column} FROM {parent})"))
    for child, column, parent, parent_column in _LINKS:
        with op.batch_alter_table(child) as batch:
            batch.create_foreign_key(op.f(_name(child, column, parent)), parent, [column], [parent_column])


def downgrade() -> None:
    for child, column, parent, _ in reversed(_LINKS):
        with op.batch_alter_table(child) as batch:
            batch.drop_constraint(op.f(_name(child, column, parent)), type_="foreignkey")
    with op.batch_alter_table("sns_subscriptions") as batch:
        batch.drop_column("authenticate_on_unsubscribe")
