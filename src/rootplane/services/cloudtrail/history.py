"""How LookupEvents reads its own writes: the audit recorder registers a flush and a fresh-transaction opener.

Records are written off the request path; LookupEvents first drains pending records of this process, then reads
in a transaction that starts after that write committed (the request's own snapshot may predate it).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, ContextManager

if TYPE_CHECKING:  # annotations only: no ORM before the first record (issue #19)
    from sqlalchemy.orm import Session

__all__ = ["configure", "reading"]

_flush: Callable[[], None] | None = None
_reader: Callable[[], ContextManager[Session]] | None = None


def configure(flush: Callable[[], None], reader: Callable[[], ContextManager[Session]]) -> None:
    """Called once by :func:`rootplane.audit.install.install`."""
    global _flush, _reader
    _flush, _reader = flush, reader


@contextlib.contextmanager
def reading(fallback: Session) -> Iterator[Session]:
    """A session that sees every record this process has accepted so far."""
    if _flush is None or _reader is None:
        yield fallback
        return
    _flush()
    with _reader() as session:
        yield session
