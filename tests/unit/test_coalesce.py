"""The gathering transport: what one event-loop step writes goes to the socket in one write, and before a close."""

from __future__ import annotations

import asyncio

from rootplane.gateway.coalesce import _GatheringTransport


class _Socket(asyncio.Transport):
    """Records the writes and the close the gathering transport passes on."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list = []
        self.closing = False

    def write(self, data) -> None:
        self.events.append(bytes(data))

    def close(self) -> None:
        self.closing = True
        self.events.append("close")

    def get_write_buffer_size(self) -> int:
        return 0

    def is_closing(self) -> bool:
        return self.closing

    def get_extra_info(self, name, default=None):
        return {"peername": ("127.0.0.1", 5)}.get(name, default)


def test_headers_and_body_written_in_one_step_leave_in_one_write():
    async def scenario():
        socket = _Socket()
        transport = _GatheringTransport(socket, asyncio.get_running_loop())
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        transport.write(b"body")
        assert socket.events == [] and transport.get_write_buffer_size() == 23
        await asyncio.sleep(0)
        transport.write(b"next")
        await asyncio.sleep(0)
        return socket.events, transport.get_extra_info("peername")

    events, peer = asyncio.run(scenario())
    assert events == [b"HTTP/1.1 200 OK\r\n\r\nbody", b"next"]
    assert peer == ("127.0.0.1", 5)  # everything else is the real transport's


def test_a_close_writes_what_is_gathered_first_and_nothing_after():
    async def scenario():
        socket = _Socket()
        transport = _GatheringTransport(socket, asyncio.get_running_loop())
        transport.write(b"HTTP/1.1 413 \r\nconnection: close\r\n\r\n")
        transport.close()
        await asyncio.sleep(0)  # the flush scheduled by the write finds nothing left
        return socket.events

    assert asyncio.run(scenario()) == [b"HTTP/1.1 413 \r\nconnection: close\r\n\r\n", "close"]
