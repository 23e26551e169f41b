"""KMS multi-Region keys (mrk- ids, replicas, primary Region moves, ciphertext that any replica decrypts) and
imported key material (Origin EXTERNAL: wrapping key and token, RSA-OAEP and RSA+AES key wrap, PendingImport,
re-import of the same material only, deletion and expiry), with boto3 and the cryptography package."""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import hmac
import os
import re
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

from harness import BOOT_ACCOUNT, error_of, iam_user_key, policy_document


def _kms(server, region: str = "us-east-1"):
    return server.client("kms", region=region)


def _now(server) -> _dt.datetime:
    return _dt.datetime.fromisoformat(server.get_json("/_rootplane/clock")["now"])


# -- multi-Region keys ------------------------------------------------------------------------------------------

def test_multi_region_key_replicates_and_decrypts_in_every_region(server, unique):
    east, west = _kms(server), _kms(server, "eu-west-1")
    created = east.create_key(MultiRegion=True, Description=f"mrk {unique}")["KeyMetadata"]
    key_id = created["KeyId"]
    assert re.fullmatch(r"mrk-[0-9a-f]{32}", key_id)
    assert created["MultiRegion"] is True
    assert created["MultiRegionConfiguration"] == {
        "MultiRegionKeyType": "PRIMARY", "ReplicaKeys": [],
        "PrimaryKey": {"Arn": f"arn:aws:kms:us-east-1:{BOOT_ACCOUNT}:key/{key_id}", "Region": "us-east-1"}}
    blob = east.encrypt(KeyId=key_id, Plaintext=b"across regions", EncryptionContext={"app": unique})["CiphertextBlob"]

    replica = east.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1", Description="replica",
                                 Tags=[{"TagKey": "team", "TagValue": unique}])
    west_arn = f"arn:aws:kms:eu-west-1:{BOOT_ACCOUNT}:key/{key_id}"
    metadata = replica["ReplicaKeyMetadata"]
    assert (metadata["KeyId"], metadata["Arn"], metadata["KeyState"], metadata["Description"]) == (
        key_id, west_arn, "Enabled", "replica")
    assert metadata["MultiRegionConfiguration"]["MultiRegionKeyType"] == "REPLICA"
    assert replica["ReplicaTags"] == [{"TagKey": "team", "TagValue": unique}]
    assert '"kms:*"' in replica["ReplicaPolicy"].replace(" ", "")

    # the replica decrypts what the primary encrypted (and the reverse), finding the key from the blob
    decrypted = west.decrypt(CiphertextBlob=blob, EncryptionContext={"app": unique})
    assert (decrypted["Plaintext"], decrypted["KeyId"]) == (b"across regions", west_arn)
    back = west.encrypt(KeyId=key_id, Plaintext=b"back east")["CiphertextBlob"]
    assert east.decrypt(CiphertextBlob=back)["Plaintext"] == b"back east"
    assert error_of(west.decrypt, CiphertextBlob=blob, EncryptionContext={"app": "other"})[0] == \
        "InvalidCiphertextException"

    described = east.describe_key(KeyId=key_id)["KeyMetadata"]["MultiRegionConfiguration"]
    assert described["ReplicaKeys"] == [{"Arn": west_arn, "Region": "eu-west-1"}]
    assert {"KeyId": key_id, "KeyArn": west_arn} in west.list_keys()["Keys"]
    code, message, status = error_of(east.replicate_key, KeyId=key_id, ReplicaRegion="eu-west-1")
    assert (code, status) == ("AlreadyExistsException", 400)
    assert error_of(west.replicate_key, KeyId=key_id, ReplicaRegion="ap-south-1")[0] == \
        "UnsupportedOperationException"  # only the primary replicates


def test_update_primary_region_moves_the_primary(server, unique):
    east, west = _kms(server), _kms(server, "eu-central-1")
    key_id = east.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    east.replicate_key(KeyId=key_id, ReplicaRegion="eu-central-1")
    assert error_of(east.update_primary_region, KeyId=key_id, PrimaryRegion="sa-east-1")[0] == "NotFoundException"
    east.update_primary_region(KeyId=key_id, PrimaryRegion="eu-central-1")
    moved = west.describe_key(KeyId=key_id)["KeyMetadata"]["MultiRegionConfiguration"]
    assert moved["MultiRegionKeyType"] == "PRIMARY"
    assert moved["PrimaryKey"]["Region"] == "eu-central-1"
    assert moved["ReplicaKeys"] == [{"Arn": f"arn:aws:kms:us-east-1:{BOOT_ACCOUNT}:key/{key_id}",
                                     "Region": "us-east-1"}]
    assert east.describe_key(KeyId=key_id)["KeyMetadata"]["MultiRegionConfiguration"]["MultiRegionKeyType"] == \
        "REPLICA"
    assert error_of(east.replicate_key, KeyId=key_id, ReplicaRegion="ap-south-1")[0] == \
        "UnsupportedOperationException"
    west.replicate_key(KeyId=key_id, ReplicaRegion="ap-south-1")  # the new primary replicates


def test_each_replica_has_its_own_grants(unique):
    """AWS: grants are not shared among related multi-Region keys; each Region's key has its own."""
    from harness import start_server

    server = start_server(args=("--time-travel",))
    try:
        _each_replica_has_its_own_grants(server, unique)
    finally:
        server.close()


def _each_replica_has_its_own_grants(server, unique) -> None:
    east, west = _kms(server), _kms(server, "eu-west-2")
    key_id = east.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    east.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-2")
    grantee = f"arn:aws:iam::{BOOT_ACCOUNT}:user/{unique}"
    granted = east.create_grant(KeyId=key_id, GranteePrincipal=grantee, RetiringPrincipal=grantee,
                                Operations=["Encrypt"])
    assert [grant["GrantId"] for grant in east.list_grants(KeyId=key_id)["Grants"]] == [granted["GrantId"]]
    assert west.list_grants(KeyId=key_id)["Grants"] == []
    assert [grant["GrantId"] for grant in west.list_retirable_grants(RetiringPrincipal=grantee)["Grants"]] == []
    assert error_of(west.revoke_grant, KeyId=key_id, GrantId=granted["GrantId"])[0] == "NotFoundException"
    assert error_of(west.retire_grant, GrantToken=granted["GrantToken"])[0] == "InvalidGrantTokenException"
    west_grant = west.create_grant(KeyId=key_id, GranteePrincipal=grantee, Operations=["Decrypt"])["GrantId"]
    assert [grant["GrantId"] for grant in west.list_grants(KeyId=key_id)["Grants"]] == [west_grant]
    west.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    server.advance_clock(7 * 86400 + 60)
    assert error_of(west.describe_key, KeyId=key_id)[0] == "NotFoundException"  # the replica is gone, with its grant
    assert [grant["GrantId"] for grant in east.list_grants(KeyId=key_id)["Grants"]] == [granted["GrantId"]]
    east.revoke_grant(KeyId=key_id, GrantId=granted["GrantId"])
    assert east.list_grants(KeyId=key_id)["Grants"] == []


def test_single_region_keys_refuse_multi_region_operations(server):
    kms = _kms(server)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    assert not key_id.startswith("mrk-")
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["MultiRegion"] is False
    assert "MultiRegionConfiguration" not in kms.describe_key(KeyId=key_id)["KeyMetadata"]
    for call, params in ((kms.replicate_key, {"ReplicaRegion": "eu-west-1"}),
                         (kms.update_primary_region, {"PrimaryRegion": "eu-west-1"})):
        code, _, status = error_of(call, KeyId=key_id, **params)
        assert (code, status) == ("UnsupportedOperationException", 400)


def test_replicate_key_needs_permission_on_the_primary(server, unique):
    kms = _kms(server)
    key_id = kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    iam = server.client("iam")
    key = iam_user_key(server, f"mrk-{unique}")
    iam.put_user_policy(UserName=f"mrk-{unique}", PolicyName="describe", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": ["kms:DescribeKey", "kms:CreateKey"], "Resource": "*"}))
    code, message, status = error_of(server.client_for(key, "kms").replicate_key, KeyId=key_id,
                                     ReplicaRegion="eu-west-1")
    assert (code, status) == ("AccessDeniedException", 400) and "kms:ReplicateKey" in message


# -- imported key material --------------------------------------------------------------------------------------

def _wrap(parameters: dict, material: bytes, algorithm: str) -> bytes:
    public = serialization.load_der_public_key(parameters["PublicKey"])
    digest = hashes.SHA256() if algorithm.endswith("SHA_256") else hashes.SHA1()
    oaep = padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)
    if algorithm.startswith("RSAES_OAEP"):
        return public.encrypt(material, oaep)
    aes_key = os.urandom(32)
    return public.encrypt(aes_key, oaep) + aes_key_wrap_with_padding(aes_key, material)


def _import(kms, key_id: str, material: bytes, algorithm: str = "RSAES_OAEP_SHA_256", spec: str = "RSA_2048",
            **extra) -> None:
    parameters = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec=spec)
    kms.import_key_material(KeyId=key_id, ImportToken=parameters["ImportToken"],
                            EncryptedKeyMaterial=_wrap(parameters, material, algorithm), **extra)


def test_imported_symmetric_material_life_cycle(server, unique):
    kms = _kms(server)
    created = kms.create_key(Origin="EXTERNAL", Description=f"byok {unique}")["KeyMetadata"]
    key_id = created["KeyId"]
    assert (created["Origin"], created["KeyState"], created["Enabled"]) == ("EXTERNAL", "PendingImport", False)
    code, _, status = error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x")
    assert (code, status) == ("KMSInvalidStateException", 400)
    assert error_of(kms.enable_key, KeyId=key_id)[0] == "KMSInvalidStateException"

    parameters = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                               WrappingKeySpec="RSA_2048")
    assert parameters["KeyId"] == created["Arn"]
    assert serialization.load_der_public_key(parameters["PublicKey"]).key_size == 2048
    valid_for = parameters["ParametersValidTo"] - _now(server)
    assert _dt.timedelta(hours=23) < valid_for <= _dt.timedelta(hours=24)

    material = os.urandom(32)
    wrong = kms.get_parameters_for_import(KeyId=kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"],
                                          WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048")
    assert error_of(kms.import_key_material, KeyId=key_id, ImportToken=wrong["ImportToken"],
                    EncryptedKeyMaterial=_wrap(wrong, material, "RSAES_OAEP_SHA_256"),
                    ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")[0] == "InvalidImportTokenException"
    assert error_of(kms.import_key_material, KeyId=key_id, ImportToken=parameters["ImportToken"],
                    EncryptedKeyMaterial=b"\x00" * 256,
                    ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")[0] == "InvalidCiphertextException"
    assert error_of(kms.import_key_material, KeyId=key_id, ImportToken=parameters["ImportToken"],
                    EncryptedKeyMaterial=_wrap(parameters, material[:16], "RSAES_OAEP_SHA_256"),
                    ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")[0] == "IncorrectKeyMaterialException"
    kms.import_key_material(KeyId=key_id, ImportToken=parameters["ImportToken"],
                            EncryptedKeyMaterial=_wrap(parameters, material, "RSAES_OAEP_SHA_256"),
                            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    imported = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (imported["KeyState"], imported["ExpirationModel"]) == ("Enabled", "KEY_MATERIAL_DOES_NOT_EXPIRE")
    assert "ValidTo" not in imported
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"bring your own key")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"bring your own key"

    kms.delete_imported_key_material(KeyId=key_id)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"
    assert error_of(kms.decrypt, CiphertextBlob=blob)[0] == "KMSInvalidStateException"
    code, message, _ = error_of(_import, kms, key_id, os.urandom(32),
                                ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    assert code == "IncorrectKeyMaterialException"  # only the same material comes back
    _import(kms, key_id, material, "RSA_AES_KEY_WRAP_SHA_256", "RSA_4096")
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"bring your own key"  # same material, same data


def test_imported_material_expires(server):
    kms = _kms(server)
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    assert error_of(_import, kms, key_id, os.urandom(32), ExpirationModel="KEY_MATERIAL_EXPIRES")[0] == \
        "ValidationException"
    valid_to = (_now(server) + _dt.timedelta(days=1)).replace(microsecond=0)
    _import(kms, key_id, os.urandom(32), ValidTo=valid_to)
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (metadata["ExpirationModel"], metadata["ValidTo"]) == ("KEY_MATERIAL_EXPIRES", valid_to)
    assert kms.encrypt(KeyId=key_id, Plaintext=b"until tomorrow")["CiphertextBlob"]
    server.advance_clock(86400 + 1)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"
    assert error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x")[0] == "KMSInvalidStateException"


def test_imported_hmac_and_signing_material(server):
    kms = _kms(server)
    mac_key = kms.create_key(Origin="EXTERNAL", KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    secret = os.urandom(32)
    _import(kms, mac_key["KeyId"], secret, "RSAES_OAEP_SHA_1", "RSA_3072",
            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    mac = kms.generate_mac(KeyId=mac_key["KeyId"], Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert mac == hmac.new(secret, b"m", hashlib.sha256).digest()

    signing = kms.create_key(Origin="EXTERNAL", KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    private = ec.generate_private_key(ec.SECP256R1())
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    wrong_curve = ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    assert error_of(_import, kms, signing["KeyId"], wrong_curve, "RSA_AES_KEY_WRAP_SHA_1")[0] == \
        "IncorrectKeyMaterialException"
    _import(kms, signing["KeyId"], der, "RSA_AES_KEY_WRAP_SHA_1")
    signature = kms.sign(KeyId=signing["KeyId"], Message=b"signed", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    private.public_key().verify(signature, b"signed", ec.ECDSA(hashes.SHA256()))  # raises if not our key's


def test_import_operations_need_an_external_key(server):
    kms = _kms(server)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    for call, params in ((kms.get_parameters_for_import, {"WrappingAlgorithm": "RSAES_OAEP_SHA_256",
                                                          "WrappingKeySpec": "RSA_2048"}),
                         (kms.delete_imported_key_material, {})):
        code, _, status = error_of(call, KeyId=key_id, **params)
        assert (code, status) == ("UnsupportedOperationException", 400)


def test_key_material_is_not_in_cloudtrail_or_the_log(server):
    kms = _kms(server)
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    material = os.urandom(32)
    parameters = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                               WrappingKeySpec="RSA_2048")
    wrapped = _wrap(parameters, material, "RSAES_OAEP_SHA_256")
    kms.import_key_material(KeyId=key_id, ImportToken=parameters["ImportToken"], EncryptedKeyMaterial=wrapped,
                            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    trail = server.client("cloudtrail")
    deadline = time.monotonic() + 20
    events = []
    while not events and time.monotonic() < deadline:
        events = trail.lookup_events(LookupAttributes=[
            {"AttributeKey": "EventName", "AttributeValue": "ImportKeyMaterial"}])["Events"]
        time.sleep(0.1)
    assert events, "ImportKeyMaterial was not recorded"
    text = events[0]["CloudTrailEvent"] + server.log()
    for secret in (material, wrapped, parameters["ImportToken"]):
        assert base64.b64encode(secret).decode() not in text and secret.hex() not in text


def test_imported_symmetric_material_has_a_key_material_id(server):
    """ImportKeyMaterial and DeleteImportedKeyMaterial answer the key ARN and the material's KeyMaterialId (their
    API references); ListKeyRotations with ALL_KEY_MATERIAL shows the material with its ImportState."""
    kms = _kms(server)
    created = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    key_id, material_id = created["KeyId"], created["CurrentKeyMaterialId"]
    parameters = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                               WrappingKeySpec="RSA_2048")
    imported = kms.import_key_material(KeyId=key_id, ImportToken=parameters["ImportToken"],
                                       EncryptedKeyMaterial=_wrap(parameters, os.urandom(32), "RSAES_OAEP_SHA_256"),
                                       ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    assert (imported["KeyId"], imported["KeyMaterialId"]) == (created["Arn"], material_id)
    assert kms.list_key_rotations(KeyId=key_id)["Rotations"] == []
    assert kms.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"] == [
        {"KeyId": key_id, "KeyMaterialId": material_id, "KeyMaterialState": "CURRENT", "ImportState": "IMPORTED",
         "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}]
    deleted = kms.delete_imported_key_material(KeyId=key_id)
    assert (deleted["KeyId"], deleted["KeyMaterialId"]) == (created["Arn"], material_id)
    (entry,) = kms.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert entry["ImportState"] == "PENDING_IMPORT" and "ExpirationModel" not in entry
