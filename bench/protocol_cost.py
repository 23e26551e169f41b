"""CPU per request of the serving path in one process: HTTP bytes in, through rootplane's HTTP protocol and gateway,
answer bytes out, without the kernel's network stack or a load generator (issue #19).

    .venv/bin/python bench/protocol_cost.py [--operation GetCallerIdentity|GetUser|CreateUser] [--requests 20000]
                                           [--no-audit | --park-writer]

The requests are pre-signed and their bytes built first; each is fed to ``RootplaneHttpProtocol.data_received`` on
a transport that only counts writes, and the event loop runs until the answer is written (a write waits for its
group commit). Every request is parsed afresh, as served ones are: timing ``gateway.handle`` on one reused request
object understates the pipeline (caches on the object). Three figures, CPU of the event loop's thread per request:

- the protocol alone, the gateway replaced by a canned answer (uvicorn's parser and rootplane's direct answers);
- the gateway's HTTP glue, its pipeline replaced by a canned response (routing, the request and answer conversions);
- the whole path.

``--no-audit`` drops the CloudTrail recorder's sink; ``--park-writer`` keeps the sink (each call handed over as
served) but the writer thread writes nothing until the process ends: the difference between the two is the
hand-over, the difference between ``--park-writer`` and the default is what the writer running beside the event
loop costs the loop's thread (it takes the GIL; GetUser on 2026-12-07: 111, 120 and 140-180 µs).

Deterministic enough for A/B work under ``valgrind --tool=callgrind`` (instructions, not seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from loadgen import _request_bytes, sign_query_requests  # noqa: E402
from stores import scratch_data_dir  # noqa: E402

HOST = "127.0.0.1:4566"
_CANNED = (200, [(b"content-type", b"text/xml"), (b"content-length", b"5")], b"hello")
_BODIES = {
    "GetCallerIdentity": ("sts", lambda i: "Action=GetCallerIdentity&Version=2011-06-15"),
    "GetUser": ("iam", lambda i: "Action=GetUser&Version=2010-05-08&UserName=reader"),
    "CreateUser": ("iam", lambda i: f"Action=CreateUser&Version=2010-05-08&UserName=user{i:07d}"),
}
_WARM_UP = 200


class _CountingTransport(asyncio.Transport):
    """Counts what is written; ``answered`` is set by the first write after it is made."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0
        self.answered: asyncio.Future | None = None
        self._closing = False

    def write(self, data) -> None:
        self.writes += 1
        if self.answered is not None and not self.answered.done():
            self.answered.set_result(None)

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        self._closing = True

    def get_extra_info(self, name, default=None):
        return {"sockname": ("127.0.0.1", 4566), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0


def _requests(operation: str, count: int) -> list[bytes]:
    service, body = _BODIES[operation]
    signed = sign_query_requests(f"http://{HOST}", service, [body(i) for i in range(count)])
    return [_request_bytes(HOST, request) for request in signed]


async def _cpu_per_request(app, requests: list[bytes]) -> float:
    """Microseconds of this thread's CPU per request, after ``_WARM_UP`` requests."""
    import uvicorn
    from uvicorn.server import ServerState

    from rootplane.gateway.http_protocol import RootplaneHttpProtocol
    from rootplane.gateway.warmup import WarmingApp

    warming = WarmingApp(lambda: app, {})
    warming.start()
    warming.wait()
    config = uvicorn.Config(warming, log_level="warning", lifespan="off", proxy_headers=False, access_log=False,
                            http=functools.partial(RootplaneHttpProtocol, warming=warming), ws="none")
    config.load()
    protocol = RootplaneHttpProtocol(config=config, server_state=ServerState(), app_state={}, warming=warming)
    transport = _CountingTransport()
    protocol.connection_made(transport)

    async def exchange(request: bytes) -> None:
        before = transport.writes
        transport.answered = asyncio.get_running_loop().create_future()
        protocol.data_received(request)
        if transport.writes == before:
            await transport.answered
        else:
            await asyncio.sleep(0)  # the loop step that follows an answer, as when served

    for request in requests[:_WARM_UP]:
        await exchange(request)
    started = time.thread_time()
    for request in requests[_WARM_UP:]:
        await exchange(request)
    return (time.thread_time() - started) / max(1, len(requests) - _WARM_UP) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operation", choices=sorted(_BODIES), default="GetCallerIdentity")
    parser.add_argument("--requests", type=int, default=20000)
    audit = parser.add_mutually_exclusive_group()
    audit.add_argument("--no-audit", action="store_true", help="without the CloudTrail recorder's sink")
    audit.add_argument("--park-writer", action="store_true", help="the recorder's writer writes nothing meanwhile")
    options = parser.parse_args()

    import uvloop

    from rootplane.core.config import ServerConfig
    from rootplane.server import build_app
    from rootplane.testing import signed_query
    from rootplane.wire.http import HttpResponse

    app = build_app(ServerConfig(data_dir=scratch_data_dir()))
    if options.no_audit:
        app.gateway.audit_sinks.clear()
    if options.park_writer:  # it gathers for ever, and the queue never presses back nor drops
        app.recorder.linger = 1e6
        app.recorder.capacity = app.recorder.outage_capacity = 10**9
    app.gateway.handle(signed_query("iam", "Action=CreateUser&Version=2010-05-08&UserName=reader"))
    requests = _requests(options.operation, options.requests + _WARM_UP)
    whole = uvloop.run(_cpu_per_request(app, requests))

    response = HttpResponse(200, [("Content-Type", "text/xml"), ("x-amzn-RequestId", "0")], b"hello")
    app.gateway.handle = lambda request, route=None: response
    glue = uvloop.run(_cpu_per_request(app, requests))
    app.answer = lambda *_args: _CANNED
    protocol = uvloop.run(_cpu_per_request(app, requests))
    print(f"{options.operation}, CPU µs per request of the event loop's thread ({options.requests} requests):")
    print(f"  protocol alone (canned answer)      {protocol:8.1f}")
    print(f"  with the gateway's HTTP glue        {glue:8.1f}")
    print(f"  whole path                          {whole:8.1f}")


if __name__ == "__main__":
    main()
