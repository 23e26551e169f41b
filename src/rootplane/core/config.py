"""Server configuration (flags and environment)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

__all__ = ["ServerConfig", "store_kind", "is_loopback", "trusted_proxy_network",
           "DEFAULT_ACCESS_KEY", "DEFAULT_SECRET_KEY"]

# The bootstrap root user's well-known default key: published in the README, so anyone who can reach the port knows it.
DEFAULT_ACCESS_KEY = "test"
DEFAULT_SECRET_KEY = "test"


def store_kind(url: str | None) -> str:
    """The kind of store a database URL names: "postgresql", or "sqlite" (also for None, the embedded default)."""
    return "postgresql" if url and not url.startswith("sqlite") else "sqlite"


def is_loopback(host: str) -> bool:
    """Whether a listen address is reachable only from this machine ("localhost", 127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # another host name: it may resolve to any interface


def trusted_proxy_network(value: str) -> str:
    """A trusted proxy's address or CIDR block, normalized (``10.0.0.7`` -> ``10.0.0.7/32``); ValueError if invalid."""
    return str(ipaddress.ip_network(value.strip(), strict=False))


@dataclass(frozen=True)
class ServerConfig:
    """Everything the running server needs to know about itself."""

    host: str = "127.0.0.1"
    port: int = 4566
    data_dir: str = ".rootplane"
    database_url: str | None = None
    bootstrap_account_id: str = "000000000000"
    root_email: str = "root@example.com"
    # The bootstrap root user's console password (None: no password until one is set through recovery).
    root_password: str | None = None
    bootstrap_access_key: str = DEFAULT_ACCESS_KEY
    bootstrap_secret_key: str = DEFAULT_SECRET_KEY
    default_region: str = "us-east-1"
    smtp_url: str | None = None
    # Allowed clock skew in seconds by protocol family (AWS: query 15 min, JSON 5 min, S3 15 min).
    skew_query: int = 900
    skew_json: int = 300
    skew_s3: int = 900
    # Organizations quota: accounts per organization (AWS's default for new organizations: 10).
    max_accounts_per_organization: int = 10
    # CloudTrail Event history keeps this many days (AWS: 90); older records are deleted and never looked up.
    trail_retention_days: int = 90
    # SNS HTTP(S) subscriptions: allowed destinations (CIDR or host:port); empty = all but the server itself.
    sns_http_allow: tuple[str, ...] = ()
    # KMS key material is sealed under this key (32 bytes, base64); None: <data_dir>/kms-master.key (mode 0600).
    master_key: str | None = None
    # Test servers only: POST /_rootplane/clock moves the business clock (session expiry), never signing time.
    time_travel: bool = False
    # Proxies (CIDR blocks) whose X-Forwarded-For / X-Forwarded-Proto are believed; none by default.
    trusted_proxies: tuple[str, ...] = ()
    # Listening beyond loopback while the public default key is configured needs this explicit consent.
    allow_public_default_key: bool = False
    # When set, /_rootplane/* (except health) requires ``Authorization: Bearer <internal_token>``.
    internal_token: str | None = None
    # HTTPS: the PEM certificate chain and private key uvicorn serves with (both, or neither: plain HTTP).
    tls_cert: str | None = None
    tls_key: str | None = None
    # Scripts (*.sh, *.py) run in name order once the server is ready; with init_strict a failing one stops it.
    init_dir: str | None = None
    init_strict: bool = False
    # Processes sharing the port (PostgreSQL only), and how long a process may trust a resolved access key that
    # another process could have revoked without the message reaching it (docs/DEPLOY.md).
    workers: int = 1
    credential_cache_seconds: float = 2.0
    # How long an idle keep-alive connection stays open. Longer than clients keep pooled connections between calls
    # (botocore never expires them) and than a load balancer's idle timeout (ALB: 60 s), so the client or the
    # balancer closes first: a server closing at the moment a client reuses the connection loses that request.
    keep_alive_seconds: float = 75.0
    # How long a request being read may go without a byte arriving: then it is answered 400 RequestTimeout and its
    # connection closed, as S3 does after about 20 s, so that slow or stalled clients cannot hold connections open.
    request_idle_seconds: float = 20.0

    @property
    def store_kind(self) -> str:
        return store_kind(self.database_url)

    @property
    def endpoint(self) -> str:
        """The URL clients use (in queue URLs, SNS links): a wildcard or loopback listen address reads localhost."""
        host = "localhost" if self.host in ("0.0.0.0", "127.0.0.1", "::") else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def listen_url(self) -> str:
        """The address the server really listens on."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def uses_default_key(self) -> bool:
        """Whether the bootstrap root user's secret is the published default (anyone may sign as that root)."""
        return self.bootstrap_secret_key == DEFAULT_SECRET_KEY

    @property
    def exposes_default_key(self) -> bool:
        """Whether the server would accept the published default key from other machines without consent."""
        return self.uses_default_key and not is_loopback(self.host) and not self.allow_public_default_key

    @property
    def scheme(self) -> str:
        """``https`` when a TLS certificate is served, else ``http``."""
        return "https" if self.tls_cert else "http"
