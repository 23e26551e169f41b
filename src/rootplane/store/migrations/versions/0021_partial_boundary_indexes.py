"""IAM users and roles on SQLite: the permissions-boundary index covers only the entities that have a boundary. Most
have none, and each CreateUser or CreateRole wrote a page of that index for its NULL (a quarter of its commit's WAL
frames). Every lookup by boundary compares boundary_arn with a value, which implies it is not null: the partial index
can answer all of them. On PostgreSQL the index is rebuilt whole, as it was (services/iam/tables.py says why).

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_HAVE_ONE = "boundary_arn IS NOT NULL"


def upgrade() -> None:
    op.drop_index('ix_iam_users_boundary_arn', table_name='iam_users')
    op.create_index('ix_iam_users_boundary_arn', 'iam_users', ['boundary_arn'], unique=False,
                    sqlite_where=sa.text(_HAVE_ONE))
    op.drop_index('ix_iam_roles_boundary_arn', table_name='iam_roles')
    op.create_index('ix_iam_roles_boundary_arn', 'iam_roles', ['boundary_arn'], unique=False,
                    sqlite_where=sa.text(_HAVE_ONE))


def downgrade() -> None:
    op.drop_index('ix_iam_roles_boundary_arn', table_name='iam_roles')
    op.create_index('ix_iam_roles_boundary_arn', 'iam_roles', ['boundary_arn'], unique=False)
    op.drop_index('ix_iam_users_boundary_arn', table_name='iam_users')
    op.create_index('ix_iam_users_boundary_arn', 'iam_users', ['boundary_arn'], unique=False)
