"""Service providers: one class per AWS API whose methods are the operations (botocore snake_case names)."""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Any

from botocore import xform_name

from rootplane.core.collector import keep_loaded
from rootplane.services.context import Handler

__all__ = ["Provider", "find_provider", "find_handler", "is_read_only", "is_storeless", "takes_write_lock"]

_READ_PREFIXES = ("Get", "List", "Describe", "Lookup", "Head", "Simulate", "Test", "Check")


def is_read_only(operation_name: str) -> bool:
    """Whether an operation only reads, by AWS's naming (CloudTrail's readOnly)."""
    return operation_name.startswith(_READ_PREFIXES)


def takes_write_lock(service: str, operation_name: str, params: dict[str, Any]) -> bool:
    """Whether the operation's transaction writes: all but reads, plus the reads the provider ``writes``."""
    if not is_read_only(operation_name):
        return True
    provider = find_provider(service)
    return provider is not None and provider.writes(operation_name, params)


def is_storeless(service: str, operation_name: str, region: str) -> bool:
    """Whether the operation reads nothing durable in ``region`` (``Provider.storeless``): no transaction."""
    provider = find_provider(service)
    return provider is not None and provider.storeless(operation_name, region)


class Provider:
    """Base class: subclass per service, define ``service_name`` and one method per implemented operation.

    A method ``create_user(self, ctx, params) -> dict`` implements ``CreateUser``. Params and the returned dict
    use the botocore shapes (member names exactly as in the model).
    """

    service_name: str = ""
    # Operations that may wait (long polling, flushing a queue): the server runs them on a worker thread; every
    # other operation runs inline, which avoids a thread hand-off per request.
    waiting_operations: frozenset[str] = frozenset()
    # Operations named like reads (Get...) that write: their transaction takes the write lock up front.
    write_operations: frozenset[str] = frozenset()
    # Operations answered from the authenticated principal alone, needing no authorization (GetCallerIdentity):
    # the gateway opens no store transaction for them and their ``ctx.session`` is None.
    storeless_operations: frozenset[str] = frozenset()

    def storeless(self, operation_name: str, region: str) -> bool:
        """Whether this call needs no store transaction (one of ``storeless_operations``, in any region)."""
        return operation_name in self.storeless_operations

    def writes(self, operation_name: str, params: dict[str, Any]) -> bool:
        """Whether this read (by its name) writes: one of ``write_operations``, or as its ``params`` ask."""
        return operation_name in self.write_operations

    def handler(self, operation_name: str) -> Handler | None:
        return getattr(self, xform_name(operation_name), None)

    def implemented(self, operation_names: list[str]) -> set[str]:
        return {name for name in operation_names if self.handler(name) is not None}


@lru_cache(maxsize=None)
def find_provider(service_name: str) -> Provider | None:
    """The provider of ``rootplane.services.<service>.provider`` (its ``PROVIDER`` attribute), if built."""
    try:
        module = importlib.import_module(f"rootplane.services.{service_name}.provider")
    except ModuleNotFoundError as exc:
        if exc.name == f"rootplane.services.{service_name}.provider" or exc.name == f"rootplane.services.{service_name}":
            return None
        raise
    keep_loaded()  # the provider's modules live as long as the process: out of the collector's walks
    return getattr(module, "PROVIDER", None)


def find_handler(service_name: str, operation_name: str) -> Handler | None:
    provider = find_provider(service_name)
    return provider.handler(operation_name) if provider is not None else None
