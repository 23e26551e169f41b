"""The AWS services rootplane serves (botocore model names), known without loading any model."""

from __future__ import annotations

import importlib
from functools import lru_cache
from types import ModuleType

__all__ = ["SERVICES", "GLOBAL_SERVICES", "home_region", "event_source", "namespace_of", "optional_module"]

SERVICES: tuple[str, ...] = ("iam", "sts", "organizations", "account", "s3", "sqs", "cloudtrail", "events", "sns", "kms",
                             "support", "logs", "cloudwatch", "ec2",
                             "resourcegroupstaggingapi")

# Services whose calls all go to us-east-1 whatever region a client signs for: CloudTrail records them there, and
# aws:RequestedRegion is us-east-1 for them ("IAM calls are always made to the us-east-1 Region").
GLOBAL_SERVICES = frozenset({"iam", "organizations", "account", "signin", "support"})


def home_region(service: str, region: str) -> str:
    """The region a call to ``service`` made through ``region`` is served in: us-east-1 for global services."""
    return "us-east-1" if service in GLOBAL_SERVICES else region


# CloudTrail's eventSource host where it is not the service's own name (its endpoint prefix), and the IAM
# namespace of such a host.
_SOURCE_HOSTS = {"cloudwatch": "monitoring", "resourcegroupstaggingapi": "tagging"}
_NAMESPACES = {"monitoring": "cloudwatch", "tagging": "tag"}


def event_source(service: str) -> str:
    """A service's CloudTrail ``eventSource``: ``iam.amazonaws.com``, ``monitoring.amazonaws.com``."""
    return f"{_SOURCE_HOSTS.get(service, service)}.amazonaws.com"


def namespace_of(source: str) -> str:
    """The IAM namespace (and EventBridge ``aws.<namespace>`` source) of an ``eventSource``: ``cloudwatch`` for
    ``monitoring.amazonaws.com``, ``s3`` for ``s3.amazonaws.com``."""
    host = source.split(".", 1)[0]
    return _NAMESPACES.get(host, host)


@lru_cache(maxsize=None)
def optional_module(module_name: str) -> ModuleType | None:
    """A module of an optional piece (a service's policy source, its repo...), or None when it is not built."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if module_name.startswith(exc.name or "\0"):
            return None
        raise
