"""The ``rootplane`` command: serve, state export|import, coverage."""

from __future__ import annotations

import click

from rootplane import __version__
from rootplane.core.config import ServerConfig

__all__ = ["main"]


@click.group()
@click.version_option(__version__, prog_name="rootplane")
def main() -> None:
    """rootplane: a local AWS control plane for the account root user."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="ROOTPLANE_HOST")
@click.option("--port", default=4566, show_default=True, type=int, envvar="ROOTPLANE_PORT")
@click.option("--data-dir", default=".rootplane", show_default=True, envvar="ROOTPLANE_DATA_DIR",
              help="Where the embedded SQLite store lives.")
@click.option("--database-url", default=None, envvar="ROOTPLANE_DATABASE_URL",
              help="Use this database instead, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/rootplane")
@click.option("--bootstrap-account-id", default="000000000000", show_default=True, envvar="ROOTPLANE_BOOTSTRAP_ACCOUNT_ID")
@click.option("--root-email", default="root@example.com", show_default=True, envvar="ROOTPLANE_ROOT_EMAIL")
@click.option("--bootstrap-access-key", default="test", show_default=True, envvar="ROOTPLANE_BOOTSTRAP_ACCESS_KEY")
@click.option("--bootstrap-secret-key", default="test", show_default=True, envvar="ROOTPLANE_BOOTSTRAP_SECRET_KEY")
@click.option("--region", "default_region", default="us-east-1", show_default=True, envvar="ROOTPLANE_REGION")
@click.option("--smtp-url", default=None, envvar="ROOTPLANE_SMTP_URL", help="Relay sent mail, e.g. smtp://127.0.0.1:1025")
@click.option("--max-accounts-per-organization", default=10, show_default=True, type=click.IntRange(min=1),
              envvar="ROOTPLANE_MAX_ACCOUNTS_PER_ORGANIZATION",
              help="Organizations account quota (AWS's default for a new organization is 10).")
@click.option("--time-travel", is_flag=True, default=False, envvar="ROOTPLANE_TIME_TRAVEL",
              help="Tests only: allow POST /_rootplane/clock to move the server's clock forward.")
@click.option("--init", "init_dir", default=None, envvar="ROOTPLANE_INIT",
              type=click.Path(exists=True, file_okay=False),
              help="Run the *.sh and *.py files of this directory in name order once the server is ready.")
@click.option("--init-strict", is_flag=True, default=False, envvar="ROOTPLANE_INIT_STRICT",
              help="Stop the server (exit status 1) when an init script fails.")
def serve(**options) -> None:
    """Run the server."""
    from rootplane.server import run

    run(ServerConfig(**options))


def _store_options(command):
    command = click.option("--data-dir", default=".rootplane", show_default=True, envvar="ROOTPLANE_DATA_DIR")(command)
    return click.option("--database-url", default=None, envvar="ROOTPLANE_DATABASE_URL")(command)


@main.group()
def state() -> None:
    """Save or restore the whole state of a store (snapshot files)."""


@state.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@_store_options
def state_export(file: str, data_dir: str, database_url: str | None) -> None:
    """Write a snapshot of the store to FILE (safe while a server uses the store)."""
    from rootplane.store.snapshot import save_snapshot

    with _opened_store(data_dir, database_url) as store:
        save_snapshot(store, file)
    click.echo(f"saved {file}")


@state.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_store_options
def state_import(file: str, data_dir: str, database_url: str | None) -> None:
    """Replace the store's state by the snapshot FILE (a running server: use POST /_rootplane/restore)."""
    from rootplane.store.snapshot import SnapshotError, restore_snapshot

    with _opened_store(data_dir, database_url) as store:
        try:
            revision = restore_snapshot(store, file)
        except SnapshotError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"restored {file} (schema revision {revision})")


def _opened_store(data_dir: str, database_url: str | None):
    import contextlib

    from rootplane.store.engine import Store, sqlite_url

    @contextlib.contextmanager
    def opened():
        store = Store(database_url or sqlite_url(data_dir))
        try:
            store.migrate()
            yield store
        finally:
            store.dispose()

    return opened()


@main.command()
def coverage() -> None:
    """Print docs/coverage.md: every operation of every served service, implemented or not."""
    from rootplane.coverage import render

    click.echo(render(), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
