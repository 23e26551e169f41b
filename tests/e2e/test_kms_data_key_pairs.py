"""KMS: GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext, as the KMS API reference describes them: an
RSA or elliptic curve key pair of KeyPairSpec whose private key (PKCS#8 DER) comes back encrypted under a symmetric
encryption KMS key (Decrypt opens it with the same encryption context), with its public key (X.509
SubjectPublicKeyInfo DER)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from harness import BOOT_ACCOUNT, error_of, policy_document

_CURVES = {"ECC_NIST_P256": ec.SECP256R1, "ECC_NIST_P384": ec.SECP384R1, "ECC_NIST_P521": ec.SECP521R1,
           "ECC_SECG_P256K1": ec.SECP256K1}


@pytest.fixture(scope="module")
def kms(server):
    return server.client("kms")


@pytest.fixture(scope="module")
def key(kms):
    return kms.create_key()["KeyMetadata"]


def _matches(spec: str, private_der: bytes, public_der: bytes) -> None:
    private = serialization.load_der_private_key(private_der, password=None)
    public = serialization.load_der_public_key(public_der)
    assert private.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo) == public_der
    if spec.startswith("RSA_"):
        assert isinstance(public, rsa.RSAPublicKey) and public.key_size == int(spec[4:])
        sealed = public.encrypt(b"m", padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None))
        assert private.decrypt(sealed, padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None)) == b"m"
    elif spec == "ECC_NIST_EDWARDS25519":
        assert isinstance(public, ed25519.Ed25519PublicKey)
    else:
        assert isinstance(public.curve, _CURVES[spec])


@pytest.mark.parametrize("spec", ["RSA_2048", "RSA_3072", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
                                  "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519"])
def test_a_data_key_pair_and_its_encrypted_private_key(kms, key, spec):
    context = {"purpose": "pair"}
    pair = kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec=spec, EncryptionContext=context)
    assert (pair["KeyId"], pair["KeyPairSpec"], pair["KeyMaterialId"]) == (key["Arn"], spec,
                                                                          key["CurrentKeyMaterialId"])
    _matches(spec, pair["PrivateKeyPlaintext"], pair["PublicKey"])
    opened = kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"], EncryptionContext=context)
    assert (opened["Plaintext"], opened["KeyId"]) == (pair["PrivateKeyPlaintext"], key["Arn"])
    assert error_of(kms.decrypt, CiphertextBlob=pair["PrivateKeyCiphertextBlob"])[0] == "InvalidCiphertextException"


def test_without_plaintext_answers_no_private_key(kms, key):
    pair = kms.generate_data_key_pair_without_plaintext(KeyId=key["KeyId"], KeyPairSpec="RSA_4096")
    assert "PrivateKeyPlaintext" not in pair
    assert (pair["KeyId"], pair["KeyPairSpec"]) == (key["Arn"], "RSA_4096")
    private = kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])["Plaintext"]
    _matches("RSA_4096", private, pair["PublicKey"])


def test_only_symmetric_encryption_keys_make_data_key_pairs(kms, key):
    for spec, usage in (("RSA_2048", "ENCRYPT_DECRYPT"), ("HMAC_256", "GENERATE_VERIFY_MAC")):
        other = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
        for operation in (kms.generate_data_key_pair, kms.generate_data_key_pair_without_plaintext):
            code, _, status = error_of(operation, KeyId=other["KeyId"], KeyPairSpec="ECC_NIST_P256")
            assert (code, status) == ("InvalidKeyUsageException", 400)
    assert error_of(kms.generate_data_key_pair, KeyId=key["KeyId"], KeyPairSpec="SM2") == (
        "UnsupportedOperationException", "KeyPairSpec SM2 is not supported in this Region.", 400)
    assert error_of(kms.generate_data_key_pair, KeyId=key["KeyId"], KeyPairSpec="RSA_2048", DryRun=True) == (
        "DryRunOperationException", "The request would have succeeded, but the DryRun option is set.", 412)
    disabled = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=disabled["KeyId"])
    assert error_of(kms.generate_data_key_pair_without_plaintext, KeyId=disabled["KeyId"],
                    KeyPairSpec="RSA_2048") == ("DisabledException", f"{disabled['Arn']} is disabled.", 400)


def test_the_key_pair_spec_is_the_kms_data_key_pair_spec_condition(kms):
    """The kms:DataKeyPairSpec condition key ("AWS KMS condition keys") is the request's KeyPairSpec."""
    root = f"arn:aws:iam::{BOOT_ACCOUNT}:root"
    policy = policy_document(
        {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "kms:GenerateDataKeyPair*", "Resource": "*",
         "Condition": {"StringEquals": {"kms:DataKeyPairSpec": "RSA_4096"}}})
    key = kms.create_key(Policy=policy)["KeyMetadata"]
    assert kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")["KeyPairSpec"] == \
        "ECC_NIST_P256"
    code, message, status = error_of(kms.generate_data_key_pair_without_plaintext, KeyId=key["KeyId"],
                                     KeyPairSpec="RSA_4096")
    assert (code, status) == ("AccessDeniedException", 400)
    assert "kms:GenerateDataKeyPairWithoutPlaintext" in message and "explicit deny" in message
