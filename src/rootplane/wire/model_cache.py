"""A cache of the compact service models ``models.py`` derives from botocore's files: one file per service.

The files live in a folder named for botocore's version and a digest of the code that derives them, so upgrading
either starts a fresh folder. Each file is ``<SHA-256 of the JSON, hex>\\n<JSON>``, written to a temporary file and
renamed into place (a reader never sees half a file). A file that is missing, truncated, altered or unreadable fails
its digest and is derived again and rewritten; a cache directory that cannot be written only means no cache.
JSON, not pickle or marshal: reading a damaged or planted file can never run code.

Where: ``$ROOTPLANE_CACHE_DIR`` (empty: no cache), else ``$XDG_CACHE_HOME/rootplane``, else ``~/.cache/rootplane``.
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

__all__ = ["ModelCache"]

log = logging.getLogger("rootplane")

_DERIVING_CODE = ("models.py", "model_cache.py")


def _default_directory() -> Path | None:
    configured = os.environ.get("ROOTPLANE_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rootplane"


def _code_key() -> str:
    """botocore's version and a digest of the deriving code: what the cached files depend on."""
    import botocore

    digest = hashlib.sha256()
    for name in _DERIVING_CODE:
        digest.update(Path(__file__).with_name(name).read_bytes())
    return f"models-botocore-{botocore.__version__}-{digest.hexdigest()[:16]}"


class ModelCache:
    """Derived models by service name, in ``directory`` (None: nothing is cached)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory

    @classmethod
    def default(cls) -> ModelCache:
        base = _default_directory()
        return cls(None if base is None else base / _code_key())

    def load(self, name: str, derive: Callable[[str], dict]) -> dict:
        """The cached model of ``name``, or ``derive(name)`` (then cached) when there is no sound cached copy."""
        cached = self._read(name)
        if cached is not None:
            return cached
        data = derive(name)
        self._write(name, data)
        return data

    def _path(self, name: str) -> Path:
        return Path(self.directory or ".") / f"{name}.json"

    def _read(self, name: str) -> dict | None:
        if self.directory is None:
            return None
        try:
            content = self._path(name).read_bytes()
        except OSError:
            return None
        digest, _, body = content.partition(b"\n")
        if hashlib.sha256(body).hexdigest().encode() != digest:
            log.info("rootplane: cached model %s is damaged; deriving it again", name)
            return None
        try:
            return json.loads(body)
        except ValueError:
            return None

    def _write(self, name: str, data: dict) -> None:
        if self.directory is None:
            return
        body = json.dumps(data, separators=(",", ":")).encode()
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=self.directory, prefix=f".{name}.")
        except OSError as exc:
            log.debug("rootplane: model cache not written (%s)", exc)
            return
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
            os.replace(temporary, self._path(name))
        except OSError as exc:
            log.debug("rootplane: model cache not written (%s)", exc)
            with contextlib.suppress(OSError):
                os.unlink(temporary)
