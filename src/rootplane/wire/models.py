"""botocore service models for the emulated services, loaded once per process."""

from __future__ import annotations

import re
from functools import lru_cache

from botocore.exceptions import DataNotFoundError
from botocore.loaders import Loader
from botocore.model import ServiceModel

from rootplane.core.services import SERVICES

__all__ = ["SERVICES", "foreign_protocol", "model_data", "service_model", "service_for_signing_name"]

_SERVICE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


@lru_cache(maxsize=1)
def _loader() -> Loader:
    return Loader()


def model_data(name: str) -> dict:
    """The raw (shared, do not mutate) service-2 model dict of ``name`` (one of SERVICES)."""
    if name not in SERVICES:
        raise KeyError(f"unknown service {name!r}")
    return _loader().load_service_model(name, "service-2")


@lru_cache(maxsize=None)
def service_model(name: str) -> ServiceModel:
    """The botocore ServiceModel for ``name`` (one of SERVICES), cached."""
    return ServiceModel(model_data(name), service_name=name)


@lru_cache(maxsize=None)
def _signing_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for name in SERVICES:
        names[name] = name
        names.setdefault(service_model(name).signing_name, name)
        names.setdefault(service_model(name).endpoint_prefix, name)
    return names


def service_for_signing_name(signing_name: str) -> str | None:
    """Map a SigV4 credential-scope service (``iam``, ``s3``...) to one of SERVICES.

    A served service's own name maps to itself without loading every model (the full map is built, loading all
    nine models, only for another name)."""
    if signing_name in SERVICES:
        return signing_name
    return _signing_names().get(signing_name)


@lru_cache(maxsize=64)
def foreign_protocol(name: str) -> str | None:
    """The wire protocol of a botocore service rootplane does not serve, by name (None when botocore knows none)."""
    if not _SERVICE_NAME.fullmatch(name):
        return None
    try:
        return _loader().load_service_model(name, "service-2")["metadata"]["protocol"]
    except DataNotFoundError:
        return None
