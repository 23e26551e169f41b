"""Access key last use (GetAccessKeyLastUsed): recorded at most once a minute per key, outside the request's
own transaction, so the hot path stays free of writes."""

from __future__ import annotations

import datetime as _dt
import logging
import threading
import time

from rootplane.services.accounts import plain
from rootplane.store.engine import Store, StoreUnavailable

__all__ = ["KeyUsageRecorder"]

log = logging.getLogger("rootplane.gateway")


class KeyUsageRecorder:
    """Remembers when each long-term key's last use was written; writes again after ``interval`` seconds."""

    def __init__(self, store: Store, interval: float = 60.0) -> None:
        self.store = store
        self.interval = interval
        self._written: dict[str, float] = {}
        self._lock = threading.Lock()

    def forget(self) -> None:
        """Forget every write (the store's state was replaced): the next use of each key is written again."""
        with self._lock:
            self._written.clear()

    def used(self, access_key_id: str, service: str, region: str, at: _dt.datetime) -> None:
        now = time.monotonic()
        with self._lock:
            last = self._written.get(access_key_id)
            if last is not None and now - last < self.interval:
                return
            self._written[access_key_id] = now
        try:
            with self.store.plain() as sql:  # no cached table is written
                plain.touch_access_key(sql, access_key_id, at, service, region)
        except StoreUnavailable as error:  # an outage: last use is bookkeeping, not worth a traceback
            log.warning("could not record last use of an access key: %s", error)
        except Exception:  # noqa: BLE001 - bookkeeping must never fail an answered request
            log.exception("could not record last use of an access key")
