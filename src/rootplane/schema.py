"""The whole schema: every service's tables, collected where the server is assembled.

The store knows no service (imports flow downward): whoever builds a ``Store`` that creates, migrates, snapshots or
wipes tables hands it this ``MetaData``. server.py and the CLI's ``state`` commands do.
"""

from __future__ import annotations

import importlib
import pkgutil

from sqlalchemy import MetaData

from rootplane.store.base import Base

__all__ = ["metadata"]


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
    _load_all_tables()
    return Base.metadata
