"""Account service errors (rest-json; ValidationException carries ``reason`` and ``fieldList``)."""

from __future__ import annotations

from rootplane.core.errors import AwsError

__all__ = ["field_invalid", "region_invalid", "not_found", "conflict", "validation"]


def validation(message: str, reason: str | None = None, field: str | None = None) -> AwsError:
    fields: dict[str, object] = {}
    if reason:
        fields["reason"] = reason
    if field:
        fields["fieldList"] = [{"name": field, "message": message}]
    return AwsError("ValidationException", message, 400, fields=fields)


def field_invalid(field: str, message: str) -> AwsError:
    return validation(message, "fieldValidationFailed", field)


def region_invalid(region_name: str) -> AwsError:
    return field_invalid("RegionName", f"{region_name} is not a valid region for opt-in or opt-out.")


def not_found(message: str) -> AwsError:
    return AwsError("ResourceNotFoundException", message, 404)


def conflict(message: str) -> AwsError:
    return AwsError("ConflictException", message, 409)
