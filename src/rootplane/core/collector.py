"""The cyclic garbage collector during start-up (issue #19: first signed answer).

Start-up imports some 600 modules: almost every object it makes (classes, functions, module dicts) lives as long as
the process, yet each collection walks them again, and the collector runs every few hundred allocations. Paused
until the gateway is built, start-up needs about 4% fewer instructions. The objects made by then are moved to the
permanent generation (``gc.freeze``), so neither the first collections after the pause nor any later full one walks
them. The price: the ~500 unreachable objects start-up leaves behind (about 80 kB) are never freed, and idle RSS is
0.2-0.4 MiB higher; a collection before freezing would cost about 18 ms of the first answer.

Once serving, the youngest generation is collected after ``YOUNG_THRESHOLD`` net allocations instead of CPython's
700. A request's own objects are freed by reference counting (tests/unit/test_request_lifetime.py), so at 700 the
collector ran for what merely lives a while (calls queued for the audit writer, cache entries). Measured with
``gc.callbacks`` over a 4 s GetCallerIdentity or GetUser load (4 clients, ~25,000 requests): at 700, 160-210 ms of
collections (3-4% of the server's CPU), three or four of them full ones of 35-40 ms each (every object not
frozen); at 10,000, 55 ms and one full collection.

What loads later and lives as long, a service's provider with its first call (the ORM and the models with IAM's),
is frozen when loaded (``keep_loaded``).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TypeVar

__all__ = ["pause_collection", "resume_collection_after", "keep_loaded", "YOUNG_THRESHOLD"]

T = TypeVar("T")

YOUNG_THRESHOLD = 10_000  # net allocations of container objects between collections of the youngest generation


def pause_collection() -> None:
    """Stop automatic collection (call it first thing in a serving process; ``resume_collection_after`` ends it)."""
    gc.disable()


def resume_collection_after(build: Callable[[], T]) -> Callable[[], T]:
    """``build``, which, whether it succeeds or fails, then freezes every object made so far and resumes automatic
    collection, the youngest generation collected every ``YOUNG_THRESHOLD`` net allocations."""

    def built() -> T:
        try:
            return build()
        finally:
            gc.freeze()
            _, middle, oldest = gc.get_threshold()
            gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
            gc.enable()

    return built


def keep_loaded() -> None:
    """After a lazy load of long-lived objects (a service's provider, with the ORM and the models it imports: some
    51,000 objects for IAM), move every object made so far to the permanent generation, as start-up's are. Left to
    the collector, they were walked once more when first promoted (a 54 ms collection under a GetUser load) and by
    every full collection after it. Objects of requests in flight are frozen too: reference counting still frees
    them, only a reference cycle among them would stay."""
    gc.freeze()
