"""X.509 signing certificates of IAM users and of the root user."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.iam import entities, errors, repo, shapes
from rootplane.services.iam.entities import Target
from rootplane.services.iam.quotas import QUOTAS
from rootplane.services.iam.tables import SigningCertificateRow

__all__ = ["CertificatesMixin"]

_PEM_RE = re.compile(r"-----BEGIN CERTIFICATE-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END CERTIFICATE-----")


def _certificate_id(body: str) -> str:
    """IAM certificate ids are 32 upper-case alphanumerics; derived from the DER bytes (duplicates collide)."""
    match = _PEM_RE.search(body)
    try:
        der = base64.b64decode("".join(match.group(1).split()), validate=True) if match else b""
    except binascii.Error:
        der = b""
    if not der or der[0] != 0x30:
        raise AwsError("MalformedCertificate", "Unable to parse certificate. Please ensure the certificate is "
                              "in PEM format.", 400)
    return base64.b32encode(hashlib.sha256(der).digest()).decode()[:32]


def _shape(target: Target, row: SigningCertificateRow) -> dict[str, Any]:
    shape: dict[str, Any] = {"CertificateId": row.certificate_id, "CertificateBody": row.body, "Status": row.status,
                             "UploadDate": row.uploaded_at}
    if target.user_name:
        shape["UserName"] = target.user_name
    return shape


def _certificate(ctx: RequestContext, target: Target, certificate_id: str) -> SigningCertificateRow:
    row = repo.find_certificate(ctx.session, certificate_id)
    if row is None or row.account_id != ctx.account_id or row.owner_id != target.owner_id:
        raise errors.no_such_entity(f"The Certificate with id {certificate_id} cannot be found.")
    return row


class CertificatesMixin:
    def upload_signing_certificate(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        target = entities.credential_target(ctx, params.get("UserName"))
        certificate_id = _certificate_id(params["CertificateBody"])
        if repo.find_certificate(ctx.session, certificate_id) is not None:
            raise AwsError("DuplicateCertificate", "The Certificate with id "
                                  f"{certificate_id} already exists.", 409)
        quota = QUOTAS["SigningCertificatesPerUserQuota"]
        if repo.count_certificates(ctx.session, ctx.account_id, target.owner_id) >= quota:
            raise errors.limit_exceeded(f"Cannot exceed quota for CertificatesPerUser: {quota}")
        row = repo.put(ctx.session, SigningCertificateRow(
            certificate_id=certificate_id, account_id=ctx.account_id, owner_id=target.owner_id,
            body=params["CertificateBody"], status="Active", uploaded_at=ctx.now(),
        ))
        return {"Certificate": _shape(target, row)}

    def list_signing_certificates(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        target = entities.reading_target(ctx, params.get("UserName"))
        rows = repo.list_certificates(ctx.session, ctx.account_id, target.owner_id)
        page, paging = shapes.page_of(rows, params.get("Marker"), params.get("MaxItems"))
        return {"Certificates": [_shape(target, row) for row in page], **paging}

    def update_signing_certificate(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        target = entities.credential_target(ctx, params.get("UserName"))
        _certificate(ctx, target, params["CertificateId"]).status = params["Status"]
        return None

    def delete_signing_certificate(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        target = entities.credential_target(ctx, params.get("UserName"))
        repo.remove(ctx.session, _certificate(ctx, target, params["CertificateId"]))
        return None
