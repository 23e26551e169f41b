"""The port serves while the gateway is built: health says "starting", other requests wait for the real app."""

from __future__ import annotations

import asyncio
import json
import threading

from rootplane.gateway.warmup import HEALTH_PATH, WarmingApp


class RecordingApp:
    """A stand-in for the built gateway app: answers 200 with the path it served."""

    def __init__(self) -> None:
        self.served: list[str] = []

    async def __call__(self, scope, receive, send) -> None:
        self.served.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": scope["path"].encode()})


def _http(path: str, method: str = "GET") -> dict:
    return {"type": "http", "method": method, "path": path, "headers": []}


async def _call(app, scope) -> tuple[int, bytes]:
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def _gated_build(app):
    release = threading.Event()

    def build():
        assert release.wait(10)
        return app

    return build, release


def test_health_is_starting_and_requests_wait_for_the_built_app():
    built = RecordingApp()
    build, release = _gated_build(built)
    warming = WarmingApp(build, {"status": "starting", "version": "x"})
    warming.start()

    async def scenario():
        status, body = await _call(warming, _http(HEALTH_PATH))
        assert status == 503 and json.loads(body)["status"] == "starting"
        waiting = asyncio.ensure_future(_call(warming, _http("/api")))
        await asyncio.sleep(0.05)
        assert not waiting.done() and built.served == []  # not answered before the gateway exists
        release.set()
        assert await asyncio.wait_for(waiting, 10) == (200, b"/api")
        assert await _call(warming, _http(HEALTH_PATH)) == (200, HEALTH_PATH.encode())  # the built app answers now

    asyncio.run(scenario())
    assert built.served == ["/api", HEALTH_PATH]
    assert warming.wait() is built


def test_a_failed_build_ends_the_server_and_answers_waiting_requests_503():
    ended = threading.Event()

    def build():
        raise RuntimeError("database unreachable")

    warming = WarmingApp(build, {"status": "starting"}, on_failure=ended.set)

    async def scenario():
        warming.start()
        return await asyncio.wait_for(_call(warming, _http("/api")), 10)

    status, body = asyncio.run(scenario())
    assert status == 503 and b"failed to start" in body
    assert ended.wait(5)
    assert warming.wait() is None


def test_lifespan_starts_the_build_and_completes_at_once():
    built = RecordingApp()
    build, release = _gated_build(built)
    warming = WarmingApp(build, {"status": "starting"})
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    sent: list[str] = []

    async def receive():
        return next(messages)

    async def send(message):
        sent.append(message["type"])

    asyncio.run(warming({"type": "lifespan"}, receive, send))
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    release.set()
    assert warming.wait() is built
