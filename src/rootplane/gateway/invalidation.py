"""Cached state stays true across every process that shares the store.

What a process caches from the store: resolved credentials (gateway/credentials.py, a TTL cache), the key-use memo
and whatever ``after_state_change`` hooks drop (the SNS signing key). Policies, principals' policy sets and the
organization structure are read from the store on every request (compiled documents are cached by their text,
which never changes), so they need nothing here.

A change made by one process is published on PostgreSQL's ``rootplane_caches`` channel after its commit: a revoked
access key (its id) or a replaced state (``*``, reset/restore). Every process listening drops those entries as the
message arrives (milliseconds). When a listener was disconnected it drops everything on reconnecting; the
credential cache's TTL (``--credential-cache-seconds``, 2 s) bounds what a lost message can leave behind.
"""

from __future__ import annotations

from collections.abc import Iterable

from rootplane.store.notify import MAX_PAYLOAD, Listener, publish

__all__ = ["Invalidation", "CHANNEL"]

CHANNEL = "rootplane_caches"
_EVERYTHING = "*"


class Invalidation:
    """One per gateway: publishes this process's changes and applies the others'."""

    def __init__(self, gateway) -> None:
        self._gateway = gateway
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

    def state_replaced(self) -> None:
        """The whole state was reset or restored: every process drops what it cached."""
        publish(self._gateway.store, CHANNEL, _EVERYTHING)

    def drop_local_state(self) -> None:
        """Forget everything this process cached from the store."""
        self._gateway.credentials.forget()
        self._gateway.key_usage.forget()
        for hook in self._gateway.after_state_change:
            hook()

    def close(self) -> None:
        self.listener.stop()

    def _received(self, payload: str) -> None:
        if payload == _EVERYTHING:
            self.drop_local_state()
            return
        for key in payload.split():
            self._gateway.credentials.forget(key)
