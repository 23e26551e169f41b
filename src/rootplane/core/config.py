"""Server configuration (flags and environment)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ServerConfig", "store_kind"]


def store_kind(url: str | None) -> str:
    """The kind of store a database URL names: "postgresql", or "sqlite" (also for None, the embedded default)."""
    return "postgresql" if url and not url.startswith("sqlite") else "sqlite"


@dataclass(frozen=True)
class ServerConfig:
    """Everything the running server needs to know about itself."""

    host: str = "127.0.0.1"
    port: int = 4566
    data_dir: str = ".rootplane"
    database_url: str | None = None
    bootstrap_account_id: str = "000000000000"
    root_email: str = "root@example.com"
    bootstrap_access_key: str = "test"
    bootstrap_secret_key: str = "test"
    default_region: str = "us-east-1"
    smtp_url: str | None = None
    # Allowed clock skew in seconds by protocol family (AWS: query 15 min, JSON 5 min, S3 15 min).
    skew_query: int = 900
    skew_json: int = 300
    skew_s3: int = 900
    # Organizations quota: accounts per organization (AWS's default for new organizations: 10).
    max_accounts_per_organization: int = 10
    # Test servers only: POST /_rootplane/clock moves the business clock (session expiry), never signing time.
    time_travel: bool = False
    # Scripts (*.sh, *.py) run in name order once the server is ready; with init_strict a failing one stops it.
    init_dir: str | None = None
    init_strict: bool = False

    @property
    def store_kind(self) -> str:
        return store_kind(self.database_url)

    @property
    def endpoint(self) -> str:
        host = "localhost" if self.host in ("0.0.0.0", "127.0.0.1", "::") else self.host
        return f"http://{host}:{self.port}"
