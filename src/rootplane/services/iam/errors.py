"""IAM's modelled errors with AWS's codes, statuses and message wording."""

from __future__ import annotations

from rootplane.core.errors import AwsError

__all__ = [
    "no_such_entity", "already_exists", "limit_exceeded", "delete_conflict", "malformed_policy", "invalid_input",
    "validation", "unmodifiable", "not_attachable", "invalid_code", "password_violation", "invalid_user_type",
]


def no_such_entity(message: str) -> AwsError:
    return AwsError("NoSuchEntity", message, 404)


def already_exists(message: str) -> AwsError:
    return AwsError("EntityAlreadyExists", message, 409)


def limit_exceeded(message: str) -> AwsError:
    return AwsError("LimitExceeded", message, 409)


def delete_conflict(message: str) -> AwsError:
    return AwsError("DeleteConflict", message, 409)


def malformed_policy(message: str) -> AwsError:
    return AwsError("MalformedPolicyDocument", message, 400)


def invalid_input(message: str) -> AwsError:
    return AwsError("InvalidInput", message, 400)


def validation(message: str) -> AwsError:
    return AwsError("ValidationError", message, 400)


def unmodifiable(message: str) -> AwsError:
    return AwsError("UnmodifiableEntity", message, 400)


def not_attachable(message: str) -> AwsError:
    return AwsError("PolicyNotAttachable", message, 400)


def invalid_code(message: str = "Authentication code for device is not valid.") -> AwsError:
    return AwsError("InvalidAuthenticationCode", message, 403)


def password_violation(message: str) -> AwsError:
    return AwsError("PasswordPolicyViolation", message, 400)


def invalid_user_type(message: str) -> AwsError:
    return AwsError("InvalidUserType", message, 400)
