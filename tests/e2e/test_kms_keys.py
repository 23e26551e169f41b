"""KMS: keys and their states, aliases, tags, key policies as AWS evaluates them (the key policy must allow; naming
the account enables IAM policies), the lockout safety check, grants, and real cryptography."""

from __future__ import annotations

import hashlib
import json
import os
import stat

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from harness import BOOT_ACCOUNT, error_of, iam_user_key, policy_document

ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
ROOT_ARN = f"arn:aws:iam::{BOOT_ACCOUNT}:root"


def _user_arn(name: str) -> str:
    return f"arn:aws:iam::{BOOT_ACCOUNT}:user/{name}"


@pytest.fixture(scope="module")
def kms(server):
    return server.client("kms")


@pytest.fixture(scope="module")
def admin(server):
    return server.client_for(iam_user_key(server, "kms-admin", ADMIN_POLICY), "kms")


def test_symmetric_key_life_cycle(kms, unique):
    created = kms.create_key(Description="life", Tags=[{"TagKey": "team", "TagValue": unique}])["KeyMetadata"]
    key_id, arn = created["KeyId"], created["Arn"]
    assert arn == f"arn:aws:kms:us-east-1:{BOOT_ACCOUNT}:key/{key_id}"
    assert (created["KeySpec"], created["KeyUsage"], created["KeyState"], created["Enabled"], created["Origin"]) == \
        ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "Enabled", True, "AWS_KMS")
    assert created["EncryptionAlgorithms"] == ["SYMMETRIC_DEFAULT"]
    listed = [k["KeyId"] for page in kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 1})
              for k in page["Keys"]]
    assert key_id in listed
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "team", "TagValue": unique}]
    kms.untag_resource(KeyId=key_id, TagKeys=["team"])
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == []
    assert kms.list_key_policies(KeyId=key_id)["PolicyNames"] == ["default"]

    kms.disable_key(KeyId=key_id)
    assert error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x") == ("DisabledException", f"{arn} is disabled.", 400)
    kms.enable_key(KeyId=key_id)
    code, _, status = error_of(kms.schedule_key_deletion, KeyId=key_id, PendingWindowInDays=6)
    assert (code, status) == ("ValidationException", 400)
    scheduled = kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert scheduled["KeyState"] == "PendingDeletion" and scheduled["PendingWindowInDays"] == 7
    assert error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x") == \
        ("KMSInvalidStateException", f"{arn} is pending deletion.", 400)
    assert error_of(kms.enable_key, KeyId=key_id)[0] == "KMSInvalidStateException"
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["PendingDeletionWindowInDays"] == 7
    kms.cancel_key_deletion(KeyId=key_id)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Disabled"
    assert error_of(kms.cancel_key_deletion, KeyId=key_id)[0] == "KMSInvalidStateException"

    missing = "11111111-2222-3333-4444-555555555555"
    assert error_of(kms.describe_key, KeyId=missing) == (
        "NotFoundException", f"Key 'arn:aws:kms:us-east-1:{BOOT_ACCOUNT}:key/{missing}' does not exist", 400)
    assert error_of(kms.describe_key, KeyId="not-a-key") == ("NotFoundException", "Invalid keyId 'not-a-key'", 400)


def test_aliases(kms, unique):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    name = f"alias/app-{unique}"
    kms.create_alias(AliasName=name, TargetKeyId=key_id)
    assert error_of(kms.create_alias, AliasName=name, TargetKeyId=key_id)[0] == "AlreadyExistsException"
    assert error_of(kms.create_alias, AliasName="alias/aws/mine", TargetKeyId=key_id)[0] == "InvalidAliasNameException"
    assert kms.describe_key(KeyId=name)["KeyMetadata"]["KeyId"] == key_id
    blob = kms.encrypt(KeyId=name, Plaintext=b"via alias")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"via alias"
    # Key management operations take a key ID or key ARN only (their KeyId documentation): an alias is not found.
    alias_arn = f"arn:aws:kms:us-east-1:{BOOT_ACCOUNT}:{name}"
    for operation, extra in ((kms.schedule_key_deletion, {}), (kms.disable_key, {}), (kms.get_key_policy, {}),
                             (kms.tag_resource, {"Tags": [{"TagKey": "k", "TagValue": "v"}]}),
                             (kms.enable_key_rotation, {})):
        for identifier in (name, alias_arn):
            assert error_of(operation, KeyId=identifier, **extra) == (
                "NotFoundException", f"Invalid keyId '{identifier}'", 400), operation
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
    kms.update_alias(AliasName=name, TargetKeyId=other)
    aliases = kms.list_aliases(KeyId=other)["Aliases"]
    assert [(a["AliasName"], a["TargetKeyId"], a["AliasArn"]) for a in aliases] == \
        [(name, other, f"arn:aws:kms:us-east-1:{BOOT_ACCOUNT}:{name}")]
    kms.delete_alias(AliasName=name)
    assert error_of(kms.describe_key, KeyId=name) == (
        "NotFoundException", f"Alias arn:aws:kms:us-east-1:{BOOT_ACCOUNT}:{name} is not found.", 400)


def test_encryption_context_binds_ciphertexts_and_decrypt_finds_the_key(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"secret", EncryptionContext={"a": "1"})["CiphertextBlob"]
    assert b"secret" not in blob
    decrypted = kms.decrypt(CiphertextBlob=blob, EncryptionContext={"a": "1"})
    assert decrypted["Plaintext"] == b"secret" and decrypted["KeyId"].endswith(key_id)
    for context in ({}, {"a": "2"}, {"a": "1", "b": "2"}):
        assert error_of(kms.decrypt, CiphertextBlob=blob, EncryptionContext=context)[0] == "InvalidCiphertextException"
    assert error_of(kms.decrypt, CiphertextBlob=blob, KeyId=other, EncryptionContext={"a": "1"})[0] == \
        "IncorrectKeyException"
    assert error_of(kms.decrypt, CiphertextBlob=b"garbage" * 10)[0] == "InvalidCiphertextException"
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    assert error_of(kms.decrypt, CiphertextBlob=tampered, EncryptionContext={"a": "1"})[0] == \
        "InvalidCiphertextException"

    moved = kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"a": "1"}, DestinationKeyId=other)
    assert moved["SourceKeyId"].endswith(key_id) and moved["KeyId"].endswith(other)
    assert kms.decrypt(CiphertextBlob=moved["CiphertextBlob"])["Plaintext"] == b"secret"

    data_key = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256", EncryptionContext={"k": "v"})
    assert len(data_key["Plaintext"]) == 32
    assert kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"], EncryptionContext={"k": "v"})["Plaintext"] == \
        data_key["Plaintext"]
    bare = kms.generate_data_key_without_plaintext(KeyId=key_id, NumberOfBytes=16)
    assert "Plaintext" not in bare and len(kms.decrypt(CiphertextBlob=bare["CiphertextBlob"])["Plaintext"]) == 16
    assert error_of(kms.generate_data_key, KeyId=key_id)[0] == "ValidationException"
    assert len(kms.generate_random(NumberOfBytes=24)["Plaintext"]) == 24


def test_signing_and_mac_keys(kms):
    ecc = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert ecc["SigningAlgorithms"] == ["ECDSA_SHA_256"]
    signature = kms.sign(KeyId=ecc["KeyId"], Message=b"document", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=ecc["KeyId"])["PublicKey"])
    public.verify(signature, b"document", ec.ECDSA(hashes.SHA256()))  # verifiable outside KMS
    assert kms.verify(KeyId=ecc["KeyId"], Message=b"document", Signature=signature,
                      SigningAlgorithm="ECDSA_SHA_256")["SignatureValid"] is True
    assert error_of(kms.verify, KeyId=ecc["KeyId"], Message=b"other", Signature=signature,
                    SigningAlgorithm="ECDSA_SHA_256")[0] == "KMSInvalidSignatureException"
    digest = hashlib.sha256(b"document").digest()
    assert kms.verify(KeyId=ecc["KeyId"], Message=digest, MessageType="DIGEST", Signature=signature,
                      SigningAlgorithm="ECDSA_SHA_256")["SignatureValid"] is True
    assert error_of(kms.encrypt, KeyId=ecc["KeyId"], Plaintext=b"x")[0] == "InvalidKeyUsageException"
    assert error_of(kms.sign, KeyId=ecc["KeyId"], Message=b"x", SigningAlgorithm="RSASSA_PSS_SHA_256")[0] == \
        "InvalidKeyUsageException"
    assert error_of(kms.create_key, KeySpec="ECC_NIST_P256")[0] == "ValidationException"

    rsa = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    for algorithm in ("RSASSA_PSS_SHA_256", "RSASSA_PKCS1_V1_5_SHA_512"):
        signed = kms.sign(KeyId=rsa, Message=b"m", SigningAlgorithm=algorithm)["Signature"]
        assert kms.verify(KeyId=rsa, Message=b"m", Signature=signed, SigningAlgorithm=algorithm)["SignatureValid"]

    rsa_encryption = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=rsa_encryption, Plaintext=b"short", EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert kms.decrypt(KeyId=rsa_encryption, CiphertextBlob=blob["CiphertextBlob"],
                       EncryptionAlgorithm="RSAES_OAEP_SHA_256")["Plaintext"] == b"short"

    hmac_key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    assert hmac_key["MacAlgorithms"] == ["HMAC_SHA_256"]
    mac = kms.generate_mac(KeyId=hmac_key["KeyId"], Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert len(mac) == 32
    assert kms.verify_mac(KeyId=hmac_key["KeyId"], Message=b"m", Mac=mac, MacAlgorithm="HMAC_SHA_256")["MacValid"]
    assert error_of(kms.verify_mac, KeyId=hmac_key["KeyId"], Message=b"n", Mac=mac,
                    MacAlgorithm="HMAC_SHA_256")[0] == "KMSInvalidMacException"
    assert error_of(kms.generate_mac, KeyId=hmac_key["KeyId"], Message=b"m", MacAlgorithm="HMAC_SHA_512")[0] == \
        "InvalidKeyUsageException"


def test_key_policy_must_allow_and_naming_the_account_enables_iam_policies(server, kms, admin, unique):
    plain_name = f"kms-plain-{unique}"
    plain = server.client_for(iam_user_key(server, plain_name), "kms")
    key = kms.create_key()["KeyMetadata"]
    key_id, arn = key["KeyId"], key["Arn"]
    # Default policy: the account is trusted, so IAM policies decide.
    admin.encrypt(KeyId=key_id, Plaintext=b"x")
    code, message, status = error_of(plain.encrypt, KeyId=key_id, Plaintext=b"x")
    assert (code, status) == ("AccessDeniedException", 400)
    assert message == (f"User: {_user_arn(plain_name)} is not authorized to perform: kms:Encrypt on resource: {arn} "
                       "because no identity-based policy allows the kms:Encrypt action")

    # A key policy naming only the user: the user needs no IAM policy; the administrator's IAM policy counts for
    # nothing, and neither does the root user's standing.
    only_user = policy_document({"Effect": "Allow", "Principal": {"AWS": _user_arn(plain_name)}, "Action": "kms:*",
                                 "Resource": "*"})
    assert error_of(kms.put_key_policy, KeyId=key_id, PolicyName="default", Policy=only_user)[0] == \
        "MalformedPolicyDocumentException"
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=only_user, BypassPolicyLockoutSafetyCheck=True)
    plain.encrypt(KeyId=key_id, Plaintext=b"x")
    assert plain.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"] == only_user
    for client, who in ((admin, _user_arn("kms-admin")), (kms, ROOT_ARN)):
        assert error_of(client.encrypt, KeyId=key_id, Plaintext=b"x")[1] == (
            f"User: {who} is not authorized to perform: kms:Encrypt on resource: {arn} because no resource-based "
            "policy allows the kms:Encrypt action")

    # The user may hand management back to the account (the lockout check passes: the user keeps PutKeyPolicy).
    shared = policy_document(
        {"Effect": "Allow", "Principal": {"AWS": ROOT_ARN}, "Action": "kms:Describe*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": _user_arn(plain_name)}, "Action": "kms:*", "Resource": "*"})
    plain.put_key_policy(KeyId=key_id, PolicyName="default", Policy=shared)
    admin.describe_key(KeyId=key_id)  # the account is trusted for kms:Describe* only
    assert "no resource-based policy" in error_of(admin.encrypt, KeyId=key_id, Plaintext=b"x")[1]

    # An IAM explicit deny still binds a principal the key policy names.
    server.client("iam").put_user_policy(UserName=plain_name, PolicyName="deny", PolicyDocument=policy_document(
        {"Effect": "Deny", "Action": "kms:Encrypt", "Resource": "*"}))
    assert "explicit deny in an identity-based policy" in error_of(plain.encrypt, KeyId=key_id, Plaintext=b"x")[1]


def test_create_key_with_a_policy_applies_the_lockout_check(server, admin, unique):
    server.client("iam").create_user(UserName=f"bystander-{unique}")
    others = policy_document({"Effect": "Allow", "Principal": {"AWS": _user_arn(f"bystander-{unique}")},
                              "Action": "kms:*", "Resource": "*"})
    assert error_of(admin.create_key, Policy=others) == (
        "MalformedPolicyDocumentException",
        "The new key policy will not allow you to update the key policy in the future.", 400)
    assert error_of(admin.create_key, Policy="{not json")[0] == "MalformedPolicyDocumentException"
    locked = admin.create_key(Policy=others, BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]["KeyId"]
    assert error_of(admin.describe_key, KeyId=locked)[0] == "AccessDeniedException"


def test_a_key_policy_names_principals_that_exist(server, kms, unique):
    """"The principals in the key policy must exist and be visible to KMS" (PutKeyPolicy's Policy documentation):
    else MalformedPolicyDocumentException "Policy contains a statement with one or more invalid principals.", on
    CreateKey and PutKeyPolicy, BypassPolicyLockoutSafetyCheck or not; a malformed principal is worded the same."""
    server.client("iam").create_user(UserName=f"keyholder-{unique}")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]

    def naming(*principals: dict) -> str:
        return policy_document({"Effect": "Allow", "Principal": {"AWS": ROOT_ARN}, "Action": "kms:*", "Resource": "*"},
                               *({"Effect": "Allow", "Principal": principal, "Action": "kms:Encrypt", "Resource": "*"}
                                 for principal in principals))

    invalid = ("MalformedPolicyDocumentException", "Policy contains a statement with one or more invalid principals.",
               400)
    for principal in ({"AWS": _user_arn(f"nobody-{unique}")},
                      {"AWS": f"arn:aws:iam::{BOOT_ACCOUNT}:role/nobody-{unique}"}, {"AWS": "not-a-principal"}):
        for bypass in (False, True):
            assert error_of(kms.put_key_policy, KeyId=key_id, PolicyName="default", Policy=naming(principal),
                            BypassPolicyLockoutSafetyCheck=bypass) == invalid, (principal, bypass)
        assert error_of(kms.create_key, Policy=naming(principal)) == invalid
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=naming(
        {"AWS": _user_arn(f"keyholder-{unique}")}, {"AWS": "arn:aws:iam::111122223333:root"},
        {"AWS": "arn:aws:iam::111122223333:user/far"}, {"Service": "logs.amazonaws.com"}))


def test_a_key_policy_is_32_kib_at_most(kms):
    """KMS's quota on a key policy's size: 32 KiB; larger is LimitExceededException, on CreateKey and PutKeyPolicy."""
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    policy = kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]
    padded = policy[:-1] + " " * (32768 - len(policy.encode())) + policy[-1]
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=padded)
    too_big = padded[:-1] + " " + padded[-1]
    assert error_of(kms.put_key_policy, KeyId=key_id, PolicyName="default", Policy=too_big)[::2] == (
        "LimitExceededException", 400)
    assert error_of(kms.create_key, Policy=too_big)[0] == "LimitExceededException"


def test_grants(server, kms, unique):
    name = f"kms-grantee-{unique}"
    grantee = server.client_for(iam_user_key(server, name), "kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    grant = kms.create_grant(KeyId=key_id, GranteePrincipal=_user_arn(name), RetiringPrincipal=_user_arn(name),
                             Operations=["Encrypt", "Decrypt"], Name="app",
                             Constraints={"EncryptionContextSubset": {"app": unique}})
    assert kms.create_grant(KeyId=key_id, GranteePrincipal=_user_arn(name), RetiringPrincipal=_user_arn(name),
                            Operations=["Encrypt", "Decrypt"], Name="app",
                            Constraints={"EncryptionContextSubset": {"app": unique}})["GrantId"] == grant["GrantId"]
    blob = grantee.encrypt(KeyId=key_id, Plaintext=b"g", EncryptionContext={"app": unique, "x": "y"},
                           GrantTokens=[grant["GrantToken"]])["CiphertextBlob"]
    assert grantee.decrypt(CiphertextBlob=blob, EncryptionContext={"app": unique, "x": "y"})["Plaintext"] == b"g"
    assert error_of(grantee.encrypt, KeyId=key_id, Plaintext=b"g")[0] == "AccessDeniedException"
    assert error_of(grantee.describe_key, KeyId=key_id)[0] == "AccessDeniedException"
    listed = kms.list_grants(KeyId=key_id)["Grants"]
    assert [(g["GrantId"], g["Operations"], g["IssuingAccount"], g["Constraints"]) for g in listed] == \
        [(grant["GrantId"], ["Encrypt", "Decrypt"], ROOT_ARN, {"EncryptionContextSubset": {"app": unique}})]
    assert [g["GrantId"] for g in kms.list_retirable_grants(RetiringPrincipal=_user_arn(name))["Grants"]] == \
        [grant["GrantId"]]
    grantee.retire_grant(GrantToken=grant["GrantToken"])
    assert kms.list_grants(KeyId=key_id)["Grants"] == []
    assert error_of(grantee.encrypt, KeyId=key_id, Plaintext=b"g", EncryptionContext={"app": unique})[0] == \
        "AccessDeniedException"

    second = kms.create_grant(KeyId=key_id, GranteePrincipal=_user_arn(name), Operations=["DescribeKey"])
    grantee.describe_key(KeyId=key_id)
    assert error_of(grantee.retire_grant, KeyId=key_id, GrantId=second["GrantId"])[0] == "AccessDeniedException"
    kms.revoke_grant(KeyId=key_id, GrantId=second["GrantId"])
    assert error_of(grantee.describe_key, KeyId=key_id)[0] == "AccessDeniedException"
    assert error_of(kms.revoke_grant, KeyId=key_id, GrantId=second["GrantId"])[0] == "NotFoundException"


def test_key_material_is_sealed_under_a_0600_master_key(server, kms):
    key_id = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    path = os.path.join(server.data_dir, "kms-master.key")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    mac = kms.generate_mac(KeyId=key_id, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    events = server.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GenerateMac"}])["Events"]
    assert events and all(mac.hex() not in event["CloudTrailEvent"] for event in events)
    assert all(json.loads(event["CloudTrailEvent"])["readOnly"] is True for event in events)
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    mine = [json.loads(e["CloudTrailEvent"]) for e in events if key_id in e["CloudTrailEvent"]]
    assert mine and mine[0]["resources"] == [{"accountId": BOOT_ACCOUNT, "type": "AWS::KMS::Key", "ARN": arn}]
    assert '"keyId"' in json.dumps([json.loads(e["CloudTrailEvent"])["requestParameters"] for e in events])


def test_a_key_is_deleted_when_its_waiting_period_ends():
    from harness import start_server

    server = start_server(args=("--time-travel",))
    try:
        kms = server.client("kms")
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
        server.advance_clock(6 * 86400)
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
        server.advance_clock(86400 + 60)
        assert error_of(kms.describe_key, KeyId=key_id)[0] == "NotFoundException"
        assert key_id not in [key["KeyId"] for key in kms.list_keys()["Keys"]]
    finally:
        server.close()


def test_tags_do_not_change_on_a_key_pending_deletion(kms):
    """AWS KMS tags and untags existing keys "unless they are pending deletion" (Developer Guide, Tags in AWS KMS);
    ListResourceTags still answers."""
    created = kms.create_key(Tags=[{"TagKey": "keep", "TagValue": "v"}])["KeyMetadata"]
    key_id, arn = created["KeyId"], created["Arn"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    pending = ("KMSInvalidStateException", f"{arn} is pending deletion.", 400)
    assert error_of(kms.tag_resource, KeyId=key_id, Tags=[{"TagKey": "new", "TagValue": "v"}]) == pending
    assert error_of(kms.untag_resource, KeyId=key_id, TagKeys=["keep"]) == pending
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "keep", "TagValue": "v"}]
    kms.cancel_key_deletion(KeyId=key_id)
    kms.untag_resource(KeyId=key_id, TagKeys=["keep"])
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == []


def test_list_keys_answers_100_keys_when_no_limit_is_given(kms):
    """ListKeys' Limit "defaults to 100" (its API reference); the rest comes with Truncated and NextMarker."""
    existing = sum(len(page["Keys"]) for page in kms.get_paginator("list_keys").paginate())
    for _ in range(max(0, 101 - existing)):
        kms.create_key()
    first = kms.list_keys()
    assert (len(first["Keys"]), first["Truncated"]) == (100, True) and first["NextMarker"]
    assert len(kms.list_keys(Limit=1000)["Keys"]) > 100
