"""Bucket policies as resource policies: validation, same-account grants, anonymous access, deny-all lockout."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from harness import BOOT_ACCOUNT, error_of, iam_user_key, policy_document

ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
ADMIN_ARN = f"arn:aws:iam::{BOOT_ACCOUNT}:user/s3-admin"


@pytest.fixture(scope="module")
def s3(server):
    return server.client("s3")


@pytest.fixture(scope="module")
def admin(server):
    return server.client_for(iam_user_key(server, "s3-admin", ADMIN_POLICY), "s3")


def test_policy_round_trip_and_validation(s3, unique):
    bucket = f"pol-{unique}"
    s3.create_bucket(Bucket=bucket)
    assert error_of(s3.get_bucket_policy, Bucket=bucket) == ("NoSuchBucketPolicy", "The bucket policy does not exist", 404)
    assert s3.delete_bucket_policy(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    good = policy_document({"Sid": "Read", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*"})
    # New buckets block public policies (AWS's default since April 2023) until the block is lifted.
    code, message, status = error_of(s3.put_bucket_policy, Bucket=bucket, Policy=good)
    assert (code, status) == ("AccessDenied", 403) and message.endswith(
        "because public policies are blocked by the BlockPublicPolicy block public access setting.")
    s3.delete_public_access_block(Bucket=bucket)
    assert s3.put_bucket_policy(Bucket=bucket, Policy=good)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == good
    cases = {
        "not json": "Policies must be valid JSON and the first byte must be '{'",
        policy_document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}):
            "Missing required field Principal",
        policy_document({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}):
            "Policy has invalid resource",
        policy_document({"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": f"arn:aws:s3:::{bucket}"}):
            "Policy has invalid action",
        policy_document({"Effect": "Allow", "Principal": {"AWS": "not-a-principal"}, "Action": "s3:GetObject",
                 "Resource": f"arn:aws:s3:::{bucket}/*"}): "Invalid principal in policy",
    }
    for text, message in cases.items():
        assert error_of(s3.put_bucket_policy, Bucket=bucket, Policy=text) == ("MalformedPolicy", message, 400)
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == good


def test_bucket_policy_grants_a_user_without_identity_policies(server, s3, unique):
    bucket = f"grant-{unique}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"granted")
    reader = server.client_for(iam_user_key(server, f"reader-{unique}"), "s3")
    assert error_of(reader.get_object, Bucket=bucket, Key="k")[::2] == ("AccessDenied", 403)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy_document({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{BOOT_ACCOUNT}:user/reader-{unique}"},
        "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}))
    assert reader.get_object(Bucket=bucket, Key="k")["Body"].read() == b"granted"
    assert error_of(reader.put_object, Bucket=bucket, Key="k", Body=b"no")[0] == "AccessDenied"
    assert error_of(reader.get_bucket_policy, Bucket=bucket)[0] == "AccessDenied"


def _anonymous_get(server, bucket: str, key: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"{server.endpoint}/{bucket}/{key}", timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_anonymous_access_needs_a_public_policy(server, s3, unique):
    bucket = f"public-{unique}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="page.html", Body=b"<p>hi</p>")
    status, body = _anonymous_get(server, bucket, "page.html")
    assert status == 403 and b"<Code>AccessDenied</Code>" in body
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy_document({
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}))
    assert _anonymous_get(server, bucket, "page.html") == (200, b"<p>hi</p>")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy_document({
        "Effect": "Allow", "Principal": {"AWS": BOOT_ACCOUNT}, "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*"}))
    status, body = _anonymous_get(server, bucket, "page.html")
    assert status == 403 and b"<Message>Access Denied</Message>" in body  # no account: S3 says no more


def test_deny_all_policy_locks_out_admins_but_not_the_owner_root_policy_management(server, s3, admin, unique):
    bucket = f"locked-{unique}"
    admin.create_bucket(Bucket=bucket)
    admin.put_object(Bucket=bucket, Key="k", Body=b"secret")
    deny_all = policy_document({"Sid": "DenyEveryone", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]})
    admin.put_bucket_policy(Bucket=bucket, Policy=deny_all)
    for call, kwargs in ((admin.get_object, {"Key": "k"}), (admin.list_objects_v2, {}), (admin.get_bucket_policy, {}),
                         (admin.delete_bucket_policy, {}), (admin.put_bucket_policy, {"Policy": deny_all})):
        code, message, status = error_of(call, Bucket=bucket, **kwargs)
        # same account: S3 says who, what and which policy (S3 User Guide, access denied message examples)
        assert (code, status) == ("AccessDenied", 403)
        assert message.startswith(f"User: {ADMIN_ARN} is not authorized to perform: s3:") and message.endswith(
            "with an explicit deny in a resource-based policy"), message
    assert error_of(admin.get_object, Bucket=bucket, Key="k")[1] == (
        f'User: {ADMIN_ARN} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::{bucket}/k" '
        "with an explicit deny in a resource-based policy")
    # The account's root keeps bucket-policy management, and nothing else.
    assert error_of(s3.get_object, Bucket=bucket, Key="k")[0] == "AccessDenied"
    assert error_of(s3.list_objects_v2, Bucket=bucket)[0] == "AccessDenied"
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == deny_all
    s3.put_bucket_policy(Bucket=bucket, Policy=deny_all)
    assert s3.delete_bucket_policy(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert admin.get_object(Bucket=bucket, Key="k")["Body"].read() == b"secret"


def test_cli_reports_the_lockout(server, unique):
    bucket = f"cli-lock-{unique}"
    server.cli("s3api", "create-bucket", "--bucket", bucket)
    deny = policy_document({"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"})
    server.cli("s3api", "put-bucket-policy", "--bucket", bucket, "--policy", deny)
    result = server.cli("s3api", "get-object", "--bucket", bucket, "--key", "k", "/dev/null", check=False)
    assert result.returncode != 0 and "AccessDenied" in result.stderr
    server.cli("s3api", "delete-bucket-policy", "--bucket", bucket)


def test_delete_objects_reports_denied_keys(s3, unique):
    bucket = f"multi-{unique}"
    s3.create_bucket(Bucket=bucket)
    for key in ("keep/a", "tmp/b"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy_document({
        "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": f"arn:aws:s3:::{bucket}/keep/*"}))
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "keep/a"}, {"Key": "tmp/b"}]})
    assert result["Deleted"] == [{"Key": "tmp/b"}]
    assert [(e["Key"], e["Code"]) for e in result["Errors"]] == [("keep/a", "AccessDenied")]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["keep/a"]


def test_principals_must_name_existing_users_and_roles(server, s3, unique):
    """S3 refuses a principal that names no user or role ("If the Principal is an IAM user or role, then confirm that
    the user or role wasn't deleted": AWS Knowledge Center, s3-invalid-principal-in-policy-error); account roots,
    "*", services and accounts this server does not hold stay valid."""
    bucket = f"who-{unique}"
    s3.create_bucket(Bucket=bucket)
    server.client("iam").create_user(UserName=f"real-{unique}")

    def grant(principal: object) -> str:
        return policy_document({"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject",
                                "Resource": f"arn:aws:s3:::{bucket}/*"})

    for principal in ({"AWS": f"arn:aws:iam::{BOOT_ACCOUNT}:user/nobody-{unique}"},
                      {"AWS": f"arn:aws:iam::{BOOT_ACCOUNT}:role/nobody-{unique}"},
                      {"AWS": [f"arn:aws:iam::{BOOT_ACCOUNT}:user/real-{unique}",
                               f"arn:aws:iam::{BOOT_ACCOUNT}:user/other/path/real-{unique}"]},
                      {"AWS": "AIDA" + "Q" * 17}):
        assert error_of(s3.put_bucket_policy, Bucket=bucket, Policy=grant(principal)) == (
            "MalformedPolicy", "Invalid principal in policy", 400), principal
    for principal in ({"AWS": f"arn:aws:iam::{BOOT_ACCOUNT}:user/real-{unique}"}, {"AWS": BOOT_ACCOUNT},
                      {"AWS": f"arn:aws:iam::{BOOT_ACCOUNT}:root"}, {"AWS": "arn:aws:iam::111122223333:user/far"},
                      {"AWS": "111122223333"}, {"Service": "cloudtrail.amazonaws.com"}):
        s3.put_bucket_policy(Bucket=bucket, Policy=grant(principal))


def test_actions_must_exist_and_apply_to_a_resource_of_their_statement(s3, unique):
    """S3 answers MalformedPolicy "Policy has invalid action" for an s3: action AWS does not have, and "Action does
    not apply to any resource(s) in statement" when an action can act on none of its statement's resources (an
    object action on the bucket ARN, a bucket action on objects only), as AWS answers PutBucketPolicy."""
    bucket = f"acts-{unique}"
    s3.create_bucket(Bucket=bucket)
    on_bucket, on_objects = f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"

    def deny(action: object, resource: object) -> str:
        return policy_document({"Effect": "Deny", "Principal": "*", "Action": action, "Resource": resource})

    for action in ("s3:GetObjectz", "s3:HeadObject", ["s3:GetObject", "s3:ListObjects"]):
        assert error_of(s3.put_bucket_policy, Bucket=bucket, Policy=deny(action, on_objects)) == (
            "MalformedPolicy", "Policy has invalid action", 400), action
    for action, resource in (("s3:GetObject", on_bucket), (["s3:PutObject", "s3:ListBucket"], on_objects),
                             ("s3:GetObject*", [on_bucket]), ("s3:PutBucketPolicy", f"{on_objects}")):
        assert error_of(s3.put_bucket_policy, Bucket=bucket, Policy=deny(action, resource)) == (
            "MalformedPolicy", "Action does not apply to any resource(s) in statement", 400), (action, resource)
    for action, resource in (("s3:getobject", on_objects), (["s3:GetObject", "s3:ListBucket"], [on_bucket, on_objects]),
                             ("s3:*", on_bucket), ("s3:Get*", on_bucket), ("*", on_objects),
                             ("s3:GetObject", f"arn:aws:s3:::{bucket}*"), ("s3:ListBucket", "*")):
        s3.put_bucket_policy(Bucket=bucket, Policy=deny(action, resource))


def test_put_bucket_policy_checks_its_content_md5(s3, unique):
    """Content-MD5 is S3's common request header for a body's integrity: a malformed one is InvalidDigest, one that
    does not match the policy sent is BadDigest, and the policy is not changed."""
    import base64
    import hashlib

    bucket = f"md5-{unique}"
    s3.create_bucket(Bucket=bucket)
    text = policy_document({"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
                            "Resource": f"arn:aws:s3:::{bucket}/*"})
    assert error_of(s3.put_bucket_policy, Bucket=bucket, Policy=text, ContentMD5="not-md5") == (
        "InvalidDigest", "The Content-MD5 you specified was invalid.", 400)
    assert error_of(s3.put_bucket_policy, Bucket=bucket, Policy=text, ContentMD5="AAAAAAAAAAAAAAAAAAAAAA==") == (
        "BadDigest", "The Content-MD5 you specified did not match what we received.", 400)
    assert error_of(s3.get_bucket_policy, Bucket=bucket)[0] == "NoSuchBucketPolicy"
    digest = base64.b64encode(hashlib.md5(text.encode()).digest()).decode()  # noqa: S324 - the wire format
    s3.put_bucket_policy(Bucket=bucket, Policy=text, ContentMD5=digest)
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == text
