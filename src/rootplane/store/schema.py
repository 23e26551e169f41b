"""Import every service's tables so ``Base.metadata`` knows the whole schema."""

from __future__ import annotations

import importlib
import pkgutil

from rootplane.store.base import Base

__all__ = ["load_all_tables", "metadata"]


def load_all_tables() -> None:
    """Import ``rootplane.services.<name>.tables`` for every service package that has one."""
    import rootplane.services as services_pkg

    for module in pkgutil.iter_modules(services_pkg.__path__):
        if module.ispkg:
            try:
                importlib.import_module(f"rootplane.services.{module.name}.tables")
            except ModuleNotFoundError as exc:
                if exc.name != f"rootplane.services.{module.name}.tables":
                    raise


def metadata():
    load_all_tables()
    return Base.metadata
