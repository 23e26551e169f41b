"""The permissions-boundary index of IAM users and roles covers only the entities that have a boundary (migration
0021): a CreateUser without one writes no page of it, and the boundary lookups still find every bounded entity."""

from __future__ import annotations

from rootplane.core.config import ServerConfig
from rootplane.server import build_app
from rootplane.services.iam import repo
from rootplane.testing import signed_query

_BOUNDARY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def test_only_entities_with_a_boundary_are_in_the_index_and_boundary_lookups_find_them(tmp_path):
    app = build_app(ServerConfig(data_dir=str(tmp_path)))
    gateway = app.gateway
    try:
        for body in ("Action=CreateUser&UserName=plain", "Action=CreateUser&UserName=bounded"
                     f"&PermissionsBoundary={_BOUNDARY}"):
            assert gateway.handle(signed_query("iam", f"{body}&Version=2010-05-08")).status == 200
        with gateway.store.transaction(write=False) as session:
            connection = session.connection()
            for table in ("iam_users", "iam_roles"):
                definition = connection.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE name = ?", (f"ix_{table}_boundary_arn",)).scalar()
                assert definition.endswith("WHERE boundary_arn IS NOT NULL"), definition
            indexed = connection.exec_driver_sql(
                "SELECT count(*) FROM iam_users INDEXED BY ix_iam_users_boundary_arn WHERE boundary_arn IS NOT NULL")
            assert indexed.scalar() == 1  # of two users

            account = "000000000000"
            found = repo.list_boundary_entities(session, account, _BOUNDARY, None, None, None, 10)
            assert [row.user_name for row in found] == ["bounded"]
            assert repo.boundary_counts(session, account, [_BOUNDARY]) == {_BOUNDARY: 1}
    finally:
        app.recorder.close()
        gateway.store.dispose()


def test_the_whole_model_loads_no_postgresql_dialect():
    """A dialect-specific index argument (``postgresql_where``) loads that dialect with the tables: 19 modules and
    2 MiB of RSS in a server on SQLite after a ListUsers load (bench/run.py --parts scale)."""
    import subprocess
    import sys

    loaded = subprocess.run([sys.executable, "-c", "import sys; from rootplane.schema import metadata; metadata(); "
                             "print('sqlalchemy.dialects.postgresql' in sys.modules)"],
                            capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "False"
