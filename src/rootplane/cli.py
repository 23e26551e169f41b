"""The ``rootplane`` command: serve, cert, state export|import, coverage, and the operator tools of
:mod:`rootplane.tools.commands`."""

from __future__ import annotations

import base64
import binascii

import click

from rootplane import __version__
from rootplane.core.config import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, ServerConfig, trusted_proxy_network

__all__ = ["main"]


def _master_key(_context: click.Context, _parameter: click.Parameter, value: str | None) -> str | None:
    """--master-key must be 32 bytes in base64 (refused at start, not at the first KMS request)."""
    if value is None:
        return None
    try:
        if len(base64.b64decode(value.strip(), validate=True)) == 32:
            return value.strip()
    except (binascii.Error, ValueError):
        pass
    raise click.BadParameter("must be 32 bytes in base64 (e.g. the output of: openssl rand -base64 32)")


class _Group(click.Group):
    """The ``rootplane`` group, whose operator commands (rootplane.tools.commands) are loaded only when one is named or
    the commands are listed: ``rootplane serve`` does not build them (issue #19: 0.35% of its start-up)."""

    @staticmethod
    def _operator_commands() -> dict[str, click.Command]:
        from rootplane.tools.commands import COMMANDS

        return {command.name: command for command in COMMANDS if command.name}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._operator_commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or self._operator_commands().get(cmd_name)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="rootplane")
def main() -> None:
    """rootplane: a local AWS control plane for the account root user."""


def _trusted_proxies(_ctx, _param, values: tuple[str, ...]) -> tuple[str, ...]:
    try:
        return tuple(trusted_proxy_network(value) for value in values)
    except ValueError as exc:
        raise click.BadParameter(f"not an IP address or CIDR block: {exc}") from exc


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="ROOTPLANE_HOST")
@click.option("--port", default=4566, show_default=True, type=int, envvar="ROOTPLANE_PORT")
@click.option("--data-dir", default=".rootplane", show_default=True, envvar="ROOTPLANE_DATA_DIR",
              help="Where the embedded SQLite store lives.")
@click.option("--database-url", default=None, envvar="ROOTPLANE_DATABASE_URL",
              help="Use this database instead, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/rootplane")
@click.option("--bootstrap-account-id", default="000000000000", show_default=True, envvar="ROOTPLANE_BOOTSTRAP_ACCOUNT_ID")
@click.option("--root-email", default="root@example.com", show_default=True, envvar="ROOTPLANE_ROOT_EMAIL")
@click.option("--root-password", default=None, envvar="ROOTPLANE_ROOT_PASSWORD",
              help="The bootstrap root user's console password (set when the root user has none).")
@click.option("--bootstrap-access-key", default=DEFAULT_ACCESS_KEY, show_default=True,
              envvar="ROOTPLANE_BOOTSTRAP_ACCESS_KEY")
@click.option("--bootstrap-secret-key", default=DEFAULT_SECRET_KEY, show_default=True,
              envvar="ROOTPLANE_BOOTSTRAP_SECRET_KEY")
@click.option("--region", "default_region", default="us-east-1", show_default=True, envvar="ROOTPLANE_REGION")
@click.option("--smtp-url", default=None, envvar="ROOTPLANE_SMTP_URL", help="Relay sent mail, e.g. smtp://127.0.0.1:1025")
@click.option("--max-accounts-per-organization", default=10, show_default=True, type=click.IntRange(min=1),
              envvar="ROOTPLANE_MAX_ACCOUNTS_PER_ORGANIZATION",
              help="Organizations account quota (AWS's default for a new organization is 10).")
@click.option("--trail-retention-days", default=90, show_default=True, type=click.IntRange(min=1),
              envvar="ROOTPLANE_TRAIL_RETENTION_DAYS",
              help="Days of CloudTrail Event history kept (AWS keeps 90); older records are deleted.")
@click.option("--sns-http-allow", multiple=True, envvar="ROOTPLANE_SNS_HTTP_ALLOW", metavar="CIDR|HOST:PORT",
              help="Only these SNS HTTP(S) destinations (repeatable); default: any but the server itself.")
@click.option("--master-key", default=None, envvar="ROOTPLANE_MASTER_KEY", callback=_master_key,
              help="KMS master key (32 bytes, base64); default: <data-dir>/kms-master.key, created with mode 0600")
@click.option("--time-travel", is_flag=True, default=False, envvar="ROOTPLANE_TIME_TRAVEL",
              help="Tests only: allow POST /_rootplane/clock to move the server's clock forward.")
@click.option("--trusted-proxy", "trusted_proxies", multiple=True, callback=_trusted_proxies,
              envvar="ROOTPLANE_TRUSTED_PROXY",
              help="Believe X-Forwarded-For/-Proto only from this proxy (address or CIDR; repeatable; "
                   "the variable takes several separated by spaces). Default: none, the peer address counts.")
@click.option("--allow-public-default-key", is_flag=True, default=False, envvar="ROOTPLANE_ALLOW_PUBLIC_DEFAULT_KEY",
              help="Allow listening beyond loopback while the root key's secret is the public default.")
@click.option("--internal-token", default=None, envvar="ROOTPLANE_INTERNAL_TOKEN",
              help="Require 'Authorization: Bearer <token>' on /_rootplane/* "
                   "(except health and the SNS certificate).")
@click.option("--tls-cert", default=None, envvar="ROOTPLANE_TLS_CERT", type=click.Path(exists=True, dir_okay=False),
              help="Serve HTTPS with this PEM certificate (see `rootplane cert`); needs --tls-key.")
@click.option("--tls-key", default=None, envvar="ROOTPLANE_TLS_KEY", type=click.Path(exists=True, dir_okay=False),
              help="The PEM private key of --tls-cert.")
@click.option("--init", "init_dir", default=None, envvar="ROOTPLANE_INIT",
              type=click.Path(exists=True, file_okay=False),
              help="Run the *.sh and *.py files of this directory in name order once the server is ready.")
@click.option("--init-strict", is_flag=True, default=False, envvar="ROOTPLANE_INIT_STRICT",
              help="Stop the server (exit status 1) when an init script fails.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1), envvar="ROOTPLANE_WORKERS",
              help="Processes serving the port (more than 1 needs PostgreSQL: --database-url).")
@click.option("--credential-cache-seconds", default=2.0, show_default=True, type=click.FloatRange(min=0),
              envvar="ROOTPLANE_CREDENTIAL_CACHE_SECONDS",
              help="How long a resolved access key is trusted without asking the store (other processes' revocations "
                   "arrive at once over PostgreSQL notifications; this bounds a lost one).")
@click.option("--keep-alive-seconds", default=75.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              envvar="ROOTPLANE_KEEP_ALIVE_SECONDS",
              help="How long an idle client connection is kept open; keep it longer than a load balancer's idle "
                   "timeout (ALB: 60 s) so the balancer closes first.")
@click.option("--request-idle-seconds", default=20.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              envvar="ROOTPLANE_REQUEST_IDLE_SECONDS",
              help="How long a request being sent may stall (no byte arriving) before it is answered 400 "
                   "RequestTimeout and its connection closed, as S3 does.")
def serve(**options) -> None:
    """Run the server."""
    options["internal_token"] = options["internal_token"] or None
    config = ServerConfig(**options)
    if config.workers > 1 and config.store_kind == "sqlite":
        raise click.UsageError(
            f"--workers {config.workers} needs PostgreSQL (--database-url postgresql+psycopg://...): the SQLite store "
            "serves one process. Use --workers 1, or run several workers and replicas on one PostgreSQL database.")
    if config.workers > 1 and config.time_travel:
        raise click.UsageError("--time-travel moves one process's clock: it cannot be combined with --workers > 1")
    if config.exposes_default_key:
        raise click.UsageError(
            f"refusing to listen on {config.host}, beyond this machine, while the root user's secret access key is "
            "the public default: anyone who can reach the port could act as that root user. Set "
            "--bootstrap-secret-key (and --bootstrap-access-key), or pass --allow-public-default-key."
        )
    from rootplane.server import run

    if bool(config.tls_cert) != bool(config.tls_key):
        raise click.UsageError("--tls-cert and --tls-key go together")
    run(config)


@main.command()
@click.option("--cert", "cert_path", default="rootplane-cert.pem", show_default=True, type=click.Path(dir_okay=False),
              help="Where to write the certificate (PEM).")
@click.option("--key", "key_path", default="rootplane-key.pem", show_default=True, type=click.Path(dir_okay=False),
              help="Where to write its private key (PEM, readable by you only).")
@click.option("--days", default=365, show_default=True, type=click.IntRange(min=1), help="Validity in days.")
def cert(cert_path: str, key_path: str, days: int) -> None:
    """Write a self-signed certificate for localhost and 127.0.0.1 (for `serve --tls-cert/--tls-key` in tests)."""
    from rootplane.tls import write_self_signed

    write_self_signed(cert_path, key_path, days)
    click.echo(f"wrote {cert_path} and {key_path}")


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

    from rootplane.schema import metadata
    from rootplane.store.engine import Store, sqlite_url

    @contextlib.contextmanager
    def opened():
        store = Store(database_url or sqlite_url(data_dir), metadata())
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
