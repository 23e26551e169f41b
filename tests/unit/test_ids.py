"""Request and event ids: UUID v4 in form, never repeated, not even by a forked worker."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest

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


def test_unique_ids_draw_from_the_pool_not_a_system_call_each(monkeypatch):
    import random

    calls: list[int] = []

    def counted(real):
        def urandom(size: int) -> bytes:
            calls.append(size)
            return real(size)
        return urandom

    monkeypatch.setattr(os, "urandom", counted(os.urandom))
    monkeypatch.setattr(random, "_urandom", counted(random._urandom))  # what secrets.randbelow draws with
    ids._pool.clear()
    drawn = [ids.unique_id("AIDA") for _ in range(1000)]
    assert len(calls) <= 2  # a fresh pool (64 KiB) serves them all
    assert len(set(drawn)) == 1000
    assert all(len(i) == 21 and i.startswith("AIDA") and i[4:].isalnum() and i[4:] == i[4:].upper() for i in drawn)


@pytest.mark.parametrize("draw", [ids.random_string, ids.secret_string])
def test_random_and_secret_strings_use_the_whole_alphabet_evenly(draw):
    counts = {letter: 0 for letter in "abc"}
    for _ in range(3000):
        for letter in draw(2, "abc"):
            counts[letter] += 1
    assert all(1700 < count < 2300 for count in counts.values())  # 2,000 each expected
    assert {len(draw(6, "abc")) for _ in range(200)} == {6}


def test_draws_below_a_limit_cover_it():
    assert all(ids._below(5) < 5 for _ in range(500)) and {ids._below(5) for _ in range(500)} == set(range(5))


def test_secrets_come_straight_from_the_system_not_from_the_pool():
    """Review finding: bytes of future secret access keys and one-time codes waited in the pool's memory."""
    ids.request_id()  # the thread's pool holds bytes
    pooled = (ids._pool._data, ids._pool._at)
    key, code = ids.secret_access_key(), ids.secret_string(6)
    assert (ids._pool._data, ids._pool._at) == pooled
    assert len(key) == 40 and code.isdigit() and len(code) == 6


def test_a_secret_access_key_is_one_system_call():
    """40 calls of os.urandom per secret access key (one per character) each let go of the GIL (issue #19)."""
    import random
    from unittest import mock

    with mock.patch.object(random, "_urandom", wraps=random._urandom) as urandom:  # SystemRandom's os.urandom
        key = ids.secret_access_key()
    assert urandom.call_count == 1 and len(key) == 40
