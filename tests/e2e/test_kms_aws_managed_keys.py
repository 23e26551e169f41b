"""KMS: AWS managed keys (alias/aws/<service>). ListAliases lists the predefined aliases without a TargetKeyId until
their key exists; DescribeKey of one creates the key (the DescribeKey API reference's KeyId); the key's policy is
the one AWS gives them, so the account reads its metadata but uses it only through the service (kms:ViaService), and
nobody manages it; it rotates every year. Each test uses a Region of its own: the keys are per account and Region."""

from __future__ import annotations

import json

from harness import BOOT_ACCOUNT, error_of

PREDEFINED = ("alias/aws/s3", "alias/aws/sns", "alias/aws/sqs")
S3_DESCRIPTION = "Default KMS key that protects my S3 objects when no other key is defined"


def _aliases(kms) -> dict[str, dict]:
    return {alias["AliasName"]: alias for page in kms.get_paginator("list_aliases").paginate()
            for alias in page["Aliases"]}


def _denied(action: str, arn: str) -> tuple[str, str, int]:
    return ("AccessDeniedException", f"User: arn:aws:iam::{BOOT_ACCOUNT}:root is not authorized to perform: "
            f"kms:{action} on resource: {arn} because no resource-based policy allows the kms:{action} action", 400)


def test_describe_key_of_a_predefined_alias_creates_the_aws_managed_key(server):
    region = "eu-west-3"
    kms = server.client("kms", region=region)
    aliases = _aliases(kms)
    for name in PREDEFINED:
        assert aliases[name] == {"AliasName": name, "AliasArn": f"arn:aws:kms:{region}:{BOOT_ACCOUNT}:{name}"}
    before = {key["KeyId"] for key in kms.list_keys()["Keys"]}

    metadata = kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    key_id = metadata["KeyId"]
    assert metadata["Arn"] == f"arn:aws:kms:{region}:{BOOT_ACCOUNT}:key/{key_id}"
    assert (metadata["KeyManager"], metadata["Description"], metadata["KeyState"], metadata["Enabled"],
            metadata["Origin"], metadata["KeySpec"], metadata["KeyUsage"], metadata["AWSAccountId"]) == \
        ("AWS", S3_DESCRIPTION, "Enabled", True, "AWS_KMS", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", BOOT_ACCOUNT)
    assert kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"] == metadata  # one key per account and Region
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"] == metadata

    aliases = _aliases(kms)
    assert aliases["alias/aws/s3"]["TargetKeyId"] == key_id
    assert {"CreationDate", "LastUpdatedDate"} <= set(aliases["alias/aws/s3"])
    assert "TargetKeyId" not in aliases["alias/aws/sqs"]
    assert kms.list_aliases(KeyId=key_id)["Aliases"][0]["AliasName"] == "alias/aws/s3"
    assert {key["KeyId"] for key in kms.list_keys()["Keys"]} == before | {key_id}

    sqs_arn = f"arn:aws:kms:{region}:{BOOT_ACCOUNT}:alias/aws/sqs"
    sqs_key = kms.describe_key(KeyId=sqs_arn)["KeyMetadata"]
    assert (sqs_key["KeyManager"], sqs_key["Description"]) == \
        ("AWS", "Default key that protects my SQS messages when no other key is defined")
    assert kms.describe_key(KeyId="alias/aws/sns")["KeyMetadata"]["Description"] == \
        "Default key that protects my SNS data when no other key is defined"

    # Another Region has keys of its own; a service without an AWS managed key here has no predefined alias.
    assert server.client("kms", region="eu-west-2").describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyId"] != key_id
    assert error_of(kms.describe_key, KeyId="alias/aws/nothing") == (
        "NotFoundException", f"Alias arn:aws:kms:{region}:{BOOT_ACCOUNT}:alias/aws/nothing is not found.", 400)


def test_the_aws_managed_key_policy_allows_use_only_through_the_service(server):
    region = "ap-southeast-2"
    kms = server.client("kms", region=region)
    key = kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    policy = kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]
    assert json.loads(policy) == {
        "Version": "2012-10-17", "Id": "auto-s3-2",
        "Statement": [
            {"Sid": "Allow access through S3 for all principals in the account that are authorized to use S3",
             "Effect": "Allow", "Principal": {"AWS": "*"},
             "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
             "Resource": "*",
             "Condition": {"StringEquals": {"kms:CallerAccount": BOOT_ACCOUNT,
                                            "kms:ViaService": f"s3.{region}.amazonaws.com"}}},
            {"Sid": "Allow direct access to key metadata to the account", "Effect": "Allow",
             "Principal": {"AWS": f"arn:aws:iam::{BOOT_ACCOUNT}:root"},
             "Action": ["kms:Describe*", "kms:Get*", "kms:List*"], "Resource": "*"}]}
    assert policy.startswith('{\n  "Version" : "2012-10-17",\n  "Id" : "auto-s3-2",\n  "Statement" : [ {\n')
    # Called directly (not through S3), the key is not usable.
    assert error_of(kms.encrypt, KeyId="alias/aws/s3", Plaintext=b"x") == _denied("Encrypt", key["Arn"])
    # It rotates every year, by AWS.
    status = kms.get_key_rotation_status(KeyId=key["KeyId"])
    assert (status["KeyRotationEnabled"], status["RotationPeriodInDays"]) == (True, 365)


def test_nobody_manages_an_aws_managed_key(server):
    region = "ca-central-1"
    kms = server.client("kms", region=region)
    key = kms.describe_key(KeyId="alias/aws/sqs")["KeyMetadata"]
    key_id, arn = key["KeyId"], key["Arn"]
    policy = kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]
    for action, call, params in (
            ("DisableKey", kms.disable_key, {}),
            ("ScheduleKeyDeletion", kms.schedule_key_deletion, {"PendingWindowInDays": 7}),
            ("PutKeyPolicy", kms.put_key_policy, {"PolicyName": "default", "Policy": policy,
                                                  "BypassPolicyLockoutSafetyCheck": True}),
            ("EnableKeyRotation", kms.enable_key_rotation, {}),
            ("DisableKeyRotation", kms.disable_key_rotation, {}),
            ("UpdateKeyDescription", kms.update_key_description, {"Description": "mine"}),
            ("TagResource", kms.tag_resource, {"Tags": [{"TagKey": "k", "TagValue": "v"}]})):
        assert error_of(call, KeyId=key_id, **params) == _denied(action, arn), action
    assert error_of(kms.delete_alias, AliasName="alias/aws/sqs") == _denied("DeleteAlias", arn)
    mine = kms.create_key()["KeyMetadata"]
    assert mine["KeyManager"] == "CUSTOMER"
    mine = mine["KeyId"]
    assert error_of(kms.update_alias, AliasName="alias/aws/sqs", TargetKeyId=mine) == \
        _denied("UpdateAlias", arn)
    assert error_of(kms.create_alias, AliasName="alias/aws/sns", TargetKeyId=mine) == (
        "InvalidAliasNameException", "Alias names that begin with alias/aws/ are reserved for AWS managed keys.", 400)
    assert kms.describe_key(KeyId="alias/aws/sqs")["KeyMetadata"] == key


def test_the_cli_describes_the_aws_managed_key_for_s3(server):
    """The AWS CLI reference's describe-key example 1."""
    out = json.loads(server.cli("kms", "describe-key", "--key-id", "alias/aws/s3", region="sa-east-1").stdout)
    metadata = out["KeyMetadata"]
    assert (metadata["KeyManager"], metadata["Description"], metadata["KeyState"], metadata["Origin"],
            metadata["CustomerMasterKeySpec"], metadata["EncryptionAlgorithms"]) == \
        ("AWS", S3_DESCRIPTION, "Enabled", "AWS_KMS", "SYMMETRIC_DEFAULT", ["SYMMETRIC_DEFAULT"])
    assert metadata["Arn"] == f"arn:aws:kms:sa-east-1:{BOOT_ACCOUNT}:key/{metadata['KeyId']}"


def test_using_a_predefined_alias_directly_is_denied_and_makes_nothing(server):
    """Encrypt and GenerateDataKey name the AWS managed key as the service would, but the caller is not the service
    (kms:ViaService): denied, on the key DescribeKey then shows."""
    region = "eu-north-1"
    kms = server.client("kms", region=region)
    code, message, status = error_of(kms.encrypt, KeyId="alias/aws/sns", Plaintext=b"x")
    assert (code, status) == ("AccessDeniedException", 400)
    assert error_of(kms.generate_data_key, KeyId="alias/aws/sns", KeySpec="AES_256")[1] == \
        message.replace("kms:Encrypt", "kms:GenerateDataKey")
    assert "TargetKeyId" not in _aliases(kms)["alias/aws/sns"]  # a denied call changes nothing
    arn = kms.describe_key(KeyId="alias/aws/sns")["KeyMetadata"]["Arn"]
    assert message == _denied("Encrypt", arn)[1]


def test_list_aliases_pages_through_the_predefined_aliases_in_name_order(server, unique):
    kms = server.client("kms", region="us-west-1")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    mine = [f"alias/a-{unique}", f"alias/zz-{unique}"]
    for name in mine:
        kms.create_alias(AliasName=name, TargetKeyId=key_id)
    pages = list(kms.get_paginator("list_aliases").paginate(PaginationConfig={"PageSize": 1}))
    assert all(len(page["Aliases"]) == 1 for page in pages)
    names = [page["Aliases"][0]["AliasName"] for page in pages]
    assert names == sorted(set(names)) and set(mine) | set(PREDEFINED) <= set(names)
    assert [alias["AliasName"] for alias in kms.list_aliases(KeyId=key_id)["Aliases"]] == mine
