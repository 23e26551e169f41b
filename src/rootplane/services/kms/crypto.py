"""The cryptography of KMS keys: material per key spec, ciphertext blobs, signatures and MACs.

A symmetric ciphertext blob is ``0x01 | key id (36 ASCII bytes) | nonce (12) | AES-256-GCM ciphertext and tag``
when made with the key's first material, ``0x02 | key id | key material id (32) | nonce | ...`` with material a
rotation added. The additional authenticated data binds the key's ARN (so its account and region) and the canonical
encryption context, so only this key, in this account, with this exact context decrypts it. Decrypt reads the key
id and the material id from it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "KEY_SPECS", "DATA_KEY_PAIR_SPECS", "usages_of", "key_type", "algorithms_of", "grant_operations_of", "new_material", "seal_blob",
    "open_blob", "blob_key_id", "blob_material_id",
    "rsa_encrypt", "rsa_decrypt", "sign", "verify", "mac", "public_key_der", "InvalidCiphertext", "DIGEST_SIZES",
]

_BLOB_V1, _BLOB_V2 = b"\x01", b"\x02"
_KEY_ID_LENGTH = 36
_MATERIAL_ID_LENGTH = 32  # a key material id's bytes (64 hex digits on the wire)
_NONCE = 12

_RSA_SIGNING = ("RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
                "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512")
_RSA_ENCRYPTION = ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")
_CURVES = {"ECC_NIST_P256": (ec.SECP256R1, "ECDSA_SHA_256"), "ECC_NIST_P384": (ec.SECP384R1, "ECDSA_SHA_384"),
           "ECC_NIST_P521": (ec.SECP521R1, "ECDSA_SHA_512"), "ECC_SECG_P256K1": (ec.SECP256K1, "ECDSA_SHA_256")}
_HMAC_BYTES = {"HMAC_224": 28, "HMAC_256": 32, "HMAC_384": 48, "HMAC_512": 64}

#: key spec -> the key usages it allows.
KEY_SPECS: dict[str, tuple[str, ...]] = {
    "SYMMETRIC_DEFAULT": ("ENCRYPT_DECRYPT",),
    **{f"RSA_{bits}": ("ENCRYPT_DECRYPT", "SIGN_VERIFY") for bits in (2048, 3072, 4096)},
    **{spec: ("SIGN_VERIFY", "KEY_AGREEMENT") for spec in _CURVES if spec.startswith("ECC_NIST_")},
    "ECC_SECG_P256K1": ("SIGN_VERIFY",),  # CreateKey's KeyUsage: NIST curves sign or agree keys, secp256k1 signs
    **{spec: ("GENERATE_VERIFY_MAC",) for spec in _HMAC_BYTES},
}
#: GenerateDataKeyPair's KeyPairSpec values this server makes (SM2 is for China Regions; no ML-KEM).
DATA_KEY_PAIR_SPECS = frozenset({*(f"RSA_{bits}" for bits in (2048, 3072, 4096)), *_CURVES, "ECC_NIST_EDWARDS25519"})
_HASHES = {"SHA_1": hashes.SHA1, "SHA_224": hashes.SHA224, "SHA_256": hashes.SHA256, "SHA_384": hashes.SHA384,
           "SHA_512": hashes.SHA512}
DIGEST_SIZES = {"SHA_256": 32, "SHA_384": 48, "SHA_512": 64}


class InvalidCiphertext(Exception):
    """The blob is not a ciphertext of this key, account and encryption context (never says why)."""


def usages_of(key_spec: str) -> tuple[str, ...]:
    return KEY_SPECS.get(key_spec, ())


def key_type(key_spec: str) -> str:
    """``symmetric``, ``HMAC`` or ``asymmetric``: the key types the KMS documentation tells apart."""
    if key_spec == "SYMMETRIC_DEFAULT":
        return "symmetric"
    return "HMAC" if key_spec in _HMAC_BYTES else "asymmetric"


def algorithms_of(key_spec: str, key_usage: str) -> dict[str, list[str]]:
    """The EncryptionAlgorithms / SigningAlgorithms / KeyAgreementAlgorithms / MacAlgorithms members of a key's
    metadata."""
    if key_spec == "SYMMETRIC_DEFAULT":
        return {"EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"]}
    if key_spec.startswith("RSA_"):
        if key_usage == "ENCRYPT_DECRYPT":
            return {"EncryptionAlgorithms": list(_RSA_ENCRYPTION)}
        return {"SigningAlgorithms": list(_RSA_SIGNING)}
    if key_usage == "KEY_AGREEMENT":
        return {"KeyAgreementAlgorithms": ["ECDH"]}
    if key_spec in _CURVES:
        return {"SigningAlgorithms": [_CURVES[key_spec][1]]}
    return {"MacAlgorithms": [f"HMAC_SHA_{key_spec.split('_')[1]}"]}


_ANY_KEY_GRANTS = ("CreateGrant", "RetireGrant", "DescribeKey")
_ENCRYPTION_GRANTS = ("Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo")
#: key usage -> the grant operations an asymmetric key of that usage supports (the key type table of the KMS
#: Developer Guide); symmetric encryption keys also generate data keys and data key pairs, HMAC keys only MACs.
_ASYMMETRIC_GRANTS = {"ENCRYPT_DECRYPT": (*_ENCRYPTION_GRANTS, "GetPublicKey"),
                      "SIGN_VERIFY": ("Sign", "Verify", "GetPublicKey"),
                      "KEY_AGREEMENT": ("DeriveSharedSecret", "GetPublicKey")}


def grant_operations_of(key_spec: str, key_usage: str) -> frozenset[str]:
    """The operations a grant for a key of this spec and usage may allow (CreateGrant's Operations)."""
    kind = key_type(key_spec)
    if kind == "symmetric":
        own: tuple[str, ...] = (*_ENCRYPTION_GRANTS, "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
                                "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext")
    elif kind == "HMAC":
        own = ("GenerateMac", "VerifyMac")
    else:
        own = _ASYMMETRIC_GRANTS.get(key_usage, ())
    return frozenset(_ANY_KEY_GRANTS + own)


def new_material(key_spec: str) -> bytes:
    """Fresh key material: the AES or HMAC key, or the private key as PKCS#8 DER (also a data key pair's)."""
    if key_spec == "SYMMETRIC_DEFAULT":
        return secrets.token_bytes(32)
    if key_spec in _HMAC_BYTES:
        return secrets.token_bytes(_HMAC_BYTES[key_spec])
    if key_spec.startswith("RSA_"):
        private = rsa.generate_private_key(public_exponent=65537, key_size=int(key_spec[4:]))
    elif key_spec == "ECC_NIST_EDWARDS25519":
        private = ed25519.Ed25519PrivateKey.generate()
    else:
        private = ec.generate_private_key(_CURVES[key_spec][0]())
    return private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())


def _aad(key_arn: str, context: Mapping[str, str] | None) -> bytes:
    return key_arn.encode() + b"\n" + json.dumps(dict(context or {}), sort_keys=True, separators=(",", ":")).encode()


def seal_blob(material: bytes, key_id: str, material_id: str | None, key_arn: str, plaintext: bytes,
              context: Mapping[str, str] | None) -> bytes:
    """``material_id`` None: the key's first material, in the blob format of before rotation (which servers of
    that version, sharing the store during a rolling upgrade, still open)."""
    nonce = secrets.token_bytes(_NONCE)
    sealed = AESGCM(material).encrypt(nonce, plaintext, _aad(key_arn, context))
    if material_id is None:
        return _BLOB_V1 + key_id.encode() + nonce + sealed
    return _BLOB_V2 + key_id.encode() + bytes.fromhex(material_id) + nonce + sealed


def _header(blob: bytes) -> int:
    """The length of a blob's header (version, key id, material id); InvalidCiphertext if it is not a blob."""
    header = {_BLOB_V1: 1 + _KEY_ID_LENGTH, _BLOB_V2: 1 + _KEY_ID_LENGTH + _MATERIAL_ID_LENGTH}.get(blob[:1])
    if header is None or len(blob) < header + _NONCE + 16:
        raise InvalidCiphertext()
    return header


def blob_key_id(blob: bytes) -> str:
    """The id of the key that made a symmetric ciphertext blob; InvalidCiphertext if it is not one."""
    _header(blob)
    try:
        return blob[1:1 + _KEY_ID_LENGTH].decode("ascii")
    except UnicodeDecodeError:
        raise InvalidCiphertext() from None


def blob_material_id(blob: bytes) -> str | None:
    """The id of the key material that made a blob (None: the key's first material, blobs of before rotation)."""
    header = _header(blob)
    return blob[1 + _KEY_ID_LENGTH:header].hex() or None


def open_blob(material: bytes, key_arn: str, blob: bytes, context: Mapping[str, str] | None) -> bytes:
    start = _header(blob)
    try:
        return AESGCM(material).decrypt(blob[start:start + _NONCE], blob[start + _NONCE:], _aad(key_arn, context))
    except (InvalidTag, ValueError):
        raise InvalidCiphertext() from None


def _private(material: bytes):
    return serialization.load_der_private_key(material, password=None)


def _oaep(algorithm: str) -> padding.OAEP:
    digest = hashes.SHA1() if algorithm == "RSAES_OAEP_SHA_1" else hashes.SHA256()
    return padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)


def rsa_encrypt(material: bytes, algorithm: str, plaintext: bytes) -> bytes:
    """RSA-OAEP; ValueError when the plaintext is too long for the key."""
    return _private(material).public_key().encrypt(plaintext, _oaep(algorithm))


def rsa_decrypt(material: bytes, algorithm: str, ciphertext: bytes) -> bytes:
    try:
        return _private(material).decrypt(ciphertext, _oaep(algorithm))
    except ValueError:
        raise InvalidCiphertext() from None


def public_key_der(material: bytes) -> bytes:
    return _private(material).public_key().public_bytes(serialization.Encoding.DER,
                                                        serialization.PublicFormat.SubjectPublicKeyInfo)


def _hash_name(algorithm: str) -> str:
    return "SHA_" + algorithm.rsplit("_", 1)[1]


def _signature_parameters(algorithm: str, digest: bool):
    hash_algorithm = _HASHES[_hash_name(algorithm)]()
    chosen = utils.Prehashed(hash_algorithm) if digest else hash_algorithm
    if algorithm.startswith("RSASSA_PSS"):
        return padding.PSS(mgf=padding.MGF1(hash_algorithm), salt_length=hash_algorithm.digest_size), chosen
    if algorithm.startswith("RSASSA_PKCS1"):
        return padding.PKCS1v15(), chosen
    return None, chosen


def sign(material: bytes, algorithm: str, message: bytes, digest: bool) -> bytes:
    private = _private(material)
    pad, chosen = _signature_parameters(algorithm, digest)
    if pad is None:
        return private.sign(message, ec.ECDSA(chosen))
    return private.sign(message, pad, chosen)


def verify(material: bytes, algorithm: str, message: bytes, signature: bytes, digest: bool) -> bool:
    public = _private(material).public_key()
    pad, chosen = _signature_parameters(algorithm, digest)
    try:
        if pad is None:
            public.verify(signature, message, ec.ECDSA(chosen))
        else:
            public.verify(signature, message, pad, chosen)
    except (InvalidSignature, ValueError):
        return False
    return True


def mac(material: bytes, algorithm: str, message: bytes) -> bytes:
    """HMAC_SHA_<bits> of ``message``."""
    return hmac.new(material, message, getattr(hashlib, "sha" + algorithm.rsplit("_", 1)[1])).digest()
