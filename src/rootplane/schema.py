"""The whole schema: every service's tables, collected where the server is assembled.

The store knows no service (imports flow downward): whoever builds a ``Store`` that creates, migrates, snapshots or
wipes tables hands it this ``MetaData`` (the CLI's ``state`` commands), or ``lazy()``, which maps it only when the
store needs it (server.py: a server maps each service's tables when a request first needs them).
"""

from __future__ import annotations

import importlib
import pkgutil

from pathlib import Path
from typing import TYPE_CHECKING

from rootplane.store.lazy_schema import LazySchema

if TYPE_CHECKING:
    from sqlalchemy import MetaData

__all__ = ["metadata", "lazy", "fingerprint"]


def _load_all_tables() -> None:
    """Import ``rootplane.services.<name>.tables`` for every service package that has one."""
    import rootplane.services as services_pkg

    for module in pkgutil.iter_modules(services_pkg.__path__):
        if module.ispkg:
            try:
                importlib.import_module(f"rootplane.services.{module.name}.tables")
            except ModuleNotFoundError as exc:
                if exc.name != f"rootplane.services.{module.name}.tables":
                    raise


def metadata() -> MetaData:
    """Every table of every service (cross-service foreign keys resolve whichever service runs first)."""
    from rootplane.store.base import Base  # the ORM's declarative base: loaded with the first table

    _load_all_tables()
    return Base.metadata


def fingerprint() -> str:
    """A digest of the sources that define the schema (store/base.py, store/types.py and every
    ``services/*/tables.py``), read as bytes: it changes whenever a table may have, without importing (mapping) any."""
    import hashlib

    import rootplane.services as services_pkg

    store = Path(__file__).with_name("store")
    digest = hashlib.sha256((store / "base.py").read_bytes() + (store / "types.py").read_bytes())
    for module in sorted(pkgutil.iter_modules(services_pkg.__path__), key=lambda found: found.name):
        tables = Path(module.module_finder.path) / module.name / "tables.py"  # type: ignore[union-attr]
        if module.ispkg and tables.exists():
            digest.update(module.name.encode() + b"\0" + tables.read_bytes())
    return digest.hexdigest()


def lazy() -> LazySchema:
    """The whole schema, mapped at its first use (server start-up maps only the tables requests need)."""
    return LazySchema(load=metadata, fingerprint=fingerprint)
