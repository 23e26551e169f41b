"""The fast head check agrees with Alembic; the migration scripts build exactly the mapped model (SQLite and
PostgreSQL), so a schema change without its revision fails here; an empty store built at head equals that schema."""


import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from harness import drop_postgres_database, required_postgres_database
from sqlalchemy import inspect

from rootplane.store.create import LazySchema
from rootplane.store.engine import Store
from rootplane.store.migrate import MIGRATIONS, alembic_config, create_at_head, current_revision, head_revision
from rootplane.schema import fingerprint, metadata


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A URL factory for fresh, empty stores of one kind (each call: a new database)."""
    created: list[str] = []

    def fresh(name: str) -> str:
        if request.param == "sqlite":
            return f"sqlite:///{tmp_path / name}"
        url = required_postgres_database()
        created.append(url)
        return url

    stores: list[Store] = []
    yield lambda name: stores.append(Store(fresh(name), metadata())) or stores[-1]
    for store in stores:
        store.dispose()
    for url in created:
        drop_postgres_database(url)


def _store(tmp_path, name: str = "db.sqlite") -> Store:
    return Store(f"sqlite:///{tmp_path / name}", metadata())


def _schema(store: Store) -> dict:
    """Every table with its columns (name, type, nullability), primary key, indexes and foreign keys."""
    inspector = inspect(store.engine)
    schema = {}
    for table in sorted(inspector.get_table_names()):
        schema[table] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                              for i in inspector.get_indexes(table)),
            "foreign_keys": sorted((tuple(f["constrained_columns"]), f["referred_table"])
                                   for f in inspector.get_foreign_keys(table)),
        }
    return schema


def test_head_revision_matches_alembic(tmp_path):
    store = _store(tmp_path)
    script = ScriptDirectory.from_config(alembic_config(store.engine))
    assert script.get_current_head() == head_revision()
    assert (MIGRATIONS / "env.py").exists()


def test_migrate_creates_schema_and_records_head(tmp_path):
    store = _store(tmp_path)
    assert current_revision(store.engine) is None
    store.migrate()
    assert current_revision(store.engine) == head_revision()
    assert "iam_users" in inspect(store.engine).get_table_names()
    store.migrate()  # idempotent and cheap
    assert current_revision(store.engine) == head_revision()


def test_the_migration_scripts_build_the_mapped_model(store_url):
    """Alembic's autogenerate finds nothing to add: every model change came with its revision."""
    migrated = store_url("migrated.sqlite")
    command.upgrade(alembic_config(migrated.engine), "head")
    with migrated.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata())
    assert differences == []


def test_empty_store_built_at_head_equals_the_migrated_schema(store_url):
    built = store_url("built.sqlite")
    assert create_at_head(built.engine, metadata()) is True
    migrated = store_url("migrated.sqlite")
    command.upgrade(alembic_config(migrated.engine), "head")
    assert current_revision(built.engine) == current_revision(migrated.engine) == head_revision()
    assert _schema(built) == _schema(migrated)


def _forget_kept_stores(cache) -> None:
    """Remove the empty SQLite stores the cache keeps (store/create.py), so that the next one is built."""
    for kept in (cache / "schema-db").glob("*.json"):
        kept.unlink()


def _objects(store: Store) -> list:
    """Every table, index and trigger of a SQLite store, as SQLite keeps their definitions."""
    with store.engine.connect() as connection:
        return connection.exec_driver_sql("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").all()


def test_an_empty_store_built_from_the_cached_ddl_equals_the_migrated_schema(store_url, tmp_path, monkeypatch):
    """A ``LazySchema`` records create_all's DDL on the first empty store and replays it on the next ones, without
    loading the model (issue #19); a damaged cache file is derived again."""
    monkeypatch.setenv("ROOTPLANE_CACHE_DIR", str(tmp_path / "cache"))
    loads: list[int] = []
    schema = LazySchema(load=lambda: loads.append(1) or metadata(), fingerprint=fingerprint)
    recorded = store_url("recorded.sqlite")
    assert create_at_head(recorded.engine, schema) is True and loads == [1]
    _forget_kept_stores(tmp_path / "cache")  # SQLite would copy the store kept instead of replaying the DDL
    replayed = store_url("replayed.sqlite")
    assert create_at_head(replayed.engine, schema) is True and loads == [1]  # from the cache: the model not loaded
    migrated = store_url("migrated.sqlite")
    command.upgrade(alembic_config(migrated.engine), "head")
    assert current_revision(replayed.engine) == head_revision()
    assert _schema(recorded) == _schema(replayed) == _schema(migrated)
    [cached] = (tmp_path / "cache" / "schema-ddl").glob("*.json")
    cached.write_bytes(cached.read_bytes().replace(b"CREATE TABLE", b"CREATE TABLE IF NOT EXISTS", 1))
    _forget_kept_stores(tmp_path / "cache")
    repaired = store_url("repaired.sqlite")
    assert create_at_head(repaired.engine, schema) is True and loads == [1, 1]
    assert _schema(repaired) == _schema(migrated)


def test_an_empty_sqlite_store_is_a_copy_of_the_first_one_built(tmp_path, monkeypatch):
    """The first empty SQLite store built at a version is kept; the next ones are copies of it (SQLite's backup),
    neither loading the model nor replaying DDL (issue #19: a fresh store's first answer), in WAL mode and usable."""
    monkeypatch.setenv("ROOTPLANE_CACHE_DIR", str(tmp_path / "cache"))
    loads: list[int] = []
    schema = LazySchema(load=lambda: loads.append(1) or metadata(), fingerprint=fingerprint)
    built = Store(f"sqlite:///{tmp_path / 'built.sqlite'}", schema)
    built.migrate()
    assert loads == [1] and len(list((tmp_path / "cache" / "schema-db").glob("*.json"))) == 1
    for ddl in (tmp_path / "cache" / "schema-ddl").glob("*.json"):
        ddl.unlink()  # a copy needs no DDL: building again would load the model
    copied = Store(f"sqlite:///{tmp_path / 'copied.sqlite'}", schema)
    copied.migrate()
    assert loads == [1]
    assert copied._engine is None  # copied on the store's own driver connection: no SQLAlchemy engine made
    assert current_revision(copied.engine) == head_revision()
    assert _objects(copied) == _objects(built)
    with copied.engine.begin() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        connection.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES ('written')")
    with copied.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    restarted = Store(f"sqlite:///{tmp_path / 'copied.sqlite'}", schema)
    restarted.migrate()  # at head: nothing more to do, found so on the driver alone
    assert restarted._engine is None
    restarted.dispose()
    built.dispose()
    copied.dispose()


def test_a_damaged_or_unusable_kept_store_is_not_copied(tmp_path, monkeypatch):
    """A kept copy that fails its digest is built again; one that is sound but not a database is skipped (the store
    is built as before); a store that is not empty is never overwritten by a copy."""
    monkeypatch.setenv("ROOTPLANE_CACHE_DIR", str(tmp_path / "cache"))
    schema = LazySchema(load=metadata, fingerprint=fingerprint)
    first = Store(f"sqlite:///{tmp_path / 'first.sqlite'}", schema)
    first.migrate()
    [kept] = (tmp_path / "cache" / "schema-db").glob("*.json")
    kept.write_bytes(kept.read_bytes()[:-10] + b"0123456789")  # fails its digest
    damaged = Store(f"sqlite:///{tmp_path / 'damaged.sqlite'}", schema)
    damaged.migrate()
    assert _objects(damaged) == _objects(first)
    from rootplane.core.file_cache import JsonFileCache
    JsonFileCache(tmp_path / "cache" / "schema-db").write(kept.name[:-len(".json")], "bm90IGEgZGF0YWJhc2U=")
    odd = Store(f"sqlite:///{tmp_path / 'odd.sqlite'}", schema)
    odd.migrate()
    assert _objects(odd) == _objects(first)
    with first.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM alembic_version")
    assert create_at_head(first.engine, schema) is False  # tables exist: Alembic's business, not a copy's
    for store in (first, damaged, odd):
        store.dispose()


def test_another_schema_source_gets_its_own_cached_ddl(tmp_path, monkeypatch):
    monkeypatch.setenv("ROOTPLANE_CACHE_DIR", str(tmp_path / "cache"))
    for number, key in enumerate(("one", "two", "one")):
        assert create_at_head(_store(tmp_path, f"{number}.sqlite").engine, LazySchema(metadata, lambda key=key: key)) is True
    assert len(list((tmp_path / "cache" / "schema-ddl").glob("*.json"))) == 2


def test_downgrade_removes_every_table(tmp_path):
    store = _store(tmp_path)
    command.upgrade(alembic_config(store.engine), "head")
    command.downgrade(alembic_config(store.engine), "base")
    assert inspect(store.engine).get_table_names() == ["alembic_version"]


def test_a_store_that_is_not_empty_is_left_to_alembic(tmp_path):
    store = _store(tmp_path)
    with store.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE left_over (id INTEGER PRIMARY KEY)")
    assert create_at_head(store.engine, metadata()) is False
    assert inspect(store.engine).get_table_names() == ["left_over"]
    store.migrate()  # Alembic's baseline runs and stamps head
    assert current_revision(store.engine) == head_revision()
