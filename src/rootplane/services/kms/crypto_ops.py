"""Cryptographic operations: Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext),
GenerateDataKeyPair(WithoutPlaintext), GenerateRandom,
Sign, Verify, GenerateMac, VerifyMac, GetPublicKey."""

from __future__ import annotations

import secrets
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.kms import crypto, repo
from rootplane.services.kms.authz import blob_key
from rootplane.services.kms.crypto import DIGEST_SIZES, InvalidCiphertext
from rootplane.services.kms.errors import check_dry_run, invalid_ciphertext, invalid_key_usage, validation
from rootplane.services.kms.keys import blob_binding, require_enabled, require_usage, resolve
from rootplane.services.kms.master import unseal
from rootplane.services.kms.rotation import apply_due, first_material_id, material_binding
from rootplane.services.kms.tables import KeyRow

__all__ = ["CryptoOperations"]

_SYMMETRIC = "SYMMETRIC_DEFAULT"
_DATA_KEY_BYTES = {"AES_256": 32, "AES_128": 16}


def _material(ctx: RequestContext, key: KeyRow, material_id: str | None = None) -> bytes:
    """The key's material: its first, or the rotated material ``material_id`` (InvalidCiphertext if it has none)."""
    sealed, binding = key.sealed_material, key.arn
    if material_id is not None and material_id != first_material_id(key.key_id):
        row = repo.find_material(ctx.session, key.key_id, material_id)
        if row is None:
            raise InvalidCiphertext()
        sealed, binding = row.sealed_material, material_binding(key, material_id)
    try:
        return unseal(ctx.config, sealed, binding)
    except RuntimeError:
        raise AwsError("KMSInternalException", "The request was rejected because an internal exception occurred.",
                       500) from None


def _record_materials(ctx: RequestContext, **material_ids: str | None) -> None:
    """The key material ids a call used, as CloudTrail's additionalEventData records them (keyMaterialId...)."""
    ctx.audit["additional_event_data"] = {name: value for name, value in material_ids.items() if value}


def _no_recipient(params: dict[str, Any]) -> None:
    if params.get("Recipient"):
        raise AwsError("UnsupportedOperationException", "Recipient (Nitro Enclaves attestation) is not supported.", 400)


class CryptoOperations:
    def _usable(self, ctx: RequestContext, identifier: str, usage: str, operation: str) -> KeyRow:
        ctx.audit["read_only"] = True  # CloudTrail records KMS's cryptographic operations as read-only
        key = resolve(ctx.session, ctx.region, ctx.account_id, identifier, ctx.now())
        require_enabled(key)
        require_usage(key, usage, operation)
        return key

    # -- encryption ----------------------------------------------------------------------------------------------
    def _algorithm(self, key: KeyRow, given: str | None) -> str:
        algorithm = given or _SYMMETRIC
        if (key.key_spec == _SYMMETRIC) != (algorithm == _SYMMETRIC):
            raise invalid_key_usage(f"Algorithm {algorithm} is incompatible with key spec {key.key_spec}.")
        return algorithm

    def _seal(self, ctx: RequestContext, key: KeyRow, plaintext: bytes, context: dict | None) -> tuple[bytes, str]:
        """A symmetric ciphertext blob under the key's current material (automatic rotations now due applied
        first), and that material's id."""
        apply_due(ctx, key)
        material_id = key.current_material_id
        blob = crypto.seal_blob(_material(ctx, key, material_id), key.key_id, material_id, blob_binding(key),
                                plaintext, context)
        return blob, material_id or first_material_id(key.key_id)

    def _encrypt(self, ctx: RequestContext, key: KeyRow, plaintext: bytes, context: dict | None,
                 algorithm: str) -> tuple[bytes, str | None]:
        """The ciphertext, and the id of the key material that made a symmetric blob (None for RSA)."""
        if algorithm == _SYMMETRIC:
            return self._seal(ctx, key, plaintext, context)
        try:
            return crypto.rsa_encrypt(_material(ctx, key), algorithm, plaintext), None
        except ValueError:
            raise validation(f"Plaintext is too long for {algorithm} with {key.key_spec}.") from None

    def _decrypt(self, ctx: RequestContext, key: KeyRow, blob: bytes, context: dict | None,
                 algorithm: str) -> tuple[bytes, str | None]:
        """The plaintext, and the id of the key material that made a symmetric blob (None for RSA)."""
        try:
            if algorithm == _SYMMETRIC:
                if crypto.blob_key_id(blob) != key.key_id:
                    raise AwsError("IncorrectKeyException", "The key ID in the request does not identify a KMS key "
                                   "that can perform this operation.", 400)
                material_id = crypto.blob_material_id(blob) or first_material_id(key.key_id)
                return crypto.open_blob(_material(ctx, key, material_id), blob_binding(key), blob, context), \
                    material_id
            return crypto.rsa_decrypt(_material(ctx, key), algorithm, blob), None
        except InvalidCiphertext:
            raise invalid_ciphertext() from None

    def _source(self, ctx: RequestContext, params: dict[str, Any], key_member: str, blob: bytes | None) -> KeyRow:
        ctx.audit["read_only"] = True
        if blob is None:
            raise validation("CiphertextBlob is required.")
        key = (resolve(ctx.session, ctx.region, ctx.account_id, params[key_member], ctx.now())
               if params.get(key_member) else blob_key(ctx, blob))
        require_enabled(key)
        require_usage(key, "ENCRYPT_DECRYPT", "Decrypt")
        return key

    def encrypt(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = self._usable(ctx, params["KeyId"], "ENCRYPT_DECRYPT", "Encrypt")
        algorithm = self._algorithm(key, params.get("EncryptionAlgorithm"))
        check_dry_run(params)
        blob, material_id = self._encrypt(ctx, key, params["Plaintext"], params.get("EncryptionContext"), algorithm)
        _record_materials(ctx, keyMaterialId=material_id)
        return {"CiphertextBlob": blob, "KeyId": key.arn, "EncryptionAlgorithm": algorithm}

    def decrypt(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _no_recipient(params)
        key = self._source(ctx, params, "KeyId", params.get("CiphertextBlob"))
        algorithm = self._algorithm(key, params.get("EncryptionAlgorithm"))
        check_dry_run(params)
        plaintext, material_id = self._decrypt(ctx, key, params["CiphertextBlob"], params.get("EncryptionContext"),
                                               algorithm)
        _record_materials(ctx, keyMaterialId=material_id)
        answer = {"KeyId": key.arn, "Plaintext": plaintext, "EncryptionAlgorithm": algorithm}
        return answer if material_id is None else {**answer, "KeyMaterialId": material_id}

    def re_encrypt(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        source = self._source(ctx, params, "SourceKeyId", params.get("CiphertextBlob"))
        source_algorithm = self._algorithm(source, params.get("SourceEncryptionAlgorithm"))
        destination = self._usable(ctx, params["DestinationKeyId"], "ENCRYPT_DECRYPT", "ReEncrypt")
        destination_algorithm = self._algorithm(destination, params.get("DestinationEncryptionAlgorithm"))
        check_dry_run(params)
        plaintext, source_material = self._decrypt(ctx, source, params["CiphertextBlob"],
                                                   params.get("SourceEncryptionContext"), source_algorithm)
        blob, destination_material = self._encrypt(ctx, destination, plaintext,
                                                   params.get("DestinationEncryptionContext"), destination_algorithm)
        _record_materials(ctx, sourceKeyMaterialId=source_material, destinationKeyMaterialId=destination_material)
        return {"CiphertextBlob": blob, "SourceKeyId": source.arn, "KeyId": destination.arn,
                "SourceEncryptionAlgorithm": source_algorithm, "DestinationEncryptionAlgorithm": destination_algorithm}

    def _data_key_encryption(self, ctx: RequestContext, params: dict[str, Any], operation: str) -> KeyRow:
        """The symmetric encryption key a data key or data key pair is encrypted under."""
        key = self._usable(ctx, params["KeyId"], "ENCRYPT_DECRYPT", operation)
        if key.key_spec != _SYMMETRIC:
            raise invalid_key_usage(f"{key.arn} is not a symmetric encryption KMS key.")
        return key

    def _data_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = self._data_key_encryption(ctx, params, "GenerateDataKey")
        size, spec = params.get("NumberOfBytes"), params.get("KeySpec")
        if (size is None) == (spec is None):
            raise validation("Please specify either number of bytes or key spec.")
        check_dry_run(params)
        plaintext = secrets.token_bytes(size if size is not None else _DATA_KEY_BYTES[spec])
        blob, material_id = self._seal(ctx, key, plaintext, params.get("EncryptionContext"))
        _record_materials(ctx, keyMaterialId=material_id)
        return {"CiphertextBlob": blob, "Plaintext": plaintext, "KeyId": key.arn, "KeyMaterialId": material_id}

    def generate_data_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _no_recipient(params)
        return self._data_key(ctx, params)

    def generate_data_key_without_plaintext(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        answer = self._data_key(ctx, params)
        del answer["Plaintext"]
        return answer

    def _data_key_pair(self, ctx: RequestContext, params: dict[str, Any], operation: str) -> dict[str, Any]:
        """A fresh key pair of KeyPairSpec: its public key, its private key (PKCS#8 DER) and that private key
        encrypted under the KMS key (the API reference's GenerateDataKeyPair)."""
        key = self._data_key_encryption(ctx, params, operation)
        spec = params["KeyPairSpec"]
        if spec not in crypto.DATA_KEY_PAIR_SPECS:
            raise AwsError("UnsupportedOperationException", f"KeyPairSpec {spec} is not supported in this Region.", 400)
        check_dry_run(params)
        private = crypto.new_material(spec)
        blob, material_id = self._seal(ctx, key, private, params.get("EncryptionContext"))
        _record_materials(ctx, keyMaterialId=material_id)
        return {"PrivateKeyCiphertextBlob": blob, "PrivateKeyPlaintext": private,
                "PublicKey": crypto.public_key_der(private), "KeyId": key.arn, "KeyPairSpec": spec,
                "KeyMaterialId": material_id}

    def generate_data_key_pair(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _no_recipient(params)
        return self._data_key_pair(ctx, params, "GenerateDataKeyPair")

    def generate_data_key_pair_without_plaintext(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        pair = self._data_key_pair(ctx, params, "GenerateDataKeyPairWithoutPlaintext")
        del pair["PrivateKeyPlaintext"]
        return pair

    def generate_random(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _no_recipient(params)
        ctx.audit["read_only"] = True
        if params.get("CustomKeyStoreId"):
            raise AwsError("CustomKeyStoreNotFoundException", "Custom key stores are not supported.", 400)
        size = params.get("NumberOfBytes")
        if size is None:
            raise validation("NumberOfBytes is required.")
        return {"Plaintext": secrets.token_bytes(size)}

    # -- signatures ----------------------------------------------------------------------------------------------
    def _signing(self, ctx: RequestContext, params: dict[str, Any], operation: str) -> tuple[KeyRow, bool]:
        key = self._usable(ctx, params["KeyId"], "SIGN_VERIFY", operation)
        algorithm = params["SigningAlgorithm"]
        if algorithm not in crypto.algorithms_of(key.key_spec, key.key_usage).get("SigningAlgorithms", []):
            raise invalid_key_usage(f"Algorithm {algorithm} is incompatible with key spec {key.key_spec}.")
        digest = (params.get("MessageType") or "RAW") == "DIGEST"
        if digest and len(params["Message"]) != DIGEST_SIZES["SHA_" + algorithm.rsplit("_", 1)[1]]:
            raise validation(f"Digest is invalid length for algorithm {algorithm}.")
        check_dry_run(params)
        return key, digest

    def sign(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key, digest = self._signing(ctx, params, "Sign")
        signature = crypto.sign(_material(ctx, key), params["SigningAlgorithm"], params["Message"], digest)
        return {"KeyId": key.arn, "Signature": signature, "SigningAlgorithm": params["SigningAlgorithm"]}

    def verify(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key, digest = self._signing(ctx, params, "Verify")
        if not crypto.verify(_material(ctx, key), params["SigningAlgorithm"], params["Message"], params["Signature"],
                             digest):
            raise AwsError("KMSInvalidSignatureException", "", 400)
        return {"KeyId": key.arn, "SignatureValid": True, "SigningAlgorithm": params["SigningAlgorithm"]}

    def _mac_key(self, ctx: RequestContext, params: dict[str, Any], operation: str) -> KeyRow:
        key = self._usable(ctx, params["KeyId"], "GENERATE_VERIFY_MAC", operation)
        if params["MacAlgorithm"] not in crypto.algorithms_of(key.key_spec, key.key_usage)["MacAlgorithms"]:
            raise invalid_key_usage(f"Algorithm {params['MacAlgorithm']} is incompatible with key spec {key.key_spec}.")
        check_dry_run(params)
        return key

    def generate_mac(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = self._mac_key(ctx, params, "GenerateMac")
        mac = crypto.mac(_material(ctx, key), params["MacAlgorithm"], params["Message"])
        return {"Mac": mac, "MacAlgorithm": params["MacAlgorithm"], "KeyId": key.arn}

    def verify_mac(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = self._mac_key(ctx, params, "VerifyMac")
        expected = crypto.mac(_material(ctx, key), params["MacAlgorithm"], params["Message"])
        if not secrets.compare_digest(expected, params["Mac"]):
            raise AwsError("KMSInvalidMacException", "", 400)
        return {"KeyId": key.arn, "MacValid": True, "MacAlgorithm": params["MacAlgorithm"]}

    def get_public_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = resolve(ctx.session, ctx.region, ctx.account_id, params["KeyId"], ctx.now())
        require_enabled(key)
        if key.key_spec == _SYMMETRIC or key.key_usage == "GENERATE_VERIFY_MAC":
            raise AwsError("UnsupportedOperationException", f"{key.arn} key usage is {key.key_usage} which is not "
                           "valid for GetPublicKey.", 400)
        return {"KeyId": key.arn, "PublicKey": crypto.public_key_der(_material(ctx, key)),
                "CustomerMasterKeySpec": key.key_spec, "KeySpec": key.key_spec, "KeyUsage": key.key_usage,
                **crypto.algorithms_of(key.key_spec, key.key_usage)}
