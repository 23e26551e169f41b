"""botocore service models for the emulated services, each loaded on its first use and kept for the process.

A model is read from botocore's data files directly, not through botocore's ``Loader`` (which lists every service
directory and keeps each file it reads, documentation included, for the life of the process). What the server never
reads (documentation) is dropped, which halves a model's memory, and the result is kept in a compact cache
(``model_cache.py``): later starts read it in a millisecond or two instead of decompressing and parsing botocore's file.
"""

from __future__ import annotations

import gzip
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import botocore
from botocore.model import ServiceModel
from botocore.utils import deep_merge

from rootplane.core.services import SERVICES

from .model_cache import ModelCache

__all__ = ["SERVICES", "TARGET_PREFIXES", "foreign_protocol", "model_data", "service_model", "service_for_signing_name",
           "compact"]

_SERVICE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_DATA = Path(botocore.__file__).with_name("data")
_UNUSED_KEYS = frozenset({"documentation", "documentationUrl"})
_NAMED = frozenset({"shapes", "members", "operations"})

# What routing needs before it knows the service, kept here so no request loads every model to find its own (all
# of them take 45 MiB, EC2's alone 29); tests/wire/test_models.py checks both tables against the models.
#: Credential-scope names of the served services that differ from their model names (``signingName``,
#: ``endpointPrefix``).
_OTHER_SIGNING_NAMES = {"monitoring": "cloudwatch", "tagging": "resourcegroupstaggingapi"}
#: The ``X-Amz-Target`` prefixes (``targetPrefix``) of the served services that have one.
TARGET_PREFIXES = {
    "AWSOrganizationsV20161128": "organizations", "AmazonSQS": "sqs",
    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101": "cloudtrail", "AWSEvents": "events",
    "TrentService": "kms", "AWSSupport_20130415": "support", "Logs_20140328": "logs",
    "GraniteServiceVersion20100801": "cloudwatch", "ResourceGroupsTaggingAPI_20170126": "resourcegroupstaggingapi",
}


def _botocore_file(name: str) -> Path | None:
    """botocore's ``service-2`` file of ``name``'s latest API version (as botocore's Loader picks it), or None."""
    directory = _DATA / name
    if not directory.is_dir():
        return None
    for version in sorted((entry.name for entry in directory.iterdir()), reverse=True):
        for candidate in (directory / version / "service-2.json.gz", directory / version / "service-2.json"):
            if candidate.is_file():
                return candidate
    return None


def _read_botocore(name: str) -> dict | None:
    """``name``'s model as botocore's Loader gives it: the file, with its ``sdk-extras`` merged in (S3's Expires)."""
    path = _botocore_file(name)
    if path is None:
        return None
    raw = path.read_bytes()
    data = json.loads(gzip.decompress(raw) if path.suffix == ".gz" else raw)
    extras = path.with_name("service-2.sdk-extras.json")
    if extras.is_file():
        deep_merge(data, json.loads(extras.read_bytes()).get("merge", {}))
    return data


def compact(value: Any, names: bool = False) -> Any:
    """A model without what the server never reads (documentation): same shapes, traits and operations.
    ``names``: ``value`` maps names to definitions (shapes, members, operations), whose keys are all kept."""
    if isinstance(value, dict):
        return {key: compact(item, not names and key in _NAMED) for key, item in value.items()
                if names or key not in _UNUSED_KEYS}
    if isinstance(value, list):
        return [compact(item) for item in value]
    return value


def _derive(name: str) -> dict:
    data = _read_botocore(name)
    if data is None:
        raise KeyError(f"botocore has no model of {name!r}")
    return compact(data)


@lru_cache(maxsize=1)
def _cache() -> ModelCache:
    return ModelCache.default()


@lru_cache(maxsize=None)
def model_data(name: str) -> dict:
    """The compact (shared, do not mutate) service-2 model dict of ``name`` (one of SERVICES)."""
    if name not in SERVICES:
        raise KeyError(f"unknown service {name!r}")
    return _cache().load(name, _derive)


@lru_cache(maxsize=None)
def service_model(name: str) -> ServiceModel:
    """The botocore ServiceModel for ``name`` (one of SERVICES), cached."""
    return ServiceModel(model_data(name), service_name=name)


def service_for_signing_name(signing_name: str) -> str | None:
    """Map a SigV4 credential-scope service (``iam``, ``monitoring``...) to one of SERVICES, loading no model."""
    if signing_name in SERVICES:
        return signing_name
    return _OTHER_SIGNING_NAMES.get(signing_name)


@lru_cache(maxsize=64)
def foreign_protocol(name: str) -> str | None:
    """The wire protocol of a botocore service rootplane does not serve, by name (None when botocore knows none).
    Only the protocol is kept, not the model."""
    if not _SERVICE_NAME.fullmatch(name):
        return None
    data = _read_botocore(name)
    return None if data is None else data["metadata"]["protocol"]
