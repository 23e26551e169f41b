"""KMS: key material rotation of symmetric encryption keys, as the Developer Guide's "Rotate AWS KMS keys" and
"Perform on-demand key rotation" and the RotateKeyOnDemand / ListKeyRotations API references describe it: each
rotation adds key material, Encrypt uses the newest, Decrypt finds the material a ciphertext was made with."""

from __future__ import annotations

import datetime as _dt
import json
import time

import pytest

from harness import error_of
from server_clock import ServerClock


@pytest.fixture(scope="module")
def kms(server):
    return server.client("kms")


def _rotations(kms, key_id: str, **params) -> list[dict]:
    return [entry for page in kms.get_paginator("list_key_rotations").paginate(KeyId=key_id, **params)
            for entry in page["Rotations"]]


def test_on_demand_rotation_adds_material_and_old_ciphertexts_still_decrypt(kms):
    key = kms.create_key()["KeyMetadata"]
    key_id, arn = key["KeyId"], key["Arn"]
    first = key["CurrentKeyMaterialId"]
    assert len(first) == 64 and int(first, 16) >= 0
    assert kms.list_key_rotations(KeyId=key_id)["Rotations"] == []
    before = kms.encrypt(KeyId=key_id, Plaintext=b"before", EncryptionContext={"a": "1"})["CiphertextBlob"]
    data_key = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")
    assert data_key["KeyMaterialId"] == first

    assert kms.rotate_key_on_demand(KeyId=key_id)["KeyId"] == arn
    rotated = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    assert rotated != first
    after = kms.encrypt(KeyId=key_id, Plaintext=b"after")["CiphertextBlob"]
    opened = kms.decrypt(CiphertextBlob=before, EncryptionContext={"a": "1"})
    assert (opened["Plaintext"], opened["KeyId"], opened["KeyMaterialId"]) == (b"before", arn, first)
    opened = kms.decrypt(CiphertextBlob=after)
    assert (opened["Plaintext"], opened["KeyMaterialId"]) == (b"after", rotated)
    assert kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"] == data_key["Plaintext"]
    moved = kms.re_encrypt(CiphertextBlob=before, SourceEncryptionContext={"a": "1"}, DestinationKeyId=key_id)
    assert kms.decrypt(CiphertextBlob=moved["CiphertextBlob"])["KeyMaterialId"] == rotated

    (entry,) = kms.list_key_rotations(KeyId=key_id)["Rotations"]
    assert (entry["KeyId"], entry["KeyMaterialId"], entry["KeyMaterialState"], entry["RotationType"]) == \
        (key_id, rotated, "CURRENT", "ON_DEMAND")
    assert abs(entry["RotationDate"] - _dt.datetime.now(_dt.timezone.utc)) < _dt.timedelta(minutes=5)
    everything = kms.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert everything[0] == {"KeyId": key_id, "KeyMaterialId": first, "KeyMaterialState": "NON_CURRENT"}
    assert everything[1] == entry


def test_list_key_rotations_pages_with_limit_and_marker(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    for _ in range(3):
        kms.rotate_key_on_demand(KeyId=key_id)
    page = kms.list_key_rotations(KeyId=key_id, Limit=2)
    assert (len(page["Rotations"]), page["Truncated"]) == (2, True)
    rest = kms.list_key_rotations(KeyId=key_id, Limit=2, Marker=page["NextMarker"])
    assert (len(rest["Rotations"]), rest["Truncated"]) == (1, False) and "NextMarker" not in rest
    states = [entry["KeyMaterialState"] for entry in page["Rotations"] + rest["Rotations"]]
    assert states == ["NON_CURRENT", "NON_CURRENT", "CURRENT"]
    assert error_of(kms.list_key_rotations, KeyId=key_id, Marker="nonsense")[0] == "InvalidMarkerException"


def test_keys_that_cannot_rotate_on_demand(server, kms):
    for spec, usage in (("RSA_2048", "ENCRYPT_DECRYPT"), ("HMAC_256", "GENERATE_VERIFY_MAC")):
        other = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
        assert "CurrentKeyMaterialId" not in other
        assert error_of(kms.rotate_key_on_demand, KeyId=other["KeyId"]) == (
            "UnsupportedOperationException", f"{other['Arn']} does not support on-demand key rotation.", 400)
        assert error_of(kms.list_key_rotations, KeyId=other["KeyId"]) == (
            "UnsupportedOperationException", f"{other['Arn']} does not support key rotation.", 400)
    external = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    assert error_of(kms.rotate_key_on_demand, KeyId=external["KeyId"]) == (
        "UnsupportedOperationException", f"{external['Arn']} does not support on-demand key rotation.", 400)
    assert error_of(kms.enable_key_rotation, KeyId=external["KeyId"]) == (
        "UnsupportedOperationException", f"{external['Arn']} does not support automatic key rotation.", 400)

    disabled = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=disabled["KeyId"])
    assert error_of(kms.rotate_key_on_demand, KeyId=disabled["KeyId"]) == (
        "KMSInvalidStateException", f"{disabled['Arn']} is disabled.", 400)
    kms.schedule_key_deletion(KeyId=disabled["KeyId"], PendingWindowInDays=7)
    assert error_of(kms.rotate_key_on_demand, KeyId=disabled["KeyId"]) == (
        "KMSInvalidStateException", f"{disabled['Arn']} is pending deletion.", 400)

    primary = kms.create_key(MultiRegion=True)["KeyMetadata"]
    kms.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    replica_kms = server.client("kms", region="eu-west-1")
    replica_arn = primary["Arn"].replace("us-east-1", "eu-west-1")
    assert error_of(replica_kms.rotate_key_on_demand, KeyId=primary["KeyId"]) == (
        "UnsupportedOperationException", f"{replica_arn} is a multi-Region replica key. Rotate its primary key in "
        "us-east-1.", 400)
    before = replica_kms.encrypt(KeyId=primary["KeyId"], Plaintext=b"mr")["CiphertextBlob"]
    kms.rotate_key_on_demand(KeyId=primary["KeyId"])
    (rotation,) = replica_kms.list_key_rotations(KeyId=primary["KeyId"])["Rotations"]
    assert replica_kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"] == \
        rotation["KeyMaterialId"]
    after = replica_kms.encrypt(KeyId=primary["KeyId"], Plaintext=b"mr2")["CiphertextBlob"]
    assert replica_kms.decrypt(CiphertextBlob=after)["KeyMaterialId"] == rotation["KeyMaterialId"]
    assert kms.decrypt(CiphertextBlob=after)["Plaintext"] == b"mr2"
    assert kms.decrypt(CiphertextBlob=before)["Plaintext"] == b"mr"
    later = kms.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="ap-southeast-2")["ReplicaKeyMetadata"]
    assert later["CurrentKeyMaterialId"] == rotation["KeyMaterialId"]
    later_kms = server.client("kms", region="ap-southeast-2")
    assert later_kms.decrypt(CiphertextBlob=before)["Plaintext"] == b"mr"
    assert later_kms.decrypt(CiphertextBlob=after)["KeyMaterialId"] == rotation["KeyMaterialId"]


def test_a_key_rotates_on_demand_25_times_at_most(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    for _ in range(25):
        kms.rotate_key_on_demand(KeyId=key_id)
    assert error_of(kms.rotate_key_on_demand, KeyId=key_id) == (
        "LimitExceededException", "The on-demand rotations of this KMS key exceed the limit of 25.", 400)
    assert len(_rotations(kms, key_id)) == 25


def _event(server, name: str, key_arn: str) -> dict:
    """The newest CloudTrail record of ``name`` on the key (records reach the history a moment after the call)."""
    trail, deadline = server.client("cloudtrail"), time.monotonic() + 20
    while time.monotonic() < deadline:
        for event in trail.lookup_events(LookupAttributes=[
                {"AttributeKey": "EventName", "AttributeValue": name}])["Events"]:
            if any(resource.get("ResourceName") == key_arn for resource in event.get("Resources", [])):
                return json.loads(event["CloudTrailEvent"])
        time.sleep(0.1)
    raise AssertionError(f"{name} on {key_arn} was not recorded")


def test_cloudtrail_records_the_key_material_a_call_used(server, kms):
    """The Developer Guide's CloudTrail examples: Encrypt, Decrypt, GenerateDataKey and GenerateDataKeyPair record
    additionalEventData.keyMaterialId, ReEncrypt sourceKeyMaterialId and destinationKeyMaterialId."""
    key = kms.create_key()["KeyMetadata"]
    first = key["CurrentKeyMaterialId"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    kms.rotate_key_on_demand(KeyId=key["KeyId"])
    rotated = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"]
    kms.decrypt(CiphertextBlob=blob)
    kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256")
    kms.generate_data_key_pair_without_plaintext(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")
    kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=key["KeyId"])
    for name, material in (("Encrypt", first), ("Decrypt", first), ("GenerateDataKey", rotated),
                           ("GenerateDataKeyPairWithoutPlaintext", rotated)):
        assert _event(server, name, key["Arn"])["additionalEventData"] == {"keyMaterialId": material}, name
    assert _event(server, "ReEncrypt", key["Arn"])["additionalEventData"] == {
        "sourceKeyMaterialId": first, "destinationKeyMaterialId": rotated}


def test_the_aws_cli_rotates_and_lists(server, kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    assert server.cli_json("kms", "rotate-key-on-demand", "--key-id", key_id)["KeyId"].endswith(key_id)
    listed = server.cli_json("kms", "list-key-rotations", "--key-id", key_id)["Rotations"]
    assert [(entry["KeyId"], entry["RotationType"]) for entry in listed] == [(key_id, "ON_DEMAND")]


def test_automatic_rotation_happens_when_its_date_has_passed(server, kms):
    """Rotation every RotationPeriodInDays from when it was enabled, applied when the key is next used or listed;
    an on-demand rotation does not move the schedule. (Last in this module: it moves the server's clock.)"""
    clock = ServerClock(server)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    first_date = kms.get_key_rotation_status(KeyId=key_id)["NextRotationDate"]
    old = kms.encrypt(KeyId=key_id, Plaintext=b"old")["CiphertextBlob"]
    kms.rotate_key_on_demand(KeyId=key_id)
    assert kms.get_key_rotation_status(KeyId=key_id)["NextRotationDate"] == first_date

    clock.advance(91 * 86400)
    described = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    listed = _rotations(kms, key_id)
    assert [entry["RotationType"] for entry in listed] == ["ON_DEMAND", "AUTOMATIC"]
    assert (listed[1]["RotationDate"], listed[1]["KeyMaterialId"]) == (first_date, described)
    assert kms.get_key_rotation_status(KeyId=key_id)["NextRotationDate"] == first_date + _dt.timedelta(days=90)
    new = kms.encrypt(KeyId=key_id, Plaintext=b"new")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=new)["KeyMaterialId"] == described
    assert kms.decrypt(CiphertextBlob=old)["Plaintext"] == b"old"
    assert _rotations(kms, key_id) == listed

    clock.advance(200 * 86400)  # two more periods: two more rotations
    kms.disable_key_rotation(KeyId=key_id)
    clock.advance(200 * 86400)
    listed = _rotations(kms, key_id)
    assert [entry["RotationType"] for entry in listed] == ["ON_DEMAND"] + ["AUTOMATIC"] * 3
    assert listed[3]["RotationDate"] == first_date + _dt.timedelta(days=180)
