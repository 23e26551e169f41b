"""Whole-state operations for test suites: reset, snapshot, restore (``/_rootplane/reset|snapshot|restore``).

Each one first drains what is queued to be written (the CloudTrail recorder), replaces the state in one store
transaction (requests running meanwhile see the old state or the new one, never a mix; writers wait), then drops
what the process cached from the old state: resolved credentials, recorded key uses, the SNS signing key.
A reset leaves the store as a fresh start does: empty, with the bootstrap account and its root key (and the
business clock of a ``--time-travel`` server back at the real time).

Named snapshots live on the server, in ``<data dir>/snapshots/<name>.db``; unnamed ones travel in the HTTP body.
"""

from __future__ import annotations

import json
import re
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from rootplane.gateway.bootstrap import bootstrap_in
from rootplane.store.errors import SnapshotError
from rootplane.wire.http import HttpRequest, HttpResponse

__all__ = ["reset", "save", "restore", "snapshot_path", "STATE_ROUTES", "SnapshotError"]

SNAPSHOT_TYPE = "application/vnd.sqlite3"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_lock = threading.Lock()  # one state change at a time


def _replacing(gateway, change) -> Any:
    with _lock:
        for hook in gateway.before_state_change:
            hook()
        gateway.credentials.forget()
        try:
            return change()
        finally:
            gateway.invalidation.drop_local_state()
            gateway.invalidation.state_replaced()


def reset(gateway) -> None:
    """Empty every table and bootstrap the account again, in one transaction."""
    from rootplane.store import snapshot  # SQLAlchemy Core: loaded with the first state change (issue #19)

    def change() -> None:
        with gateway.store.transaction() as session:
            snapshot.wipe(gateway.store, session)
            bootstrap_in(session, gateway.config, gateway.clock)
        if hasattr(gateway.clock, "rewind"):
            gateway.clock.rewind()

    _replacing(gateway, change)


def save(gateway, path: str | Path) -> None:
    """Write the whole state to ``path`` (consistent while requests keep running)."""
    from rootplane.store import snapshot

    with _lock:
        for hook in gateway.before_state_change:
            hook()
        snapshot.save_snapshot(gateway.store, path)


def restore(gateway, path: str | Path) -> str:
    """Replace the whole state by the snapshot at ``path``; its schema revision. SnapshotError if refused."""
    from rootplane.store import snapshot

    return _replacing(gateway, lambda: snapshot.restore_snapshot(gateway.store, path))


def snapshot_path(gateway, name: str) -> Path:
    """Where the named snapshot lives; SnapshotError for a name that is not a plain file name."""
    if not _NAME.fullmatch(name):
        raise SnapshotError(f"invalid snapshot name {name!r}: use 1-64 letters, digits, '_', '.' or '-'")
    return Path(gateway.config.data_dir).resolve() / "snapshots" / f"{name}.db"


# -- HTTP ------------------------------------------------------------------------------------------------------

def _json(data: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(status, [("Content-Type", "application/json")], json.dumps(data, indent=1).encode())


def _timed(started: float, **fields: Any) -> HttpResponse:
    return _json({**fields, "seconds": round(time.perf_counter() - started, 4)})


def _reset(gateway, request: HttpRequest) -> HttpResponse:
    started = time.perf_counter()
    reset(gateway)
    return _timed(started, status="reset")


def _snapshot(gateway, request: HttpRequest) -> HttpResponse:
    """``?name=N`` saves on the server; without a name the snapshot file is the response body."""
    started = time.perf_counter()
    name = request.query.get("name")
    if name:
        path = snapshot_path(gateway, name)
        save(gateway, path)
        return _timed(started, status="saved", name=name, bytes=path.stat().st_size)
    with tempfile.TemporaryDirectory(prefix="rootplane-snapshot-") as work:
        path = Path(work) / "snapshot.db"
        save(gateway, path)
        body = path.read_bytes()
    return HttpResponse(200, [("Content-Type", SNAPSHOT_TYPE),
                              ("Content-Disposition", 'attachment; filename="rootplane-snapshot.db"')], body)


def _restore(gateway, request: HttpRequest) -> HttpResponse:
    """``?name=N`` restores a snapshot saved on the server; otherwise the request body is the snapshot file."""
    started = time.perf_counter()
    name = request.query.get("name")
    if name:
        path = snapshot_path(gateway, name)
        if not path.exists():
            return _json({"error": f"no snapshot named {name!r} (save one with POST /_rootplane/snapshot?name=...)"},
                         404)
        revision = restore(gateway, path)
        return _timed(started, status="restored", name=name, revision=revision)
    if not request.body:
        return _json({"error": "send a snapshot file as the body, or name a saved one with ?name=..."}, 400)
    with tempfile.TemporaryDirectory(prefix="rootplane-restore-") as work:
        path = Path(work) / "upload.db"
        path.write_bytes(request.body)
        revision = restore(gateway, path)
    return _timed(started, status="restored", revision=revision)


def _refusing(route):
    def answer(gateway, request: HttpRequest) -> HttpResponse:
        try:
            return route(gateway, request)
        except SnapshotError as error:
            return _json({"error": str(error)}, 400)
    return answer


#: path -> handler of ``POST`` requests (dispatched by gateway/internal.py).
STATE_ROUTES = {"/_rootplane/reset": _refusing(_reset), "/_rootplane/snapshot": _refusing(_snapshot),
                "/_rootplane/restore": _refusing(_restore)}
