"""SSL/TLS server certificates: upload (PEM parsed for the expiration and the key pair), read, list by path, rename,
tags."""

from __future__ import annotations

from typing import Any

from rootplane.core import ids
from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.iam import der, errors, inputs, repo, shapes
from rootplane.services.iam.quotas import QUOTAS
from rootplane.services.iam.tables import ServerCertificateRow

__all__ = ["ServerCertificatesMixin"]

_PRIVATE_KEY_LABELS = ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY")


def _malformed(message: str) -> AwsError:
    return AwsError("MalformedCertificate", message, 400)


def _parsed_certificate(body: str) -> tuple[bytes, Any]:
    """The DER and notAfter of ``body``, which must be one PEM certificate (MalformedCertificate otherwise)."""
    try:
        blocks = der.pem_blocks(body)
        if len(blocks) != 1 or blocks[0][0] != "CERTIFICATE":
            raise der.DerError("one certificate expected")
        return blocks[0][1], der.certificate_validity(blocks[0][1])[1]
    except der.DerError:
        raise _malformed("Unable to parse certificate. Please ensure the certificate is in PEM format.") from None


def _check_key_pair(certificate: bytes, text: str) -> None:
    """MalformedCertificate unless ``text`` is one PEM private key; KeyPairMismatch when the certificate's key or the
    private key is RSA and the two moduli differ (IAM API reference, UploadServerCertificate errors)."""
    unparsable = _malformed("Unable to parse private key. Please ensure the private key is in PEM format.")
    try:
        blocks = der.pem_blocks(text)
    except der.DerError:
        blocks = []
    if len(blocks) != 1 or blocks[0][0] not in _PRIVATE_KEY_LABELS:
        raise unparsable
    try:
        private = der.rsa_private_modulus(*blocks[0])
    except der.DerError:
        raise unparsable from None
    try:
        public: int | None = der.rsa_from_spki(der.certificate_spki(certificate))[0]
    except der.DerError:
        public = None
    if public != private:
        raise AwsError("KeyPairMismatch", "The public key certificate and the private key do not match.", 400)


def _check_chain(certificate: bytes, text: str | None) -> None:
    """MalformedCertificate unless ``text`` is PEM certificates, each the issuer of the one before it (the first,
    of the certificate body's): AWS numbers the certificate whose issuer does not follow from -1 (the body)."""
    if text is None:
        return
    try:
        blocks = der.pem_blocks(text)
        for label, body in blocks:
            if label != "CERTIFICATE":
                raise der.DerError(label)
            der.certificate_validity(body)
        if not blocks:
            raise der.DerError("empty")
        names = [der.certificate_names(body) for body in (certificate, *(body for _, body in blocks))]
    except der.DerError:
        raise _malformed("Unable to parse certificate chain. Please ensure the chain is in PEM format.") from None
    for index, ((issuer, _), (_, subject)) in enumerate(zip(names, names[1:]), start=-1):
        if issuer != subject:
            raise _malformed(
                "Unable to validate certificate chain. The certificate chain must start with the immediate signing "
                "certificate, followed by any intermediaries in order. The index within the chain of the invalid "
                f"certificate is: {index}")


def _certificate(ctx: RequestContext, name: str) -> ServerCertificateRow:
    row = repo.find_named(ctx.session, ServerCertificateRow, ctx.account_id, name)
    if row is None:
        raise errors.no_such_entity(f"The Server Certificate with name {name} cannot be found.")
    return row


def _metadata(row: ServerCertificateRow) -> dict[str, Any]:
    shape = {"Path": row.path, "ServerCertificateName": row.certificate_name,
             "ServerCertificateId": row.certificate_id, "Arn": row.arn, "UploadDate": row.uploaded_at}
    if row.expires_at is not None:
        shape["Expiration"] = row.expires_at
    return shape


class ServerCertificatesMixin:
    def upload_server_certificate(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["ServerCertificateName"]
        path = inputs.check_path(params.get("Path"))
        exists = errors.already_exists(f"The Server Certificate with name {name} already exists.")
        if repo.find_named(ctx.session, ServerCertificateRow, ctx.account_id, name) is not None:
            raise exists
        quota = QUOTAS["ServerCertificatesQuota"]
        if repo.reached_quota(ctx.session, ServerCertificateRow, ctx.account_id, quota):
            raise errors.limit_exceeded(f"Cannot exceed quota for ServerCertificatesPerAccount: {quota}")
        certificate, expires_at = _parsed_certificate(params["CertificateBody"])
        _check_key_pair(certificate, params["PrivateKey"])
        _check_chain(certificate, params.get("CertificateChain"))
        row = repo.put(ctx.session, ServerCertificateRow(
            certificate_id=ids.unique_id("ASCA"), account_id=ctx.account_id, certificate_name=name,
            name_key=name.lower(), path=path, body=params["CertificateBody"], chain=params.get("CertificateChain"),
            uploaded_at=ctx.now(), expires_at=expires_at, tag_list=inputs.merge_tags([], params.get("Tags")),
        ), conflict=exists)
        result: dict[str, Any] = {"ServerCertificateMetadata": _metadata(row)}
        if row.tag_list:
            result["Tags"] = shapes.tags(row.tag_list)
        return result

    def get_server_certificate(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _certificate(ctx, params["ServerCertificateName"])
        shape: dict[str, Any] = {"ServerCertificateMetadata": _metadata(row), "CertificateBody": row.body,
                                 "Tags": shapes.tags(row.tag_list)}
        if row.chain:
            shape["CertificateChain"] = row.chain
        return {"ServerCertificate": shape}

    def list_server_certificates(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        page = repo.list_named(ctx.session, ServerCertificateRow, ctx.account_id, params.get("PathPrefix"),
                               params.get("Marker"), params.get("MaxItems"))
        return shapes.listing("ServerCertificateMetadataList", [_metadata(row) for row in page.rows], page)

    def update_server_certificate(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _certificate(ctx, params["ServerCertificateName"])
        new_name = params.get("NewServerCertificateName")
        if new_name and new_name.lower() != row.name_key:
            exists = errors.already_exists(f"The Server Certificate with name {new_name} already exists.")
            if repo.find_named(ctx.session, ServerCertificateRow, ctx.account_id, new_name) is not None:
                raise exists
            row.certificate_name, row.name_key = new_name, new_name.lower()
            repo.flush(ctx.session, conflict=exists)
        elif new_name:
            row.certificate_name = new_name
        if params.get("NewPath") is not None:
            row.path = inputs.check_path(params["NewPath"], "newPath")
        return None

    def delete_server_certificate(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        repo.remove(ctx.session, _certificate(ctx, params["ServerCertificateName"]))
        return None

    def tag_server_certificate(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _certificate(ctx, params["ServerCertificateName"])
        row.tag_list = inputs.merge_tags(row.tag_list, params["Tags"])
        return None

    def untag_server_certificate(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _certificate(ctx, params["ServerCertificateName"])
        row.tag_list = inputs.remove_tags(row.tag_list, params["TagKeys"])
        return None

    def list_server_certificate_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return shapes.tag_page(_certificate(ctx, params["ServerCertificateName"]).tag_list, params)
