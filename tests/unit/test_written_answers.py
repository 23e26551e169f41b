"""A write answered directly is sent from the group commit's callback, once its commit is on disk (gateway/asgi.py
``WrittenAnswer``); a write the store could not make durable is answered 503 ServiceUnavailable."""

from __future__ import annotations

import asyncio
import os

import pytest

from rootplane.core.config import ServerConfig
from rootplane.gateway.asgi import WrittenAnswer
from rootplane.server import build_app
from rootplane.testing import signed_query


@pytest.fixture()
def app(tmp_path):
    app = build_app(ServerConfig(data_dir=str(tmp_path)))
    yield app
    app.gateway.store.dispose()


def _create_user(name: str):
    return signed_query("iam", f"Action=CreateUser&Version=2010-05-08&UserName={name}")


async def _sent(answer: WrittenAnswer):
    """What ``answer`` hands its callback (the answer as sent)."""
    sent: asyncio.Future = asyncio.get_running_loop().create_future()
    answer.when_ready(sent.set_result)
    return await sent


def test_a_write_is_answered_once_its_commit_is_on_disk(app, monkeypatch):
    fsyncs: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (real_fsync(fd), fsyncs.append(fd)))

    async def scenario():
        answer = app.start_answer(_create_user("durable"))
        assert type(answer) is WrittenAnswer
        synced_before = len(fsyncs)
        status, headers, body = await _sent(answer)
        assert len(fsyncs) > synced_before  # the answer came after an fsync that began after its commit
        return status, body

    status, body = asyncio.run(scenario())
    assert status == 200 and b"<UserName>durable</UserName>" in body


def test_a_write_that_could_not_be_made_durable_is_answered_service_unavailable(app, monkeypatch):
    def failing(fd):
        raise OSError(5, "Input/output error")

    async def scenario():
        app.gateway.store.durable()  # start-up's own writes synced before fsync starts failing
        monkeypatch.setattr(os, "fsync", failing)
        return await _sent(app.start_answer(_create_user("lost")))

    status, headers, body = asyncio.run(scenario())
    assert status == 503 and b"<Code>ServiceUnavailable</Code>" in body
    assert (b"content-length", str(len(body)).encode()) in headers


def test_an_asgi_request_awaits_the_same_answer(app):
    async def scenario():
        return await app.start_answer(_create_user("awaited"))

    response = asyncio.run(scenario())
    assert response.status == 200 and b"<UserName>awaited</UserName>" in response.body
