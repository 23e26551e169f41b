"""A small closed-loop load generator: pre-signed requests replayed over keep-alive connections.

Signing happens before the clock starts (SigV4 signatures stay valid for minutes), so the figures measure the
server, not boto3. Worker processes avoid the GIL of the measuring side.
"""

from __future__ import annotations

import http.client
import multiprocessing
import time
from typing import NamedTuple
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

__all__ = ["Load", "sign_query_requests", "sign_requests", "throughput"]


class Load(NamedTuple):
    """What one load run measured."""

    rate: float  # requests answered per second (summed over the workers)
    errors: int  # answers with a status of 300 or more
    answered: int  # requests answered (fewer than rate x seconds when a split list ran out early)


def sign_query_requests(endpoint: str, service: str, bodies: list[str], access_key: str = "test",
                        secret_key: str = "test", region: str = "us-east-1") -> list[tuple[str, dict, bytes]]:
    """Sign form-encoded query-protocol requests once: (path, headers, body) tuples ready to replay."""
    signer = SigV4Auth(Credentials(access_key, secret_key), service, region)
    prepared = []
    for body in bodies:
        request = AWSRequest(method="POST", url=endpoint + "/", data=body.encode(),
                             headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        signer.add_auth(request)
        ready = request.prepare()
        prepared.append(("/", dict(ready.headers.items()), ready.body))
    return prepared


def sign_requests(endpoint: str, service: str, requests: list[tuple[str, str, bytes, dict]], access_key: str = "test",
                  secret_key: str = "test", region: str = "us-east-1") -> list[tuple[str, dict, bytes, str]]:
    """Sign any requests once, (method, path, body, headers) each: (path, headers, body, method) tuples to replay.

    S3 requests (``service="s3"``) are signed as the SDK does (``x-amz-content-sha256`` carries the body's hash).
    """
    from botocore.auth import S3SigV4Auth

    signer = (S3SigV4Auth if service == "s3" else SigV4Auth)(Credentials(access_key, secret_key), service, region)
    prepared = []
    for method, path, body, headers in requests:
        request = AWSRequest(method=method, url=endpoint + path, data=body, headers=dict(headers))
        signer.add_auth(request)
        ready = request.prepare()
        prepared.append((path, dict(ready.headers.items()), ready.body or b"", method))
    return prepared


def _worker(args) -> tuple[int, int, float]:
    endpoint, requests, seconds, start_at = args
    parts = urlsplit(endpoint)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    while time.time() < start_at:
        time.sleep(0.001)
    started = time.monotonic()
    deadline = started + seconds
    done = errors = 0
    index = 0
    while time.monotonic() < deadline and index < len(requests):
        path, headers, body = requests[index][:3]
        method = requests[index][3] if len(requests[index]) > 3 else "POST"
        index += 1
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        done += 1
        if response.status >= 300:
            errors += 1
    elapsed = time.monotonic() - started
    connection.close()
    return done, errors, elapsed


def throughput(endpoint: str, requests: list[tuple], workers: int = 4, seconds: float = 4.0,
               repeat_each: bool = True) -> Load:
    """Requests per second over ``seconds`` with ``workers`` concurrent connections, errors and requests answered.

    ``repeat_each``: every worker replays the whole list (idempotent reads); else the list is split between
    workers so that each request is sent exactly once (writes such as CreateUser).
    """
    if repeat_each:
        shares = [requests * max(1, int(20000 / max(1, len(requests)))) for _ in range(workers)]
    else:
        shares = [requests[i::workers] for i in range(workers)]
    start_at = time.time() + 0.5
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        results = pool.map(_worker, [(endpoint, share, seconds, start_at) for share in shares])
    rate = sum(done / max(elapsed, 1e-9) for done, _, elapsed in results)
    return Load(rate, sum(errors for _, errors, _ in results), sum(done for done, _, _ in results))
