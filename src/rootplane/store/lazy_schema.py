"""The schema as the store is given it: the mapped model itself, or a ``LazySchema`` that maps it at its first use
(a store already at head then starts without mapping any table a request does not need, issue #19). SQLAlchemy-free:
the composition root hands it over before anything has loaded SQLAlchemy."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from sqlalchemy import MetaData

__all__ = ["LazySchema", "Schema", "loaded"]


@dataclass(frozen=True)
class LazySchema:
    """The whole schema, loaded (mapped) at its first use; ``key`` names its version without loading it (a digest
    of the sources that define it, from ``fingerprint``: taken only when an empty store is created)."""

    load: Callable[[], MetaData]
    fingerprint: Callable[[], str]

    @functools.cached_property
    def key(self) -> str:
        return self.fingerprint()


#: The mapped model itself, or a ``LazySchema``.
Schema = Union["MetaData", LazySchema]


def loaded(schema: Schema) -> MetaData:
    """The mapped model (loading it now for a ``LazySchema``)."""
    return schema.load() if isinstance(schema, LazySchema) else schema
