"""The ``rootplane`` command: serve, cert, coverage."""

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
@click.option("--tls-cert", default=None, envvar="ROOTPLANE_TLS_CERT", type=click.Path(exists=True, dir_okay=False),
              help="Serve HTTPS with this PEM certificate (see `rootplane cert`); needs --tls-key.")
@click.option("--tls-key", default=None, envvar="ROOTPLANE_TLS_KEY", type=click.Path(exists=True, dir_okay=False),
              help="The PEM private key of --tls-cert.")
def serve(**options) -> None:
    """Run the server."""
    from rootplane.server import run

    if bool(options["tls_cert"]) != bool(options["tls_key"]):
        raise click.UsageError("--tls-cert and --tls-key go together")
    run(ServerConfig(**options))


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


@main.command()
def coverage() -> None:
    """Print docs/coverage.md: every operation of every served service, implemented or not."""
    from rootplane.coverage import render

    click.echo(render(), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
