"""KMS: what each key type (symmetric, HMAC, asymmetric of each key usage) allows, as the KMS API reference says:
the key usages of CreateKey, the operations a grant may allow, the keys an alias may move to, and the rotation
schedule of GetKeyRotationStatus."""

from __future__ import annotations

import datetime as _dt

import pytest
from botocore.config import Config
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from harness import BOOT_ACCOUNT, error_of
from server_clock import ServerClock


@pytest.fixture(scope="module")
def kms(server):
    return server.client("kms")


def test_nist_curves_take_key_agreement_and_secp256k1_does_not(kms):
    """CreateKey's KeyUsage: NIST elliptic curve key pairs are SIGN_VERIFY or KEY_AGREEMENT; ECC_SECG_P256K1 key
    pairs are SIGN_VERIFY only."""
    for spec, curve in (("ECC_NIST_P256", ec.SECP256R1), ("ECC_NIST_P384", ec.SECP384R1),
                        ("ECC_NIST_P521", ec.SECP521R1)):
        created = kms.create_key(KeySpec=spec, KeyUsage="KEY_AGREEMENT")["KeyMetadata"]
        assert (created["KeySpec"], created["KeyUsage"], created["KeyAgreementAlgorithms"]) == \
            (spec, "KEY_AGREEMENT", ["ECDH"])
        assert "SigningAlgorithms" not in created and "EncryptionAlgorithms" not in created
        described = kms.describe_key(KeyId=created["KeyId"])["KeyMetadata"]
        assert described["KeyAgreementAlgorithms"] == ["ECDH"]
        public = kms.get_public_key(KeyId=created["KeyId"])
        assert (public["KeyUsage"], public["KeyAgreementAlgorithms"]) == ("KEY_AGREEMENT", ["ECDH"])
        assert isinstance(serialization.load_der_public_key(public["PublicKey"]).curve, curve)
        assert error_of(kms.sign, KeyId=created["KeyId"], Message=b"m", SigningAlgorithm="ECDSA_SHA_256")[0] == \
            "InvalidKeyUsageException"
    assert error_of(kms.create_key, KeySpec="ECC_SECG_P256K1", KeyUsage="KEY_AGREEMENT") == (
        "ValidationException", "KeyUsage KEY_AGREEMENT is not compatible with KeySpec ECC_SECG_P256K1", 400)
    for spec in ("SYMMETRIC_DEFAULT", "RSA_2048", "HMAC_256"):
        assert error_of(kms.create_key, KeySpec=spec, KeyUsage="KEY_AGREEMENT")[0] == "ValidationException"


def test_a_grant_allows_only_operations_its_key_type_supports(kms):
    """CreateGrant's Operations: "the operation must be supported on the KMS key" (no Sign for a symmetric
    encryption key, no GenerateDataKey for an asymmetric one), otherwise ValidationException."""
    grantee = f"arn:aws:iam::{BOOT_ACCOUNT}:root"
    keys = {
        "symmetric": kms.create_key()["KeyMetadata"],
        "hmac": kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"],
        "rsa-encryption": kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"],
        "signing": kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"],
        "agreement": kms.create_key(KeySpec="ECC_NIST_P384", KeyUsage="KEY_AGREEMENT")["KeyMetadata"],
    }
    allowed = {
        "symmetric": ["Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKey",
                      "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext"],
        "hmac": ["GenerateMac", "VerifyMac"],
        "rsa-encryption": ["Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey"],
        "signing": ["Sign", "Verify", "GetPublicKey"],
        "agreement": ["DeriveSharedSecret", "GetPublicKey"],
    }
    refused = {
        "symmetric": ["Sign", "Verify", "GetPublicKey", "GenerateMac", "VerifyMac", "DeriveSharedSecret"],
        "hmac": ["Encrypt", "Decrypt", "GenerateDataKey", "Sign", "GetPublicKey"],
        "rsa-encryption": ["GenerateDataKey", "GenerateDataKeyPair", "Sign", "Verify", "GenerateMac"],
        "signing": ["Encrypt", "Decrypt", "ReEncryptTo", "GenerateDataKeyWithoutPlaintext", "DeriveSharedSecret"],
        "agreement": ["Sign", "Encrypt", "GenerateDataKey", "VerifyMac"],
    }
    for kind, key in keys.items():
        operations = allowed[kind] + ["DescribeKey", "CreateGrant", "RetireGrant"]
        grant_id = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=grantee, Operations=operations)["GrantId"]
        assert kms.list_grants(KeyId=key["KeyId"], GrantId=grant_id)["Grants"][0]["Operations"] == operations
        for operation in refused[kind]:
            code, message, status = error_of(kms.create_grant, KeyId=key["KeyId"], GranteePrincipal=grantee,
                                             Operations=["DescribeKey", operation])
            assert (code, status) == ("ValidationException", 400), (kind, operation)
            assert operation in message and key["Arn"] in message
        assert len(kms.list_grants(KeyId=key["KeyId"])["Grants"]) == 1, kind


def test_an_alias_moves_only_to_a_key_of_the_same_type_and_usage(kms, unique):
    """UpdateAlias: "The current and new KMS key must be the same type (both symmetric or both asymmetric or both
    HMAC), and they must have the same key usage."""
    def key(**params) -> str:
        return kms.create_key(**params)["KeyMetadata"]["KeyId"]

    signing = {"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}
    name = f"alias/types-{unique}"
    kms.create_alias(AliasName=name, TargetKeyId=key(**signing))
    other_signing = key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")  # another asymmetric key spec: allowed
    kms.update_alias(AliasName=name, TargetKeyId=other_signing)
    for params in ({}, {"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"},
                   {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"},
                   {"KeySpec": "ECC_NIST_P256", "KeyUsage": "KEY_AGREEMENT"}):
        refused = key(**params)
        code, message, status = error_of(kms.update_alias, AliasName=name, TargetKeyId=refused)
        assert (code, status) == ("ValidationException", 400), params
        assert refused in message
    assert kms.describe_key(KeyId=name)["KeyMetadata"]["KeyId"] == other_signing

    symmetric = f"alias/types-symmetric-{unique}"
    kms.create_alias(AliasName=symmetric, TargetKeyId=key())
    moved_to = key()
    kms.update_alias(AliasName=symmetric, TargetKeyId=moved_to)
    assert error_of(kms.update_alias, AliasName=symmetric, TargetKeyId=other_signing)[0] == "ValidationException"
    assert kms.describe_key(KeyId=symmetric)["KeyMetadata"]["KeyId"] == moved_to



def _status(kms, key_id: str) -> dict:
    return {name: value for name, value in kms.get_key_rotation_status(KeyId=key_id).items()
            if name != "ResponseMetadata"}


def _days_after(start: float, days: int) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(start, _dt.timezone.utc) + _dt.timedelta(days=days)


def test_rotation_status_names_the_period_and_the_next_rotation_date(server, kms):
    """GetKeyRotationStatus answers RotationPeriodInDays and NextRotationDate for a key that rotates: the period
    EnableKeyRotation was given (365 days by default), counted from the day rotation was enabled. (Last in this
    module: it moves the server's clock.)"""
    clock = ServerClock(server)
    created = kms.create_key()["KeyMetadata"]
    key_id, arn = created["KeyId"], created["Arn"]
    assert _status(kms, key_id) == {"KeyRotationEnabled": False, "KeyId": arn}

    enabled_at = clock.now()
    kms.enable_key_rotation(KeyId=key_id)
    status = _status(kms, key_id)
    assert (status["KeyRotationEnabled"], status["KeyId"], status["RotationPeriodInDays"]) == (True, arn, 365)
    assert abs(status["NextRotationDate"] - _days_after(enabled_at, 365)) < _dt.timedelta(seconds=30)

    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=180)  # a new period, from the same start
    status = _status(kms, key_id)
    assert status["RotationPeriodInDays"] == 180
    assert abs(status["NextRotationDate"] - _days_after(enabled_at, 180)) < _dt.timedelta(seconds=30)
    clock.advance(181 * 86400)
    assert abs(_status(kms, key_id)["NextRotationDate"] - _days_after(enabled_at, 360)) < _dt.timedelta(seconds=30)

    unchecked = server.client("kms", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    for period, bound in ((89, "greater than or equal to 90"), (2561, "less than or equal to 2560")):
        assert error_of(unchecked.enable_key_rotation, KeyId=key_id, RotationPeriodInDays=period) == (
            "ValidationException", f"1 validation error detected: Value '{period}' at 'rotationPeriodInDays' failed "
            f"to satisfy constraint: Member must have value {bound}", 400)
    assert _status(kms, key_id)["RotationPeriodInDays"] == 180

    kms.disable_key_rotation(KeyId=key_id)
    assert _status(kms, key_id) == {"KeyRotationEnabled": False, "KeyId": arn}
    restarted_at = clock.now()
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    status = _status(kms, key_id)
    assert status["RotationPeriodInDays"] == 90
    assert abs(status["NextRotationDate"] - _days_after(restarted_at, 90)) < _dt.timedelta(seconds=30)
