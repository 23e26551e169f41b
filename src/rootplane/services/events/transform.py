"""What a target receives: the event, a constant Input, an InputPath selection, or an InputTransformer. Pure."""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["InvalidPath", "select_path", "check_path", "check_transformer", "render"]

_STEP = re.compile(r"\.([A-Za-z0-9_\-$@]+)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")
_VARIABLE_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")
_MISSING = object()


class InvalidPath(ValueError):
    """Not a JSON path EventBridge accepts."""


def _steps(path: str) -> list[str | int]:
    if not path.startswith("$"):
        raise InvalidPath(path)
    steps: list[str | int] = []
    position = 1
    while position < len(path):
        found = _STEP.match(path, position)
        if found is None:
            raise InvalidPath(path)
        name, index, quoted, double_quoted = found.groups()
        steps.append(int(index) if index is not None else next(v for v in (name, quoted, double_quoted) if v is not None))
        position = found.end()
    return steps


def check_path(path: str) -> None:
    """Raise InvalidPath unless ``path`` is a supported JSON path (``$``, ``$.a.b``, ``$.a[0]``, ``$['a b']``)."""
    _steps(path)


def select_path(event: Any, path: str) -> Any:
    """The value at ``path`` in ``event``, or ``None`` when absent."""
    value = event
    for step in _steps(path):
        if isinstance(step, int) and isinstance(value, list) and step < len(value):
            value = value[step]
        elif isinstance(step, str) and isinstance(value, dict) and step in value:
            value = value[step]
        else:
            return None
    return value


def check_transformer(paths_map: dict[str, str], template: str) -> None:
    """Validate an InputTransformer's variable names and paths (ValueError with AWS's reason)."""
    if len(paths_map) > 100:
        raise ValueError("InputPathsMap has more than 100 entries.")
    for name, path in paths_map.items():
        if not _VARIABLE_NAME.match(name) or name.startswith("aws."):
            raise ValueError(f"InputPathsMap contains invalid key {name}.")
        try:
            check_path(path)
        except InvalidPath:
            raise ValueError(f"Invalid InputPathsMap value for key {name}: {path}") from None


def _inside_string(text: str, position: int) -> bool:
    quotes = 0
    escaped = False
    for char in text[:position]:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quotes += 1
    return quotes % 2 == 1


def _substitute(template: str, values: dict[str, Any]) -> str:
    json_template = template.strip()[:1] in ("{", "[")
    parts: list[str] = []
    last = 0
    for found in _PLACEHOLDER.finditer(template):
        name = found.group(1)
        if name not in values:
            continue
        value = values[name]
        parts.append(template[last:found.start()])
        if json_template and not _inside_string(template, found.start()):
            parts.append(json.dumps(value))
        elif isinstance(value, str):
            parts.append(json.dumps(value)[1:-1] if json_template else value)
        else:
            parts.append("" if value is None else json.dumps(value))
        last = found.end()
    parts.append(template[last:])
    return "".join(parts)


def render(target: dict[str, Any], event: dict[str, Any], rule_name: str, rule_arn: str) -> str:
    """The message body for one target and one matched event."""
    if target.get("Input") is not None:
        return target["Input"]
    if target.get("InputPath"):
        return _compact(select_path(event, target["InputPath"]))
    transformer = target.get("InputTransformer")
    if transformer:
        values = {name: select_path(event, path) for name, path in (transformer.get("InputPathsMap") or {}).items()}
        values.update({
            "aws.events.rule-arn": rule_arn, "aws.events.rule-name": rule_name,
            "aws.events.event.ingestion-time": event.get("time"), "aws.events.event": event,
            "aws.events.event.json": event,
        })
        return _substitute(transformer["InputTemplate"], values)
    return _compact(event)


def _compact(value: Any) -> str:
    """JSON as EventBridge delivers events: without spaces (``{"version":"0","id":...}``)."""
    return json.dumps(value, separators=(",", ":"))
