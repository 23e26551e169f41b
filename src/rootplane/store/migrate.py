"""Alembic, driven programmatically: the migration scripts live in ``rootplane/store/migrations``.

Starting must be fast, so ``upgrade`` imports Alembic only when an existing store has revisions to apply:
- a store at head (compared with the head revision read from the scripts, a cheap text scan) needs nothing;
- an empty store is built from the mapped model in one transaction and stamped at head, as Alembic's cookbook
  recommends for new databases ("Building an Up to Date Database from Scratch"); tests/unit/test_migrations.py
  proves the result is the schema the migration scripts build.
"""

from __future__ import annotations

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, inspect, text
from sqlalchemy.engine import Engine

from rootplane.store.create import Schema, copy_kept_store, create_tables, keep_store, loaded
from rootplane.store.revisions import MIGRATIONS, head_revision, known_revisions

__all__ = ["MIGRATIONS", "alembic_config", "upgrade", "head_revision", "known_revisions", "current_revision",
           "create_at_head"]


def current_revision(engine: Engine) -> str | None:
    """The revision recorded in the store, or None for an empty store."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _version_table() -> Table:
    """Alembic's own version table, declared as Alembic declares it."""
    return Table("alembic_version", MetaData(), Column("version_num", String(32), nullable=False),
                 PrimaryKeyConstraint("version_num", name="alembic_version_pkc"))


def create_at_head(engine: Engine, schema: Schema) -> bool:
    """Build an empty store's schema from the mapped model (``schema``; its DDL replayed from the cache when it is a
    ``LazySchema``, store/create.py) and record the head revision, in one transaction.

    An empty SQLite file store is a copy of the one kept when the first was built (store/create.py).

    Returns False (and changes nothing) when the store is not empty: it then needs Alembic's migrations.
    """
    revision = head_revision()
    if copy_kept_store(engine, schema, revision):
        return True
    with engine.begin() as connection:
        if inspect(connection).get_table_names():
            return False
        create_tables(connection, schema, revision)
        version = _version_table()
        version.create(connection)
        connection.execute(version.insert().values(version_num=revision))
    keep_store(engine, schema, revision)
    return True


def alembic_config(engine: Engine, metadata: MetaData | None = None):
    """Alembic's configuration over ``engine``; ``metadata`` (the mapped model) only matters to autogenerate."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    config.attributes["metadata"] = metadata
    return config


def upgrade(engine: Engine, schema: Schema, revision: str = "head") -> None:
    """Bring the store to ``revision``: nothing to do at head (a ``LazySchema`` is not even loaded), one transaction
    for an empty store, else Alembic."""
    if revision == "head":
        current = current_revision(engine)
        if current == head_revision() or (current is None and create_at_head(engine, schema)):
            return
    from alembic import command

    command.upgrade(alembic_config(engine, loaded(schema)), revision)
