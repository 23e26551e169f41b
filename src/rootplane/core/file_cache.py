"""A cache of derived JSON documents on disk, one file per name, for what is slow to derive on every start.

Each file is ``<SHA-256 of the JSON, hex>\\n<JSON>``, written to a temporary file and renamed into place (a reader
never sees half a file). A file that is missing, truncated, altered or unreadable fails its digest and is derived
again and rewritten; a cache directory that cannot be written only means no cache. JSON, not pickle or marshal:
reading a damaged or planted file can never run code; a file or folder that another user owns or may write is not
read at all.

Where: ``$ROOTPLANE_CACHE_DIR`` (empty: no cache), else ``$XDG_CACHE_HOME/rootplane``, else ``~/.cache/rootplane``;
each user of the cache keeps its files in a folder named for what they depend on (``cache_root() / key``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["JsonFileCache", "cache_root"]

log = logging.getLogger("rootplane")


def cache_root() -> Path | None:
    """The directory every rootplane cache lives under (None: caching is off)."""
    configured = os.environ.get("ROOTPLANE_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rootplane"


def _trusted(status: os.stat_result) -> bool:
    """Whether a cache file or folder is this user's and nobody else may write it (a planted schema or model could
    change what a store creates or how requests are read)."""
    return status.st_uid == os.geteuid() and not status.st_mode & 0o022


class JsonFileCache:
    """JSON documents by name, in ``directory`` (None: nothing is cached)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory

    def load(self, name: str, derive: Callable[[str], Any]) -> Any:
        """The cached document ``name``, or ``derive(name)`` (then cached) when there is no sound cached copy."""
        cached = self.read(name)
        if cached is not None:
            return cached
        data = derive(name)
        self.write(name, data)
        return data

    def _path(self, name: str) -> Path:
        return Path(self.directory or ".") / f"{name}.json"

    def read(self, name: str) -> Any:
        """The cached document ``name``, or None when there is none or it is damaged."""
        if self.directory is None:
            return None
        try:
            with open(self._path(name), "rb") as handle:
                if not (_trusted(os.fstat(handle.fileno())) and _trusted(os.stat(self.directory))):
                    log.warning("rootplane: cached %s in %s is not this user's alone; not using it", name,
                                self.directory)
                    return None
                content = handle.read()
        except OSError:
            return None
        digest, _, body = content.partition(b"\n")
        if hashlib.sha256(body).hexdigest().encode() != digest:
            log.info("rootplane: cached %s in %s is damaged; deriving it again", name, self.directory)
            return None
        try:
            return json.loads(body)
        except ValueError:
            return None

    def write(self, name: str, data: Any) -> None:
        """Keep ``data`` as the document ``name`` (silently nothing when the directory cannot be written)."""
        if self.directory is None:
            return
        body = json.dumps(data, separators=(",", ":")).encode()
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=self.directory, prefix=f".{name}.")
        except OSError as exc:
            log.debug("rootplane: cache %s not written (%s)", self.directory, exc)
            return
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
            os.replace(temporary, self._path(name))
        except OSError as exc:
            log.debug("rootplane: cache %s not written (%s)", self.directory, exc)
            with contextlib.suppress(OSError):
                os.unlink(temporary)
