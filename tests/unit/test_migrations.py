"""The fast head check agrees with Alembic, and a migrated store is at head."""

from alembic.script import ScriptDirectory

from rootplane.store.engine import Store
from rootplane.store.migrate import MIGRATIONS, alembic_config, current_revision, head_revision


def test_head_revision_matches_alembic(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    script = ScriptDirectory.from_config(alembic_config(store.engine))
    assert script.get_current_head() == head_revision()
    assert (MIGRATIONS / "env.py").exists()


def test_migrate_creates_schema_and_records_head(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert current_revision(store.engine) is None
    store.migrate()
    assert current_revision(store.engine) == head_revision()
    store.migrate()  # idempotent and cheap
    assert current_revision(store.engine) == head_revision()
