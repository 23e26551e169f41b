"""Cached state stays true across every process that shares the store.

What a process caches from the store: resolved credentials (gateway/credentials.py, a TTL cache), the key-use memo,
whatever ``after_state_change`` hooks drop (the SNS signing key), and the ``TableCache``s of store/changes.py (the
organization's SCP/RCP levels per account, a principal's identity policies and boundary), which every commit
writing one of their tables invalidates in this process at once. Compiled documents are cached by their text,
which never changes, so they need nothing here.

A change made by one process is published on PostgreSQL's ``rootplane_caches`` channel: a revoked access key (its
id) or a replaced state (``*``, reset/restore) after its commit, the watched tables a transaction wrote
(``table:<name>``) by a NOTIFY inside it, which PostgreSQL delivers when it commits. Every process listening drops those entries as the message arrives (milliseconds). When a listener
was disconnected it drops everything on reconnecting; the caches' TTL (``--credential-cache-seconds``, 2 s) bounds
what a lost message can leave behind.
"""

from __future__ import annotations

from collections.abc import Iterable

from rootplane.store.notify import MAX_PAYLOAD, Listener, publish, publish_on_commit

__all__ = ["Invalidation", "CHANNEL"]

CHANNEL = "rootplane_caches"
_EVERYTHING = "*"
_TABLE = "table:"


class Invalidation:
    """One per gateway: publishes this process's changes and applies the others'."""

    def __init__(self, gateway) -> None:
        self._gateway = gateway
        gateway.store.changes.ttl = gateway.config.credential_cache_seconds
        if gateway.store.kind == "postgresql":  # a SQLite store has one process: nobody to tell what a commit wrote
            gateway.store.changes.publishers.append(self.tables_written)
        self.listener = Listener(gateway.store, CHANNEL, self._received, self.drop_local_state)
        self.listener.start()

    def revoked(self, access_key_ids: Iterable[str | None]) -> None:
        """Keys deleted or deactivated by a committed request (None: every key, e.g. an account closed): forget them
        here and tell the other processes."""
        keys = list(access_key_ids)
        if not keys:
            return
        if None in keys:
            self._gateway.credentials.forget()
            publish(self._gateway.store, CHANNEL, _EVERYTHING)
            return
        for key in keys:
            self._gateway.credentials.forget(key)
        payload = " ".join(keys)
        publish(self._gateway.store, CHANNEL, payload if len(payload) < MAX_PAYLOAD else _EVERYTHING)

    def tables_written(self, executor, tables: frozenset[str]) -> None:
        """A transaction about to commit in this process (an ORM session's or a plain-SQL connection's) wrote
        watched tables: the other processes learn it when it commits (this process marks them itself,
        store/changes.py)."""
        publish_on_commit(executor, CHANNEL, " ".join(_TABLE + table for table in sorted(tables)))

    def state_replaced(self) -> None:
        """The whole state was reset or restored: every process drops what it cached."""
        publish(self._gateway.store, CHANNEL, _EVERYTHING)

    def drop_local_state(self) -> None:
        """Forget everything this process cached from the store."""
        self._gateway.credentials.forget()
        self._gateway.store.changes.forget()
        self._gateway.key_usage.forget()
        for hook in self._gateway.after_state_change:
            hook()

    def close(self) -> None:
        self.listener.stop()

    def _received(self, payload: str) -> None:
        if payload == _EVERYTHING:
            self.drop_local_state()
            return
        tables = []
        for token in payload.split():
            if token.startswith(_TABLE):
                tables.append(token.removeprefix(_TABLE))
            else:
                self._gateway.credentials.forget(token)
        if tables:
            self._gateway.store.changes.changed(tables)
