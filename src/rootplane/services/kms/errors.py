"""KMS's errors, worded as KMS words them."""

from __future__ import annotations

from rootplane.core.errors import AwsError

__all__ = ["check_dry_run", "not_found", "validation", "invalid_state", "disabled", "invalid_key_usage", "malformed_policy",
           "invalid_ciphertext", "already_exists", "invalid_alias", "invalid_grant_id", "invalid_arn", "invalid_marker"]


def check_dry_run(params: dict) -> None:
    """DryRun: every check passed, nothing is done (KMS answers DryRunOperationException, HTTP 412)."""
    if params.get("DryRun"):
        raise AwsError("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.",
                       412)


def not_found(message: str) -> AwsError:
    return AwsError("NotFoundException", message, 400)


def validation(message: str) -> AwsError:
    return AwsError("ValidationException", message, 400)


def invalid_state(message: str) -> AwsError:
    return AwsError("KMSInvalidStateException", message, 400)


def disabled(key_arn: str) -> AwsError:
    return AwsError("DisabledException", f"{key_arn} is disabled.", 400)


def invalid_key_usage(message: str) -> AwsError:
    return AwsError("InvalidKeyUsageException", message, 400)


def malformed_policy(message: str) -> AwsError:
    return AwsError("MalformedPolicyDocumentException", message, 400)


def invalid_ciphertext() -> AwsError:
    return AwsError("InvalidCiphertextException", "", 400)


def already_exists(message: str) -> AwsError:
    return AwsError("AlreadyExistsException", message, 400)


def invalid_alias(message: str) -> AwsError:
    return AwsError("InvalidAliasNameException", message, 400)


def invalid_grant_id() -> AwsError:
    return AwsError("InvalidGrantIdException", "Invalid grant id", 400)


def invalid_arn(message: str) -> AwsError:
    return AwsError("InvalidArnException", message, 400)


def invalid_marker() -> AwsError:
    return AwsError("InvalidMarkerException", "The marker that specifies where pagination should next begin is not "
                    "valid.", 400)
