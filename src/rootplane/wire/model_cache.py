"""A cache of the compact service models ``models.py`` derives from botocore's files: one file per service.

The files live in a folder named for botocore's version and a digest of the code that derives them, so upgrading
either starts a fresh folder; the files themselves are core/file_cache.py's (digest-checked JSON, renamed into place).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from rootplane.core.file_cache import JsonFileCache, cache_root

__all__ = ["ModelCache"]

_DERIVING_CODE = ("models.py", "model_cache.py")


def _code_key() -> str:
    """botocore's version and a digest of the deriving code: what the cached files depend on."""
    import botocore

    digest = hashlib.sha256()
    for name in _DERIVING_CODE:
        digest.update(Path(__file__).with_name(name).read_bytes())
    return f"models-botocore-{botocore.__version__}-{digest.hexdigest()[:16]}"


class ModelCache(JsonFileCache):
    """Derived models by service name, in ``directory`` (None: nothing is cached)."""

    @classmethod
    def default(cls) -> ModelCache:
        base = cache_root()
        return cls(None if base is None else base / _code_key())
