"""Server-side encryption with KMS keys (SSE-KMS) for objects (S3 User Guide: "Using server-side encryption with AWS
KMS keys (SSE-KMS)", "Setting default server-side encryption behavior for Amazon S3 buckets"; KMS Developer Guide:
"How Amazon S3 uses AWS KMS"; S3 API reference: PutObject, GetObject, HeadObject, CopyObject,
CreateMultipartUpload)."""

from __future__ import annotations

import base64
import gzip
import json
import time

import pytest

from harness import BOOT_ACCOUNT, error_of, iam_user_key, new_bucket, policy_document

ROOT_ARN = f"arn:aws:iam::{BOOT_ACCOUNT}:root"
# S3's answer to a reader the key refuses kms:Decrypt (recorded: ministryofjustice/modernisation-platform#3468).
UNREADABLE = ("AccessDenied", "The ciphertext refers to a customer master key that does not exist, does not exist in "
              "this region, or you are not allowed to access.", 403)


@pytest.fixture(scope="module")
def s3(server):
    return server.client("s3")


@pytest.fixture(scope="module")
def kms(server):
    return server.client("kms")


def _sse(answer: dict) -> tuple:
    return answer.get("ServerSideEncryption"), answer.get("SSEKMSKeyId"), answer.get("BucketKeyEnabled")


def test_put_with_a_customer_managed_key_reads_back_its_headers(s3, kms, unique):
    bucket = new_bucket(s3, unique, "cmk")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/sse-{unique}", TargetKeyId=key["KeyId"])
    alias_arn = f"arn:aws:kms:us-east-1:{BOOT_ACCOUNT}:alias/sse-{unique}"
    for name in (key["KeyId"], key["Arn"], f"alias/sse-{unique}", alias_arn):
        put = s3.put_object(Bucket=bucket, Key="k", Body=b"secret", ServerSideEncryption="aws:kms",
                            SSEKMSKeyId=name)
        assert _sse(put) == ("aws:kms", key["Arn"], None), name
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["Body"].read() == b"secret"
    assert _sse(got) == ("aws:kms", key["Arn"], None)
    assert _sse(s3.head_object(Bucket=bucket, Key="k")) == ("aws:kms", key["Arn"], None)
    ranged = s3.get_object(Bucket=bucket, Key="k", Range="bytes=0-1")
    assert ranged["Body"].read() == b"se" and ranged["SSEKMSKeyId"] == key["Arn"]

    with_bucket_key = s3.put_object(Bucket=bucket, Key="b", Body=b"x", ServerSideEncryption="aws:kms",
                                    SSEKMSKeyId=key["KeyId"], BucketKeyEnabled=True)
    assert _sse(with_bucket_key) == ("aws:kms", key["Arn"], True)
    assert _sse(s3.head_object(Bucket=bucket, Key="b")) == ("aws:kms", key["Arn"], True)

    context = base64.b64encode(json.dumps({"project": "p1"}).encode()).decode()
    put = s3.put_object(Bucket=bucket, Key="c", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key["KeyId"],
                        SSEKMSEncryptionContext=context)
    echoed = json.loads(base64.b64decode(put["SSEKMSEncryptionContext"]))
    assert echoed == {"project": "p1", "aws:s3:arn": f"arn:aws:s3:::{bucket}/c"}

    # No key named: the AWS managed key aws/s3 (made on first use).
    managed = s3.put_object(Bucket=bucket, Key="m", Body=b"x", ServerSideEncryption="aws:kms")
    aws_s3 = kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    assert _sse(managed) == ("aws:kms", aws_s3["Arn"], None)
    assert s3.get_object(Bucket=bucket, Key="m")["Body"].read() == b"x"

    # SSE-S3 objects are as before.
    plain = s3.put_object(Bucket=bucket, Key="p", Body=b"x")
    assert _sse(plain) == ("AES256", None, None)
    assert _sse(s3.head_object(Bucket=bucket, Key="p")) == ("AES256", None, None)


def test_the_request_names_a_usable_key(s3, kms, unique):
    bucket = new_bucket(s3, unique, "badkey")
    missing = "11111111-2222-3333-4444-555555555555"
    assert error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms",
                    SSEKMSKeyId=missing) == (
        "KMS.NotFoundException", f"Key 'arn:aws:kms:us-east-1:{BOOT_ACCOUNT}:key/{missing}' does not exist", 400)
    assert error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms",
                    SSEKMSKeyId="alias/no-such-alias")[0] == "KMS.NotFoundException"
    key = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=key["KeyId"])
    assert error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms",
                    SSEKMSKeyId=key["KeyId"]) == ("KMS.DisabledException", f"{key['Arn']} is disabled.", 400)
    signing = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    code, _, status = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms",
                               SSEKMSKeyId=signing["KeyId"])
    assert (code, status) == ("KMS.InvalidKeyUsageException", 400)
    assert error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="AES256",
                    SSEKMSKeyId=key["KeyId"]) == (
        "InvalidArgument", "Server Side Encryption with AWS KMS managed key requires HTTP header "
        "x-amz-server-side-encryption : aws:kms", 400)
    assert error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms",
                    SSEKMSEncryptionContext="not base64 json")[0] == "InvalidArgument"


def test_a_key_of_another_region_is_not_found(server, s3, unique):
    bucket = new_bucket(s3, unique, "region")
    west = server.client("kms", region="us-west-2").create_key()["KeyMetadata"]
    code, message, status = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x",
                                     ServerSideEncryption="aws:kms", SSEKMSKeyId=west["Arn"])
    assert (code, status) == ("KMS.NotFoundException", 400)
    assert message == "Invalid arn us-west-2"


def test_bucket_default_encryption_with_a_kms_key(s3, kms, unique):
    bucket = new_bucket(s3, unique, "default")
    key = kms.create_key()["KeyMetadata"]
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["KeyId"]},
            "BucketKeyEnabled": True}
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]})
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"] == [rule]
    assert _sse(s3.put_object(Bucket=bucket, Key="k", Body=b"data")) == ("aws:kms", key["Arn"], True)
    assert _sse(s3.get_object(Bucket=bucket, Key="k")) == ("aws:kms", key["Arn"], True)
    # A copy without encryption headers takes the destination bucket's default.
    plain_bucket = new_bucket(s3, unique, "plain")
    s3.put_object(Bucket=plain_bucket, Key="src", Body=b"copied")
    copied = s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{plain_bucket}/src")
    assert _sse(copied) == ("aws:kms", key["Arn"], True)
    back = s3.copy_object(Bucket=plain_bucket, Key="back", CopySource=f"{bucket}/k")
    assert _sse(back) == ("AES256", None, None)
    assert s3.get_object(Bucket=plain_bucket, Key="back")["Body"].read() == b"data"
    # The request's headers win over the default.
    assert _sse(s3.put_object(Bucket=bucket, Key="s3", Body=b"x", ServerSideEncryption="AES256")) == (
        "AES256", None, None)
    # Multipart uploads.
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")
    assert _sse(upload) == ("aws:kms", key["Arn"], True)
    part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload["UploadId"], PartNumber=1, Body=b"part")
    assert _sse(part) == ("aws:kms", key["Arn"], True)
    done = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload["UploadId"],
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert _sse(done) == ("aws:kms", key["Arn"], True)
    assert _sse(s3.head_object(Bucket=bucket, Key="mp")) == ("aws:kms", key["Arn"], True)

    # Default aws:kms without a key: the AWS managed key.
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    aws_s3 = kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["Arn"]
    assert _sse(s3.put_object(Bucket=bucket, Key="m", Body=b"x")) == ("aws:kms", aws_s3, None)


def test_a_copy_names_its_own_key(s3, kms, unique):
    bucket = new_bucket(s3, unique, "copykey")
    first, second = (kms.create_key()["KeyMetadata"] for _ in range(2))
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=first["KeyId"])
    # Re-encrypting an object in place is a change of its encryption attributes.
    again = s3.copy_object(Bucket=bucket, Key="k", CopySource=f"{bucket}/k", ServerSideEncryption="aws:kms",
                           SSEKMSKeyId=second["KeyId"])
    assert _sse(again) == ("aws:kms", second["Arn"], None)
    assert s3.get_object(Bucket=bucket, Key="k")["SSEKMSKeyId"] == second["Arn"]


def _user_with_s3(server, unique: str, name: str):
    """An IAM user whose identity policy allows every S3 action but no KMS action."""
    user = f"{name}-{unique}"
    key = iam_user_key(server, user)
    server.client("iam").put_user_policy(UserName=user, PolicyName="s3", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    return user, server.client_for(key, "s3")


def test_the_caller_needs_the_key_for_writing_and_reading(server, s3, kms, unique):
    bucket = new_bucket(s3, unique, "perm")
    user, user_s3 = _user_with_s3(server, unique, "sse-user")
    key = kms.create_key()["KeyMetadata"]  # the default key policy: IAM policies decide
    code, message, status = error_of(user_s3.put_object, Bucket=bucket, Key="k", Body=b"x",
                                     ServerSideEncryption="aws:kms", SSEKMSKeyId=key["KeyId"])
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: arn:aws:iam::{BOOT_ACCOUNT}:user/{user} is not authorized to perform: "
                       f"kms:GenerateDataKey on resource: \"{key['Arn']}\" because no identity-based policy allows "
                       "the kms:GenerateDataKey action")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key["KeyId"])
    assert error_of(user_s3.get_object, Bucket=bucket, Key="k") == UNREADABLE
    assert error_of(user_s3.copy_object, Bucket=bucket, Key="c", CopySource=f"{bucket}/k") == UNREADABLE
    # The object's metadata needs no key (HeadObject asks for s3:GetObject only).
    assert user_s3.head_object(Bucket=bucket, Key="k")["SSEKMSKeyId"] == key["Arn"]

    # kms:ViaService scopes an identity policy to requests S3 makes.
    server.client("iam").put_user_policy(UserName=user, PolicyName="kms", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": key["Arn"],
         "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"},
                       "StringLike": {"kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{bucket}/*"}}}))
    user_s3.put_object(Bucket=bucket, Key="u", Body=b"mine", ServerSideEncryption="aws:kms",
                       SSEKMSKeyId=key["KeyId"])
    assert user_s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"
    assert user_s3.get_object(Bucket=bucket, Key="u")["Body"].read() == b"mine"
    user_kms = server.client_for(iam_user_key(server, f"direct-{unique}"), "kms")
    assert error_of(user_kms.generate_data_key, KeyId=key["KeyId"], KeySpec="AES_256")[0] == "AccessDeniedException"

    # A bucket default key refuses the user as a named one does.
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                "KMSMasterKeyID": kms.create_key()["KeyMetadata"]["Arn"]}}]})
    assert error_of(user_s3.put_object, Bucket=bucket, Key="d", Body=b"x")[0] == "AccessDenied"


def test_a_disabled_key_makes_its_objects_unreadable_until_enabled(s3, kms, unique):
    bucket = new_bucket(s3, unique, "disabled")
    key = kms.create_key()["KeyMetadata"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"payload", ServerSideEncryption="aws:kms", SSEKMSKeyId=key["KeyId"])
    kms.disable_key(KeyId=key["KeyId"])
    disabled = ("KMS.DisabledException", f"{key['Arn']} is disabled.", 400)
    assert error_of(s3.get_object, Bucket=bucket, Key="k") == disabled
    assert error_of(s3.get_object, Bucket=bucket, Key="k", Range="bytes=0-2") == disabled
    assert error_of(s3.copy_object, Bucket=bucket, Key="copy", CopySource=f"{bucket}/k") == disabled
    kms.enable_key(KeyId=key["KeyId"])
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"payload"

    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    assert error_of(s3.get_object, Bucket=bucket, Key="k") == (
        "KMS.KMSInvalidStateException", f"{key['Arn']} is pending deletion.", 400)
    kms.cancel_key_deletion(KeyId=key["KeyId"])
    kms.enable_key(KeyId=key["KeyId"])
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"payload"


def test_a_key_policy_locking_everyone_out_locks_the_data(server, s3, kms, unique):
    bucket = new_bucket(s3, unique, "lockout")
    keeper = f"keeper-{unique}"
    keeper_kms = server.client_for(iam_user_key(server, keeper), "kms")
    key = kms.create_key()["KeyMetadata"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"locked", ServerSideEncryption="aws:kms", SSEKMSKeyId=key["KeyId"])
    # Only the keeper may manage the key; nobody may use it.
    keeper_arn = f"arn:aws:iam::{BOOT_ACCOUNT}:user/{keeper}"
    keeper_only = policy_document({"Effect": "Allow", "Principal": {"AWS": keeper_arn},
                                   "Action": ["kms:PutKeyPolicy", "kms:GetKeyPolicy"], "Resource": "*"})
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=keeper_only,
                       BypassPolicyLockoutSafetyCheck=True)
    assert error_of(s3.get_object, Bucket=bucket, Key="k") == UNREADABLE
    code, message, status = error_of(s3.put_object, Bucket=bucket, Key="n", Body=b"x",
                                     ServerSideEncryption="aws:kms", SSEKMSKeyId=key["KeyId"])
    assert (code, status) == ("AccessDenied", 403) and "because no resource-based policy allows" in message
    # The keeper gives the account its key back: the data is readable again.
    keeper_kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=policy_document(
        {"Effect": "Allow", "Principal": {"AWS": [ROOT_ARN, keeper_arn]}, "Action": "kms:*", "Resource": "*"}))
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"locked"


def test_the_cli_puts_and_heads_an_sse_kms_object(server, s3, kms, unique, tmp_path):
    bucket = new_bucket(s3, unique, "cli")
    key = kms.create_key()["KeyMetadata"]
    body = tmp_path / "body.txt"
    body.write_bytes(b"from the cli")
    put = server.cli_json("s3api", "put-object", "--bucket", bucket, "--key", "k", "--body", str(body),
                          "--server-side-encryption", "aws:kms", "--ssekms-key-id", key["KeyId"],
                          "--bucket-key-enabled")
    assert (put["ServerSideEncryption"], put["SSEKMSKeyId"], put["BucketKeyEnabled"]) == ("aws:kms", key["Arn"], True)
    head = server.cli_json("s3api", "head-object", "--bucket", bucket, "--key", "k")
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", key["Arn"])


def test_cloudtrail_delivers_into_a_bucket_with_a_kms_default(server, s3, kms, unique):
    """A service delivering into a bucket whose default is aws:kms uses the default key (here aws/s3), unchecked."""
    bucket = new_bucket(s3, unique, "trail")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy_document(
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": f"arn:aws:s3:::{bucket}"},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{BOOT_ACCOUNT}/*"}))
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    cloudtrail = server.client("cloudtrail")
    cloudtrail.create_trail(Name=f"sse-{unique}", S3BucketName=bucket)
    cloudtrail.start_logging(Name=f"sse-{unique}")
    end = time.monotonic() + 20
    while True:
        s3.list_buckets()
        cloudtrail.lookup_events(MaxResults=1)  # waits for the audit writer and its deliveries
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"AWSLogs/{BOOT_ACCOUNT}/CloudTrail/").get("Contents")
        if listed or time.monotonic() > end:
            break
        time.sleep(0.2)
    assert listed, "no log file delivered"
    got = s3.get_object(Bucket=bucket, Key=listed[0]["Key"])
    assert _sse(got) == ("aws:kms", kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["Arn"], None)
    assert json.loads(gzip.decompress(got["Body"].read()))["Records"]
    cloudtrail.delete_trail(Name=f"sse-{unique}")


def test_the_aws_managed_key_serves_every_principal_of_the_account_through_s3(server, s3, unique):
    """aws/s3's key policy allows the account's principals through S3 (kms:ViaService, kms:CallerAccount): no KMS
    permission in their IAM policies is needed."""
    bucket = new_bucket(s3, unique, "managed")
    _, user_s3 = _user_with_s3(server, unique, "managed-user")
    put = user_s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms")
    assert put["ServerSideEncryption"] == "aws:kms"
    assert user_s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_parts_of_an_sse_kms_upload_need_kms_decrypt(server, s3, kms, unique):
    """CreateMultipartUpload needs kms:GenerateDataKey, UploadPart kms:Decrypt (CreateMultipartUpload's
    documentation)."""
    bucket = new_bucket(s3, unique, "parts")
    user, user_s3 = _user_with_s3(server, unique, "parts-user")
    key = kms.create_key()["KeyMetadata"]
    server.client("iam").put_user_policy(UserName=user, PolicyName="kms", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": key["Arn"]}))
    upload = user_s3.create_multipart_upload(Bucket=bucket, Key="mp", ServerSideEncryption="aws:kms",
                                             SSEKMSKeyId=key["Arn"])
    assert _sse(upload) == ("aws:kms", key["Arn"], None)
    assert error_of(user_s3.upload_part, Bucket=bucket, Key="mp", UploadId=upload["UploadId"], PartNumber=1,
                    Body=b"x") == UNREADABLE
    part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload["UploadId"], PartNumber=1, Body=b"x")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload["UploadId"],
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert _sse(done) == ("aws:kms", key["Arn"], None)


def test_a_bucket_made_again_has_the_default_encryption(s3, kms, unique):
    bucket = new_bucket(s3, unique, "again")
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                "KMSMasterKeyID": kms.create_key()["KeyMetadata"]["Arn"]}}]})
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ServerSideEncryption"] == "aws:kms"
    s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=bucket)
    assert _sse(s3.put_object(Bucket=bucket, Key="k", Body=b"x")) == ("AES256", None, None)
    s3.delete_bucket_encryption(Bucket=bucket)
    assert _sse(s3.put_object(Bucket=bucket, Key="k", Body=b"x")) == ("AES256", None, None)
