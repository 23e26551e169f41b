"""MFA codes sent to STS (GetSessionToken, AssumeRole ``SerialNumber`` + ``TokenCode``), with AWS's refusals.

The check itself (windows, single use, lockout) is services/iam/mfa_check.py; this module only words the answer
as STS does (aws-captures/mfa.json): a wrong code, or a device that is unknown, not the caller's or locked.
"""

from __future__ import annotations

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.iam.mfa_check import MfaCheck, check_code, owner_of

__all__ = ["require_mfa", "WRONG_CODE_MESSAGE", "UNVERIFIED_DEVICE_MESSAGE"]

WRONG_CODE_MESSAGE = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
UNVERIFIED_DEVICE_MESSAGE = ("MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA "
                             "serial number is valid and associated with this user.")


def require_mfa(ctx: RequestContext, serial_number: str, token_code: str) -> None:
    """Accept a fresh valid code of the caller's MFA device, or raise STS's ``AccessDenied`` (403)."""
    outcome = check_code(ctx, serial_number, token_code, owner_of(ctx.principal))
    if outcome is MfaCheck.ACCEPTED:
        return
    message = WRONG_CODE_MESSAGE if outcome is MfaCheck.WRONG_CODE else UNVERIFIED_DEVICE_MESSAGE
    raise AwsError("AccessDenied", message, 403)
