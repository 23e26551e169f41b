"""Endpoint host prefixes (``endpoint.hostPrefix`` with ``{Label}``s): read host-bound input members back."""

from __future__ import annotations

import re
from functools import lru_cache

from botocore.model import OperationModel

__all__ = ["host_labels"]

_LABEL = re.compile(r"\{([^}]+)\}")


@lru_cache(maxsize=256)
def _pattern(prefix: str) -> re.Pattern[str]:
    parts: list[str] = []
    position = 0
    for match in _LABEL.finditer(prefix):
        parts.append(re.escape(prefix[position : match.start()]))
        parts.append(f"(?P<{match.group(1)}>[A-Za-z0-9-]{{1,63}})")
        position = match.end()
    parts.append(re.escape(prefix[position:]))
    return re.compile("^" + "".join(parts), re.IGNORECASE)


def host_labels(operation: OperationModel, host: str) -> dict[str, str]:
    """Values of the ``{Label}``s in the operation's host prefix, read from the request's Host (may be empty)."""
    prefix = (operation.endpoint or {}).get("hostPrefix")
    if not prefix or "{" not in prefix:
        return {}
    match = _pattern(prefix).match(host)
    return {k: v for k, v in match.groupdict().items() if v} if match else {}
