"""Alembic environment: uses the engine handed over by rootplane.store.migrate."""

from alembic import context

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=config.attributes.get("metadata"), render_as_batch=True)
    context.run_migrations()
