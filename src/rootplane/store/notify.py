"""Messages between the processes that share one PostgreSQL database (LISTEN/NOTIFY).

``publish`` sends a payload on a channel when called (after the caller's commit), ``publish_on_commit`` when the
session's transaction commits (never if it rolls back); every ``Listener`` on that channel in any process receives
it, usually within milliseconds. A listener that loses its connection reconnects by itself
and then calls ``on_connect``: messages sent meanwhile are lost, so whatever it guards must be dropped wholesale.
SQLite stores serve one process: there is nobody to tell, both are no-ops.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from rootplane.store.engine import Store

if TYPE_CHECKING:  # annotations only: the ORM loads with the first session (issue #19)
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

__all__ = ["Listener", "publish", "publish_on_commit", "MAX_PAYLOAD"]

log = logging.getLogger("rootplane.store")

#: PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.
MAX_PAYLOAD = 7900
_RETRY_SECONDS = 1.0
_WAIT_SECONDS = 1.0


def publish(store: Store, channel: str, payload: str) -> bool:
    """Send ``payload`` (under MAX_PAYLOAD bytes) to every listener on ``channel``; False when it could not be sent."""
    if store.kind != "postgresql":
        return True
    from sqlalchemy import text

    try:
        with store.engine.begin() as connection:
            connection.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": channel, "payload": payload})
    except Exception as exc:  # noqa: BLE001 - the receivers' TTLs still bound what they miss
        log.warning("could not notify %s: %s", channel, exc.__class__.__name__)
        return False
    return True


def publish_on_commit(executor: Session | Connection, channel: str, payload: str) -> None:
    """Send ``payload`` (under MAX_PAYLOAD bytes) on ``channel`` as part of the transaction of ``executor`` (an ORM
    session or a Core connection; PostgreSQL delivers it when the transaction commits); no-op on SQLite."""
    from sqlalchemy import text
    from sqlalchemy.engine import Connection

    plain = isinstance(executor, Connection)
    if (executor.engine if plain else executor.get_bind()).dialect.name == "postgresql":
        (executor if plain else executor.connection()).execute(text("SELECT pg_notify(:channel, :payload)"),
                                                               {"channel": channel, "payload": payload})


class Listener:
    """A daemon thread holding one dedicated connection that LISTENs on ``channel``."""

    def __init__(self, store: Store, channel: str, on_message: Callable[[str], None],
                 on_connect: Callable[[], None]) -> None:
        self._store = store
        self._channel = channel
        self._on_message = on_message
        self._on_connect = on_connect
        self._stopped = threading.Event()
        self.connected = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rootplane-listen-{channel}", daemon=True)

    def start(self) -> None:
        if self._store.kind == "postgresql":
            self._thread.start()

    def stop(self) -> None:
        self._stopped.set()

    def _connect(self):
        import psycopg

        dialect = self._store.engine.dialect
        args, params = dialect.create_connect_args(self._store.engine.url)
        params.setdefault("connect_timeout", 3)
        return psycopg.connect(*args, **params, autocommit=True)

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                with self._connect() as connection:
                    connection.execute(f'LISTEN "{self._channel}"')
                    self._on_connect()
                    self.connected.set()
                    while not self._stopped.is_set():
                        for note in connection.notifies(timeout=_WAIT_SECONDS):
                            self._on_message(note.payload)
            except Exception as exc:  # noqa: BLE001 - reconnect whatever went wrong
                if not self._stopped.is_set():
                    log.warning("listener on %s lost its connection (%s); reconnecting", self._channel,
                                exc.__class__.__name__)
            self.connected.clear()
            self._stopped.wait(_RETRY_SECONDS)
