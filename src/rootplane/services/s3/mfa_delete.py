"""MFA delete: the ``x-amz-mfa`` proof the bucket owner's root user must give to change the versioning state of an
MFA-delete bucket (or to turn MFA delete on or off) and to delete an object version of one for good.

Requests carrying ``x-amz-mfa`` must use HTTPS. The code is checked by the one MFA check
(services/iam/mfa_check.py: window, single use, lockout), before the request writes anything else.
"""

from __future__ import annotations

from rootplane.auth.principal import ROOT
from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.iam.mfa_check import MfaCheck, check_code, owner_of
from rootplane.services.s3.bucket_views import Bucket

__all__ = ["check_transport", "require_mfa", "MFA_REQUIRED", "OWNER_ONLY"]

MFA_REQUIRED = "Mfa Authentication must be used for this request"
OWNER_ONLY = "This operation may only be performed by the bucket owner"


def check_transport(ctx: RequestContext, mfa: str | None) -> None:
    """A request carrying ``x-amz-mfa`` over plain HTTP is refused, whatever it asks."""
    if mfa is not None and not ctx.secure_transport:
        raise AwsError("InvalidRequest", "MFA Authentication must be used with HTTPS: requests that include "
                       "x-amz-mfa must use HTTPS.", 400)


def require_mfa(ctx: RequestContext, bucket: Bucket, mfa: str | None) -> None:
    """The caller is the bucket owner's root user and ``mfa`` ("<serial> <code>") holds a fresh code of its
    MFA device; otherwise AccessDenied: MFA_REQUIRED without ``mfa`` or with a wrong code, OWNER_ONLY for anyone
    else giving one. Records the MFA use for CloudTrail."""
    check_transport(ctx, mfa)
    principal = ctx.principal
    if not mfa:
        raise AwsError("AccessDenied", MFA_REQUIRED, 403)
    if principal.kind != ROOT or principal.account_id != bucket.account_id:
        raise AwsError("AccessDenied", OWNER_ONLY, 403)
    serial, _, code = mfa.strip().partition(" ")
    if not serial or not code.strip():
        raise AwsError("InvalidArgument", "Mfa header is invalid -- the header should be formatted as "
                       "{serialNumber}(space){tokenCode}", 400,
                       fields={"ArgumentName": "x-amz-mfa", "ArgumentValue": mfa})
    outcome = check_code(ctx, serial, code.strip(), owner_of(principal))
    ctx.audit["additional_event_data"] = {**ctx.audit.get("additional_event_data", {}),
                                          "mfaAuthenticated": "true" if outcome is MfaCheck.ACCEPTED else "false"}
    if outcome is not MfaCheck.ACCEPTED:
        raise AwsError("AccessDenied", MFA_REQUIRED, 403)
