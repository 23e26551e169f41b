"""Request and event ids: UUID v4 in form, never repeated, not even by a forked worker."""

from __future__ import annotations

import datetime as dt
import os
import uuid

from rootplane.core import ids


def _is_uuid4(text: str) -> bool:
    value = uuid.UUID(text)
    return str(value) == text and value.version == 4 and value.variant == uuid.RFC_4122


def test_request_and_event_ids_are_uuid4_and_unique():
    now = dt.datetime.now(dt.timezone.utc)
    request_ids = [ids.request_id() for _ in range(3000)]
    event_ids = [ids.event_id(now) for _ in range(3000)]
    assert all(_is_uuid4(i) for i in request_ids + event_ids)
    assert len(set(request_ids)) == len(set(event_ids)) == 3000
    assert {i[19] for i in request_ids} == set("89ab")  # the variant digit keeps its two random bits
    assert all(len(i) == 16 and int(i, 16) >= 0 and i == i.upper() for i in (ids.s3_request_id() for _ in range(50)))


def test_event_ids_sort_by_time():
    earlier = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    assert ids.event_id(earlier) < ids.event_id(earlier + dt.timedelta(milliseconds=1))


def test_a_forked_child_draws_other_ids_than_its_parent():
    ids.request_id()  # the parent's pool holds random bytes now
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.write(write, ",".join(ids.request_id() for _ in range(20)).encode())
        os._exit(0)
    os.waitpid(pid, 0)
    child = set(os.read(read, 10000).decode().split(","))
    os.close(read)
    os.close(write)
    assert not child & {ids.request_id() for _ in range(20)}


def test_threads_drawing_at_once_never_share_an_id():
    import threading

    drawn: list[list[str]] = [[] for _ in range(4)]
    start = threading.Barrier(4)

    def draw(into: list[str]) -> None:
        start.wait()
        into.extend(ids.request_id() for _ in range(2000))

    threads = [threading.Thread(target=draw, args=(into,)) for into in drawn]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({i for into in drawn for i in into}) == 8000
