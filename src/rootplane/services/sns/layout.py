"""The text of the JSON documents SNS delivers (SQS message bodies, HTTP(S) POST bodies, email-json mails), laid out
as SNS lays them out: one member a line, two-space indent, ``"Name" : value``, non-ASCII characters unescaped, and a
nested object (MessageAttributes) one member a line, each value on one line without spaces::

    {
      "Type" : "Notification",
      ...
      "MessageAttributes" : {
        "store" : {"Type":"String","Value":"example_corp"}
      }
    }

The layout is only the text: signatures are computed over the canonical string (signing.py), never over it.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["render"]


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _member(name: str, value: Any) -> str:
    """One top-level member; an object's own members each on a line of their own, their values compact."""
    if isinstance(value, dict) and value:
        inner = ",\n".join(f"    {_compact(key)} : {_compact(nested)}" for key, nested in value.items())
        return f"  {_compact(name)} : {{\n{inner}\n  }}"
    return f"  {_compact(name)} : {_compact(value)}"


def render(document: dict[str, Any]) -> str:
    """``document`` (its members in the order given) as the text SNS delivers."""
    return "{\n" + ",\n".join(_member(name, value) for name, value in document.items()) + "\n}"
