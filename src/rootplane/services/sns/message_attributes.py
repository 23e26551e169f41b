"""Publish's MessageAttributes: the names, types and values SNS accepts, refused one by one as SNS words it
(ParameterValueInvalid, the InvalidParameterValueException of botocore's model)."""

from __future__ import annotations

import re
from typing import Any

from rootplane.core.errors import AwsError

__all__ = ["check"]

_TYPE = re.compile(r"^(String|Number|Binary)(\..+)?$")
_NAME_CHARACTERS = re.compile(r"[A-Za-z0-9_.\-]")


def _invalid(message: str) -> AwsError:
    return AwsError("ParameterValueInvalid", message, 400)


def _check_name(name: str) -> None:
    """Letters, digits, ``_``, ``-`` and ``.``; no ``.`` first, last or twice in a row."""
    if name.startswith("."):
        raise _invalid("Invalid message attribute name starting with character '.' was found.")
    if name.endswith("."):
        raise _invalid("Invalid message attribute name ending with character '.' was found.")
    for character in name:
        if not _NAME_CHARACTERS.fullmatch(character):
            raise _invalid(f"Invalid non-alphanumeric character '#x{ord(character):X}' was found in the message "
                           "attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.")
    if ".." in name:
        raise _invalid("Message attribute name can not have successive '.' character.")


def check(attributes: dict[str, dict[str, Any]]) -> None:
    """Raise ParameterValueInvalid for the first attribute SNS would refuse: its name, a type outside String,
    Number and Binary (with an optional ``.label``), or a value missing from the field its type uses or empty."""
    for name, attribute in attributes.items():
        _check_name(name)
        data_type = attribute.get("DataType") or ""
        if not _TYPE.match(data_type):
            raise _invalid(f"The message attribute '{name}' has an invalid message attribute type, the set of "
                           "supported type prefixes is Binary, Number, and String.")
        field = "Binary" if data_type.startswith("Binary") else "String"
        value = attribute.get(f"{field}Value")
        if value is None:
            raise _invalid(f"The message attribute '{name}' with type '{data_type}' must use field '{field}'.")
        if not value:
            raise _invalid(f"The message attribute '{name}' must contain non-empty message attribute value for "
                           f"message attribute type '{data_type}'.")
