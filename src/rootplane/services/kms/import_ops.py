"""Imported key material (keys of Origin EXTERNAL): GetParametersForImport, ImportKeyMaterial,
DeleteImportedKeyMaterial.

GetParametersForImport makes an RSA wrapping key pair (valid 24 hours; its private key sealed under the server
master key) and answers the public key and an import token naming it. ImportKeyMaterial unwraps the material with
it (RSAES_OAEP_SHA_1/256, or RSA_AES_KEY_WRAP_SHA_1/256: an RSA-OAEP-wrapped AES key, then AES key wrap with
padding), checks it fits the key spec and, on a re-import, that it is the same material (by SHA-256). Key
material, wrapped or not, is never logged or put in errors.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import secrets
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap_with_padding

from sqlalchemy.orm.attributes import flag_modified

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.kms import repo
from rootplane.services.kms.errors import invalid_ciphertext, invalid_state, validation
from rootplane.services.kms.key_ops import unsupported
from rootplane.services.kms.keys import ENABLED, PENDING_DELETION, PENDING_IMPORT, resolve
from rootplane.services.kms.master import seal, unseal
from rootplane.services.kms.rotation import first_material_id
from rootplane.services.kms.tables import ImportTokenRow, KeyRow

__all__ = ["ImportOperations"]

_TOKEN_LIFETIME = _dt.timedelta(hours=24)
_WRAPPING_SPECS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
_WRAPPING_ALGORITHMS = {"RSAES_OAEP_SHA_1": hashes.SHA1, "RSAES_OAEP_SHA_256": hashes.SHA256,
                        "RSA_AES_KEY_WRAP_SHA_1": hashes.SHA1, "RSA_AES_KEY_WRAP_SHA_256": hashes.SHA256}
_HMAC_MIN_BYTES = {"HMAC_224": 28, "HMAC_256": 32, "HMAC_384": 48, "HMAC_512": 64}
_CURVES = {"ECC_NIST_P256": "secp256r1", "ECC_NIST_P384": "secp384r1", "ECC_NIST_P521": "secp521r1",
           "ECC_SECG_P256K1": "secp256k1"}
_DOES_NOT_EXPIRE, _EXPIRES = "KEY_MATERIAL_DOES_NOT_EXPIRE", "KEY_MATERIAL_EXPIRES"


def _error(code: str, message: str) -> AwsError:
    return AwsError(code, message, 400)


def _external(ctx: RequestContext, identifier: str) -> KeyRow:
    key = resolve(ctx.session, ctx.region, ctx.account_id, identifier, ctx.now(), aliases=False)
    if key.origin != "EXTERNAL":
        raise unsupported(f"{key.arn} origin is {key.origin} which is not valid for this operation.")
    if key.state == PENDING_DELETION:
        raise invalid_state(f"{key.arn} is pending deletion.")
    return key


def _answer(key: KeyRow) -> dict[str, Any]:
    """ImportKeyMaterial's and DeleteImportedKeyMaterial's answer: the key ARN and a symmetric key's material id."""
    return {"KeyId": key.arn,
            **({"KeyMaterialId": first_material_id(key.key_id)} if key.key_spec == "SYMMETRIC_DEFAULT" else {})}


def _token_aad(token_id: str) -> str:
    return f"kms-import-token:{token_id}"


def _unwrap(private: rsa.RSAPrivateKey, algorithm: str, wrapped: bytes) -> bytes:
    digest = _WRAPPING_ALGORITHMS[algorithm]()
    oaep = padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)
    try:
        if algorithm.startswith("RSAES_OAEP"):
            return private.decrypt(wrapped, oaep)
        size = private.key_size // 8
        aes_key = private.decrypt(wrapped[:size], oaep)
        return aes_key_unwrap_with_padding(aes_key, wrapped[size:])
    except (ValueError, InvalidUnwrap):
        raise invalid_ciphertext() from None


def _fits(key: KeyRow, material: bytes) -> bool:
    """Whether unwrapped material is a key of the key's spec (AES-256, HMAC key, or PKCS#8 private key)."""
    spec = key.key_spec
    if spec == "SYMMETRIC_DEFAULT":
        return len(material) == 32
    if spec in _HMAC_MIN_BYTES:
        return _HMAC_MIN_BYTES[spec] <= len(material) <= 128
    try:
        private = serialization.load_der_private_key(material, password=None)
    except (ValueError, TypeError):
        return False
    if spec.startswith("RSA_"):
        return isinstance(private, rsa.RSAPrivateKey) and private.key_size == int(spec[4:])
    return isinstance(private, ec.EllipticCurvePrivateKey) and private.curve.name == _CURVES.get(spec)


def _expiry(ctx: RequestContext, params: dict[str, Any]) -> tuple[str, _dt.datetime | None]:
    valid_to = params.get("ValidTo")
    model = params.get("ExpirationModel") or (_EXPIRES if valid_to is not None else _DOES_NOT_EXPIRE)
    if model == _EXPIRES and valid_to is None:
        raise validation("A ValidTo date is required when ExpirationModel is KEY_MATERIAL_EXPIRES.")
    if model == _DOES_NOT_EXPIRE and valid_to is not None:
        raise validation("ValidTo must not be set when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.")
    if valid_to is not None and valid_to <= ctx.now():
        raise validation("ValidTo must be in the future.")
    return model, valid_to


class ImportOperations:
    def get_parameters_for_import(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = _external(ctx, params["KeyId"])
        algorithm, spec = params["WrappingAlgorithm"], params["WrappingKeySpec"]
        if algorithm not in _WRAPPING_ALGORITHMS or spec not in _WRAPPING_SPECS:
            raise unsupported(f"Wrapping algorithm {algorithm} with wrapping key spec {spec} is not supported.")
        private = rsa.generate_private_key(public_exponent=65537, key_size=_WRAPPING_SPECS[spec])
        token_id, expires = secrets.token_hex(32), ctx.now() + _TOKEN_LIFETIME
        der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        repo.put(ctx.session, ImportTokenRow(token_id=token_id, key_id=key.key_id, region=key.region,
                                             wrapping_algorithm=algorithm, expires_at=expires,
                                             sealed_private_key=seal(ctx.config, der, _token_aad(token_id))))
        public = private.public_key().public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
        return {"KeyId": key.arn, "ImportToken": token_id.encode(), "PublicKey": public, "ParametersValidTo": expires}

    def import_key_material(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = _external(ctx, params["KeyId"])
        try:
            token_id = bytes(params["ImportToken"]).decode("ascii")
        except UnicodeDecodeError:
            token_id = ""
        token = repo.find_import_token(ctx.session, token_id) if token_id else None
        if token is None or (token.key_id, token.region) != (key.key_id, key.region):
            raise _error("InvalidImportTokenException", "The import token is invalid or is not for this key.")
        if ctx.now() >= token.expires_at:
            raise _error("ExpiredImportTokenException", "The import token has expired.")
        model, valid_to = _expiry(ctx, params)
        private = serialization.load_der_private_key(
            unseal(ctx.config, token.sealed_private_key, _token_aad(token.token_id)), password=None)
        material = _unwrap(private, token.wrapping_algorithm, bytes(params["EncryptedKeyMaterial"]))
        if not _fits(key, material):
            raise _error("IncorrectKeyMaterialException", f"The key material is not valid for key spec {key.key_spec}.")
        digest = hashlib.sha256(material).hexdigest()
        if key.material_digest is not None and not secrets.compare_digest(digest, key.material_digest):
            raise _error("IncorrectKeyMaterialException",
                         "The key material is not the key material previously imported into this key.")
        key.sealed_material, key.material_digest = seal(ctx.config, material, key.arn), digest
        key.expiration_model, key.valid_to = model, valid_to
        if key.state == PENDING_IMPORT:
            key.state = ENABLED
            flag_modified(key, "state")
        return _answer(key)

    def delete_imported_key_material(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = _external(ctx, params["KeyId"])
        key.sealed_material, key.state, key.valid_to, key.expiration_model = b"", PENDING_IMPORT, None, None
        flag_modified(key, "state")  # also when it only read as PendingImport (expired material)
        repo.delete_import_tokens(ctx.session, key.key_id, key.region)
        return _answer(key)
