"""Management policy inheritance (tag, backup, AI opt-out... policies): the effective policy of an account.

AWS merges the policies attached at each level, root -> OUs -> account. Value-setting operators:
``@@assign`` replaces the inherited value, ``@@append`` adds to an inherited list, ``@@remove`` takes items out of it
(or drops the key). A plain value counts as ``@@assign``. Child control operators
(``@@operators_allowed_for_child_policies``: ``@@all``, ``@@none`` or a list) limit what lower levels may do to a
key and everything under it. The effective policy carries plain values, no operators.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["effective_policy"]

_CHILD_CONTROL = "@@operators_allowed_for_child_policies"
_SETTERS = ("@@assign", "@@append", "@@remove")
_ALL = frozenset(_SETTERS)
Path = tuple[str, ...]


def effective_policy(levels: list[list[dict[str, Any]]]) -> dict[str, Any]:
    """Merge the policy documents attached at each level (top first) into the effective policy."""
    effective: dict[str, Any] = {}
    limits: dict[Path, frozenset[str]] = {}
    for level in levels:
        granted: dict[Path, frozenset[str]] = {}
        for document in level:
            _merge(effective, document, (), limits, granted)
        limits.update(granted)
    return effective


def _allowed(limits: dict[Path, frozenset[str]], path: Path) -> frozenset[str]:
    """Operators a policy may use at ``path``: the tightest limit set by a higher level on it or an ancestor."""
    allowed = _ALL
    for depth in range(len(path) + 1):
        allowed = allowed & limits.get(path[:depth], _ALL)
    return allowed


def _limit(value: Any) -> frozenset[str]:
    names = set(value if isinstance(value, list) else [value])
    if "@@all" in names:
        return _ALL
    return frozenset(name for name in names if name in _ALL)


def _merge(into: dict[str, Any], document: dict[str, Any], path: Path, limits: dict[Path, frozenset[str]],
           granted: dict[Path, frozenset[str]]) -> None:
    if _CHILD_CONTROL in document:
        granted[path] = _limit(document[_CHILD_CONTROL])
    for key, value in document.items():
        if key.startswith("@@"):
            continue
        here = (*path, key)
        if not isinstance(value, dict):
            _set(into, key, "@@assign", value, _allowed(limits, here))
            continue
        if _CHILD_CONTROL in value:
            granted[here] = _limit(value[_CHILD_CONTROL])
        operators = [op for op in _SETTERS if op in value]
        for op in operators:
            _set(into, key, op, value[op], _allowed(limits, here))
        nested = {k: v for k, v in value.items() if not k.startswith("@@")}
        if nested or not operators:
            child = into.get(key)
            if not isinstance(child, dict):
                child = into[key] = {}
            _merge(child, nested, here, limits, granted)


def _set(into: dict[str, Any], key: str, operator: str, value: Any, allowed: frozenset[str]) -> None:
    if operator not in allowed:
        return
    if operator == "@@assign":
        into[key] = copy.deepcopy(value)
        return
    items = value if isinstance(value, list) else [value]
    current = into.get(key)
    if operator == "@@append":
        merged = list(current) if isinstance(current, list) else ([] if current is None else [current])
        into[key] = merged + [item for item in items if item not in merged]
    elif isinstance(current, list):
        into[key] = [item for item in current if item not in items]
    else:
        into.pop(key, None)
