"""The console as an API client: botocore clients whose requests go through the gateway in-process.

Each request is signed by botocore with the console session's credentials and handed to ``Gateway.handle``, so it
is authenticated, authorized, recorded in CloudTrail (``sessionCredentialFromConsole``) and answered exactly as an
SDK's request would be; only the network hop is skipped. The person's address and browser become the record's
``sourceIPAddress`` and ``userAgent``.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from rootplane.wire.http import HttpRequest

__all__ = ["Origin", "ApiClients"]

# The gateway validates every request against the model; botocore's own check would refuse what AWS accepts
# (root calls omit IAM's UserName, which the published models mark required).
_CONFIG = Config(retries={"total_max_attempts": 1}, s3={"addressing_style": "path"}, parameter_validation=False)


@dataclass
class Origin:
    """Who is behind the console's requests (updated per page request)."""

    source_ip: str = "127.0.0.1"
    user_agent: str = "rootplane-console"


class _Body(io.BytesIO):
    def stream(self, **_kwargs):
        yield self.getvalue()


class ApiClients:
    """Makes botocore clients bound to the gateway. Thread-safe."""

    def __init__(self, gateway, max_cached: int = 2_000) -> None:
        self.gateway = gateway
        self._session = botocore.session.Session()
        self._lock = threading.Lock()
        self.max_cached = max_cached
        # (access key id, service, region) -> (client, the Origin it sends as): console sessions reuse clients.
        self._cached: dict[tuple[str, str, str], tuple[Any, Origin]] = {}

    def session_client(self, service: str, credentials: dict[str, str], origin: Origin,
                       region: str | None = None) -> Any:
        """A cached client of a console session, sending as ``origin`` (the person's current address and browser)."""
        key = (credentials["AccessKeyId"], service, region or "")
        cached = self._cached.get(key)
        if cached is None:
            sender = Origin(origin.source_ip, origin.user_agent)
            cached = (self.client(service, credentials, sender, region), sender)
            with self._lock:
                while len(self._cached) >= self.max_cached:
                    self._cached.pop(next(iter(self._cached)))
                self._cached[key] = cached
        cached[1].source_ip, cached[1].user_agent = origin.source_ip, origin.user_agent
        return cached[0]

    def client(self, service: str, credentials: dict[str, str], origin: Origin, region: str | None = None) -> Any:
        """A client for ``service`` signed with ``credentials`` (an STS ``Credentials`` dict)."""
        with self._lock:  # botocore sessions are not thread-safe; clients are
            client = self._session.create_client(
                service, region_name=region or self.gateway.config.default_region,
                endpoint_url=self.gateway.config.endpoint, config=_CONFIG,
                aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials.get("SessionToken"),
            )
        client.meta.events.register("before-send", lambda request, **_: self._send(request, origin))
        return client

    def _send(self, request, origin: Origin) -> AWSResponse:
        url = urlsplit(request.url)
        headers = {name.lower(): value.decode("latin-1") if isinstance(value, bytes) else value
                   for name, value in request.headers.items()}
        headers.setdefault("host", url.netloc)  # signed from the URL; an HTTP client would send it
        headers["user-agent"] = origin.user_agent  # not signed by SigV4
        body = request.body or b""
        if hasattr(body, "read"):
            body = body.read()
        if isinstance(body, str):
            body = body.encode()
        http = HttpRequest(method=request.method, path=url.path or "/", query_string=url.query, headers=headers,
                           body=body, client_ip=origin.source_ip, scheme="https")
        group_commit = self.gateway.store.group_commit
        before = group_commit.commits_here() if group_commit is not None else 0
        response = self.gateway.handle(http)
        if group_commit is not None and group_commit.commits_here() != before:
            self.gateway.store.durable()  # as the server does before it answers (a worker thread: may block)
        return AWSResponse(request.url, response.status, dict(response.headers), _Body(response.body))
