"""SSH public keys of IAM users (AWS CodeCommit): ssh-rsa or PEM RSA keys of at least 2048 bits."""

from __future__ import annotations

import base64
import binascii
import hashlib
import string
import textwrap
from typing import Any

from rootplane.core import ids
from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.iam import der, entities, errors, repo, shapes
from rootplane.services.iam.entities import Target
from rootplane.services.iam.tables import SshPublicKeyRow

__all__ = ["SshKeysMixin"]

KEYS_PER_USER = 5
MINIMUM_BITS = 2048


def _rsa_key(body: str) -> tuple[int, int]:
    """(modulus, exponent) of an ``ssh-rsa ...`` line or a PEM public key."""
    text = body.strip()
    try:
        if text.startswith("ssh-rsa "):
            return der.rsa_from_ssh(base64.b64decode(text.split()[1], validate=True))
        blocks = der.pem_blocks(text)
        if len(blocks) == 1 and blocks[0][0] == "PUBLIC KEY":
            return der.rsa_from_spki(blocks[0][1])
    except (der.DerError, binascii.Error, IndexError):
        raise AwsError("InvalidPublicKey", "The public key is not valid.", 400) from None
    raise AwsError("UnrecognizedPublicKeyEncoding",
                   "The public key encoding format is unsupported or unrecognized.", 400)


def _fingerprint(modulus: int, exponent: int) -> str:
    digest = hashlib.md5(der.ssh_blob(modulus, exponent)).hexdigest()  # noqa: S324 - the SSH fingerprint format
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def _encoded(row: SshPublicKeyRow, encoding: str) -> str:
    modulus, exponent = _rsa_key(row.body)
    if encoding == "SSH":
        return "ssh-rsa " + base64.b64encode(der.ssh_blob(modulus, exponent)).decode()
    pem = "\n".join(textwrap.wrap(base64.b64encode(der.spki(modulus, exponent)).decode(), 64))
    return f"-----BEGIN PUBLIC KEY-----\n{pem}\n-----END PUBLIC KEY-----\n"


def _key(ctx: RequestContext, target: Target, key_id: str) -> SshPublicKeyRow:
    row = ctx.session.get(SshPublicKeyRow, key_id)
    if row is None or row.user_id != target.owner_id:
        raise errors.no_such_entity(f"The Public Key with id {key_id} cannot be found.")
    return row


def _shape(target: Target, row: SshPublicKeyRow, *, body: str | None = None) -> dict[str, Any]:
    shape: dict[str, Any] = {"UserName": target.user_name, "SSHPublicKeyId": row.key_id, "Status": row.status,
                             "UploadDate": row.uploaded_at}
    if body is not None:
        shape.update(Fingerprint=row.fingerprint, SSHPublicKeyBody=body)
    return shape


class SshKeysMixin:
    def upload_ssh_public_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        target = entities.credential_target(ctx, params["UserName"])
        modulus, exponent = _rsa_key(params["SSHPublicKeyBody"])
        if modulus.bit_length() < MINIMUM_BITS:
            raise AwsError("InvalidPublicKey", f"The public key must be at least {MINIMUM_BITS} bits long.", 400)
        fingerprint = _fingerprint(modulus, exponent)
        if repo.find_ssh_key_by_fingerprint(ctx.session, target.owner_id, fingerprint) is not None:
            raise AwsError("DuplicateSSHPublicKey", "The public key is already associated with this user.", 400)
        if repo.count_ssh_keys(ctx.session, target.owner_id) >= KEYS_PER_USER:
            raise errors.limit_exceeded(f"Cannot exceed quota for PublicKeysPerUser: {KEYS_PER_USER}")
        row = repo.put(ctx.session, SshPublicKeyRow(
            key_id="APKA" + ids.random_string(16, string.ascii_uppercase + string.digits), account_id=ctx.account_id,
            user_id=target.owner_id, body=params["SSHPublicKeyBody"].strip(), fingerprint=fingerprint,
            status="Active", uploaded_at=ctx.now(),
        ))
        return {"SSHPublicKey": _shape(target, row, body=row.body)}

    def get_ssh_public_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        target = entities.reading_target(ctx, params["UserName"])
        row = _key(ctx, target, params["SSHPublicKeyId"])
        return {"SSHPublicKey": _shape(target, row, body=_encoded(row, params["Encoding"]))}

    def list_ssh_public_keys(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        target = entities.reading_target(ctx, params.get("UserName"))
        if target.user is None:
            return {"SSHPublicKeys": [], "IsTruncated": False}
        page = repo.list_ssh_keys(ctx.session, target.owner_id, params.get("Marker"), params.get("MaxItems"))
        return shapes.listing("SSHPublicKeys", [_shape(target, row) for row in page.rows], page)

    def update_ssh_public_key(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        target = entities.credential_target(ctx, params["UserName"])
        _key(ctx, target, params["SSHPublicKeyId"]).status = params["Status"]
        return None

    def delete_ssh_public_key(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        target = entities.credential_target(ctx, params["UserName"])
        repo.remove(ctx.session, _key(ctx, target, params["SSHPublicKeyId"]))
        return None
