"""The ``rootplane`` command: serve, coverage, and the operator tools of :mod:`rootplane.tools.commands`."""

from __future__ import annotations

import base64
import binascii

import click

from rootplane import __version__
from rootplane.core.config import ServerConfig
from rootplane.tools.commands import COMMANDS

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
@click.option("--sns-http-allow", multiple=True, envvar="ROOTPLANE_SNS_HTTP_ALLOW", metavar="CIDR|HOST:PORT",
              help="Only these SNS HTTP(S) destinations (repeatable); default: any but the server itself.")
@click.option("--master-key", default=None, envvar="ROOTPLANE_MASTER_KEY", callback=_master_key,
              help="KMS master key (32 bytes, base64); default: <data-dir>/kms-master.key, created with mode 0600")
@click.option("--time-travel", is_flag=True, default=False, envvar="ROOTPLANE_TIME_TRAVEL",
              help="Tests only: allow POST /_rootplane/clock to move the server's clock forward.")
def serve(**options) -> None:
    """Run the server."""
    from rootplane.server import run

    run(ServerConfig(**options))


@main.command()
def coverage() -> None:
    """Print docs/coverage.md: every operation of every served service, implemented or not."""
    from rootplane.coverage import render

    click.echo(render(), nl=False)


for _command in COMMANDS:
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
