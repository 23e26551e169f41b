"""ACL writes (the S3 API reference: PutBucketAcl, PutObjectAcl, x-amz-acl and x-amz-grant-* on CreateBucket and
PutObject; the user guide's "Access control list (ACL) overview", "Controlling ownership of objects and disabling
ACLs for your bucket" and its troubleshooting page, and "Blocking public access to your Amazon S3 storage")."""

from __future__ import annotations

import pytest

from harness import error_of, iam_user_key, policy_document
from root_access_org import ADMIN_POLICY, OrgWorld

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
NOT_SUPPORTED = ("AccessControlListNotSupported", "The bucket does not allow ACLs", 400)


@pytest.fixture(scope="module")
def s3(server):
    return server.client("s3")


@pytest.fixture(scope="module")
def member(server):
    """Another account of the bootstrap account's organization: an admin session's S3 client, the account id and
    its canonical user id."""
    world = OrgWorld(server)
    admin = world.user("acl-admin", managed=ADMIN_POLICY)
    world.create_organization()
    member_id = world.create_account("acl-member")
    client = server.client_for(world.member_admin(admin, member_id), "s3")
    return client, member_id, client.list_buckets()["Owner"]["ID"]


def _owner(s3, bucket: str) -> str:
    return s3.get_bucket_acl(Bucket=bucket)["Owner"]["ID"]


def _full_control(owner: str) -> dict:
    return {"Grantee": {"ID": owner, "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}


def _group(uri: str, permission: str) -> dict:
    return {"Grantee": {"Type": "Group", "URI": uri}, "Permission": permission}


def _acl_bucket(s3, unique: str, name: str, *, block_public_acls: bool = False) -> str:
    """A bucket with ACLs enabled (ObjectWriter) and BlockPublicAcls as asked."""
    bucket = f"{name}-{unique}"
    s3.create_bucket(Bucket=bucket, ObjectOwnership="ObjectWriter")
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"BlockPublicAcls": block_public_acls})
    return bucket


def test_acls_are_refused_when_the_bucket_owner_enforces_ownership(s3, unique):
    bucket = f"aclboe-{unique}"
    s3.create_bucket(Bucket=bucket)
    owner = _owner(s3, bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert error_of(s3.put_bucket_acl, Bucket=bucket, ACL="public-read") == NOT_SUPPORTED
    assert error_of(s3.put_object_acl, Bucket=bucket, Key="k", ACL="public-read") == NOT_SUPPORTED
    assert error_of(s3.put_bucket_acl, Bucket=bucket, GrantRead=f'uri="{ALL_USERS}"') == NOT_SUPPORTED
    assert s3.put_bucket_acl(Bucket=bucket, ACL="private")["ResponseMetadata"]["HTTPStatusCode"] == 200
    s3.put_object_acl(Bucket=bucket, Key="k", ACL="bucket-owner-full-control")
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy={"Owner": {"ID": owner}, "Grants": [_full_control(owner)]})
    assert s3.get_bucket_acl(Bucket=bucket)["Grants"] == [_full_control(owner)]
    assert s3.get_object_acl(Bucket=bucket, Key="k")["Grants"] == [_full_control(owner)]
    assert error_of(s3.put_object_acl, Bucket=bucket, Key="missing", ACL="private")[::2] == ("NoSuchKey", 404)
    assert error_of(s3.put_bucket_acl, Bucket=bucket) == (
        "MissingSecurityHeader", "Your request was missing a required header", 400)


def test_canned_acls_are_stored_and_read_back(s3, unique):
    bucket = _acl_bucket(s3, unique, "aclcanned")
    owner = _owner(s3, bucket)
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    acl = s3.get_bucket_acl(Bucket=bucket)
    assert acl["Owner"]["ID"] == owner
    assert acl["Grants"] == [_full_control(owner), _group(ALL_USERS, "READ")]
    s3.put_bucket_acl(Bucket=bucket, ACL="authenticated-read")
    assert s3.get_bucket_acl(Bucket=bucket)["Grants"] == [_full_control(owner), _group(AUTHENTICATED_USERS, "READ")]
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="public-read-write")
    assert s3.get_object_acl(Bucket=bucket, Key="k")["Grants"] == [
        _full_control(owner), _group(ALL_USERS, "READ"), _group(ALL_USERS, "WRITE")]
    s3.put_object_acl(Bucket=bucket, Key="k", ACL="authenticated-read")
    assert s3.get_object_acl(Bucket=bucket, Key="k")["Grants"] == [
        _full_control(owner), _group(AUTHENTICATED_USERS, "READ")]
    s3.put_object_acl(Bucket=bucket, Key="k", ACL="aws-exec-read")  # Amazon EC2's canonical user reads AMI bundles
    assert s3.get_object_acl(Bucket=bucket, Key="k")["Grants"] == [_full_control(owner), {"Grantee": {
        "ID": "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c", "Type": "CanonicalUser"},
        "Permission": "READ"}]
    s3.put_object(Bucket=bucket, Key="k", Body=b"y")  # a new object starts private
    assert s3.get_object_acl(Bucket=bucket, Key="k")["Grants"] == [_full_control(owner)]
    assert error_of(s3.create_bucket, Bucket=f"aclpublic-{unique}", ObjectOwnership="ObjectWriter",
                    ACL="public-read") == ("InvalidBucketAclWithBlockPublicAccessError",
                                           "Bucket cannot have public ACLs set with BlockPublicAccess enabled", 400)
    created = f"aclcreate-{unique}"
    s3.create_bucket(Bucket=created, ObjectOwnership="BucketOwnerPreferred", GrantWrite=f'uri="{LOG_DELIVERY}"')
    assert s3.get_bucket_acl(Bucket=created)["Grants"] == [_group(LOG_DELIVERY, "WRITE")]


def test_grant_headers_and_access_control_policy(s3, unique):
    bucket = _acl_bucket(s3, unique, "aclgrants")
    owner = _owner(s3, bucket)
    s3.put_bucket_acl(Bucket=bucket, GrantFullControl=f'id="{owner}"',
                      GrantRead=f'uri="{AUTHENTICATED_USERS}", uri="{ALL_USERS}"')
    assert s3.get_bucket_acl(Bucket=bucket)["Grants"] == [
        _full_control(owner), _group(AUTHENTICATED_USERS, "READ"), _group(ALL_USERS, "READ")]
    policy = {"Owner": {"ID": owner}, "Grants": [_full_control(owner), _group(LOG_DELIVERY, "READ_ACP")]}
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy=policy)
    assert s3.get_bucket_acl(Bucket=bucket)["Grants"] == policy["Grants"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_object_acl(Bucket=bucket, Key="k", AccessControlPolicy=policy)
    assert s3.get_object_acl(Bucket=bucket, Key="k")["Grants"] == policy["Grants"]
    assert error_of(s3.put_bucket_acl, Bucket=bucket, ACL="private", GrantRead=f'id="{owner}"') == (
        "InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed", 400)
    assert error_of(s3.put_bucket_acl, Bucket=bucket, GrantRead='uri="http://example.com/group"')[::2] == (
        "InvalidArgument", 400)
    assert error_of(s3.put_bucket_acl, Bucket=bucket, GrantRead='id="not-an-id"') == (
        "InvalidArgument", "Invalid id", 400)
    assert error_of(s3.put_bucket_acl, Bucket=bucket, GrantRead="nonsense")[::2] == ("InvalidArgument", 400)
    assert error_of(s3.put_bucket_acl, Bucket=bucket, GrantRead='emailAddress="someone@example.com"') == (
        "MethodNotAllowed", "The specified method is not allowed against this resource.", 405)
    assert error_of(s3.put_bucket_acl, Bucket=bucket, AccessControlPolicy={
        "Owner": {"ID": owner}, "Grants": [{"Grantee": {"ID": owner, "Type": "CanonicalUser"}}]}) == (
        "MalformedACLError", "The XML you provided was not well-formed or did not validate against our published "
        "schema", 400)
    assert error_of(s3.put_bucket_ownership_controls, Bucket=bucket,
                    OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}) == (
        "InvalidBucketAclWithObjectOwnership",
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting", 400)
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    s3.put_bucket_ownership_controls(Bucket=bucket,
                                     OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    assert s3.get_object_acl(Bucket=bucket, Key="k")["Grants"] == [_full_control(owner)]


def test_block_public_acls_refuses_public_acls(s3, unique):
    bucket = _acl_bucket(s3, unique, "aclbpa", block_public_acls=True)
    owner = _owner(s3, bucket)
    assert error_of(s3.put_bucket_acl, Bucket=bucket, ACL="public-read") == ("AccessDenied", "Access Denied", 403)
    assert error_of(s3.put_bucket_acl, Bucket=bucket, GrantRead=f'uri="{AUTHENTICATED_USERS}"')[::2] == (
        "AccessDenied", 403)
    assert error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", ACL="public-read")[::2] == ("AccessDenied", 403)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="private")
    assert error_of(s3.put_object_acl, Bucket=bucket, Key="k", ACL="authenticated-read")[::2] == ("AccessDenied", 403)
    s3.put_bucket_acl(Bucket=bucket, GrantFullControl=f'id="{owner}"', GrantWrite=f'uri="{LOG_DELIVERY}"')  # not public
    assert s3.get_bucket_acl(Bucket=bucket)["Grants"] == [_full_control(owner), _group(LOG_DELIVERY, "WRITE")]


def test_object_acls_of_versions(s3, unique):
    bucket = _acl_bucket(s3, unique, "aclver")
    owner = _owner(s3, bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"1", ACL="public-read")["VersionId"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"2")
    assert s3.get_object_acl(Bucket=bucket, Key="k")["Grants"] == [_full_control(owner)]
    assert s3.get_object_acl(Bucket=bucket, Key="k", VersionId=first)["Grants"][1] == _group(ALL_USERS, "READ")
    s3.put_object_acl(Bucket=bucket, Key="k", VersionId=first, ACL="private")
    assert s3.get_object_acl(Bucket=bucket, Key="k", VersionId=first)["Grants"] == [_full_control(owner)]


def test_acl_permissions_and_condition_keys(server, s3, unique):
    bucket = f"aclauth-{unique}"
    s3.create_bucket(Bucket=bucket)
    owner = _owner(s3, bucket)
    name = f"uploader-{unique}"
    key = iam_user_key(server, name)
    server.client("iam").put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*"},
        {"Effect": "Allow", "Action": "s3:PutObjectAcl", "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}))
    user = server.client_for(key, "s3")
    user.put_object(Bucket=bucket, Key="plain", Body=b"x")
    user.put_object(Bucket=bucket, Key="owned", Body=b"x", ACL="bucket-owner-full-control")
    code, message, status = error_of(user.put_object, Bucket=bucket, Key="private", Body=b"x", ACL="private")
    assert (code, status) == ("AccessDenied", 403) and "s3:PutObjectAcl" in message
    assert error_of(user.put_object, Bucket=bucket, Key="granted", Body=b"x",
                    GrantFullControl=f'id="{owner}"')[::2] == ("AccessDenied", 403)
    code, message, status = error_of(user.put_bucket_acl, Bucket=bucket, ACL="private")
    assert (code, status) == ("AccessDenied", 403) and "s3:PutBucketAcl" in message


def test_objects_another_account_writes(s3, member, unique):
    """Object Ownership: the writer owns its objects under ObjectWriter, and under BucketOwnerPreferred unless it
    uploads with bucket-owner-full-control; under BucketOwnerEnforced the bucket owner owns them all."""
    member, member_id, writer = member
    bucket = _acl_bucket(s3, unique, "aclxacct")
    owner = _owner(s3, bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy_document({
        "Effect": "Allow", "Principal": {"AWS": member_id}, "Action": ["s3:PutObject", "s3:PutObjectAcl"],
        "Resource": f"arn:aws:s3:::{bucket}/*"}))
    member.put_object(Bucket=bucket, Key="plain", Body=b"x")
    member.put_object(Bucket=bucket, Key="full", Body=b"x", ACL="bucket-owner-full-control")
    member.put_object(Bucket=bucket, Key="read", Body=b"x", ACL="bucket-owner-read")
    plain = member.get_object_acl(Bucket=bucket, Key="plain")  # the bucket owner is not granted READ_ACP
    assert (plain["Owner"]["ID"], plain["Grants"]) == (writer, [_full_control(writer)])
    assert s3.get_object_acl(Bucket=bucket, Key="full")["Grants"] == [_full_control(writer), _full_control(owner)]
    assert member.get_object_acl(Bucket=bucket, Key="read")["Grants"] == [
        _full_control(writer), {"Grantee": {"ID": owner, "Type": "CanonicalUser"}, "Permission": "READ"}]
    owners = {obj["Key"]: obj["Owner"]["ID"] for obj in s3.list_objects_v2(Bucket=bucket, FetchOwner=True)["Contents"]}
    assert owners == {"full": writer, "plain": writer, "read": writer}
    assert {version["Owner"]["ID"] for version in s3.list_object_versions(Bucket=bucket)["Versions"]} == {writer}
    member.put_object_acl(Bucket=bucket, Key="plain", ACL="bucket-owner-full-control")
    assert s3.get_object_acl(Bucket=bucket, Key="plain")["Grants"] == [_full_control(writer), _full_control(owner)]
    s3.put_bucket_ownership_controls(Bucket=bucket,
                                     OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]})
    member.put_object(Bucket=bucket, Key="preferred", Body=b"x", ACL="bucket-owner-full-control")
    preferred = s3.get_object_acl(Bucket=bucket, Key="preferred")
    assert (preferred["Owner"]["ID"], preferred["Grants"]) == (owner, [_full_control(owner)])
    member.put_object(Bucket=bucket, Key="kept", Body=b"x")
    assert member.get_object_acl(Bucket=bucket, Key="kept")["Owner"]["ID"] == writer
    s3.put_bucket_ownership_controls(Bucket=bucket,
                                     OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    enforced = s3.get_object_acl(Bucket=bucket, Key="kept")
    assert (enforced["Owner"]["ID"], enforced["Grants"]) == (owner, [_full_control(owner)])
    assert {obj["Owner"]["ID"] for obj in s3.list_objects(Bucket=bucket)["Contents"]} == {owner}


def _anonymous(server):
    """An S3 client that sends unsigned (anonymous) requests."""
    from botocore import UNSIGNED
    from botocore.config import Config

    return server.client("s3", config=Config(signature_version=UNSIGNED))


def _denied(call, **kwargs) -> bool:
    """Whether a call is refused with 403 AccessDenied."""
    return error_of(call, **kwargs)[::2] == ("AccessDenied", 403)


def test_another_account_reads_an_object_through_a_grant(s3, member, unique):
    """A grant to another account's canonical user allows it the permission's actions (the user guide's "Access
    control list (ACL) overview": READ lists a bucket or reads an object, READ_ACP reads the ACL); an explicit Deny
    in the bucket policy still wins ("How Amazon S3 authorizes a request")."""
    member, member_id, reader = member
    bucket = _acl_bucket(s3, unique, "aclgrant")
    s3.put_object(Bucket=bucket, Key="k", Body=b"shared")
    assert _denied(member.get_object, Bucket=bucket, Key="k")
    s3.put_object_acl(Bucket=bucket, Key="k", GrantRead=f'id="{reader}"')
    assert member.get_object(Bucket=bucket, Key="k")["Body"].read() == b"shared"
    assert member.head_object(Bucket=bucket, Key="k")["ContentLength"] == 6
    assert _denied(member.get_object_acl, Bucket=bucket, Key="k")
    assert _denied(member.list_objects_v2, Bucket=bucket)
    assert _denied(member.put_object, Bucket=bucket, Key="new", Body=b"x")
    s3.put_bucket_acl(Bucket=bucket, GrantRead=f'id="{reader}"', GrantWrite=f'id="{reader}"')
    assert [obj["Key"] for obj in member.list_objects_v2(Bucket=bucket)["Contents"]] == ["k"]
    member.put_object(Bucket=bucket, Key="new", Body=b"x", ACL="bucket-owner-full-control")
    member.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k"})
    assert member.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "copy"}]})["Deleted"] == [{"Key": "copy"}]
    assert _denied(member.get_bucket_acl, Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy_document({
        "Effect": "Deny", "Principal": {"AWS": member_id}, "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*"}))
    assert _denied(member.get_object, Bucket=bucket, Key="k")


def test_public_grants_count_unless_ignored(server, s3, unique):
    """AllUsers lets anyone read, unsigned requests too; AuthenticatedUsers any signed request; IgnorePublicAcls
    makes both not count (the user guide's "Blocking public access to your Amazon S3 storage")."""
    bucket = _acl_bucket(s3, unique, "aclpublic")
    s3.put_object(Bucket=bucket, Key="open", Body=b"open", ACL="public-read")
    s3.put_object(Bucket=bucket, Key="signed", Body=b"signed", ACL="authenticated-read")
    user = server.client_for(iam_user_key(server, f"aclnobody-{unique}"), "s3")  # no policy at all
    anonymous = _anonymous(server)
    assert anonymous.get_object(Bucket=bucket, Key="open")["Body"].read() == b"open"
    assert user.get_object(Bucket=bucket, Key="open")["Body"].read() == b"open"
    assert user.get_object(Bucket=bucket, Key="signed")["Body"].read() == b"signed"
    assert _denied(anonymous.get_object, Bucket=bucket, Key="signed")
    assert _denied(anonymous.list_objects_v2, Bucket=bucket)
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    assert [obj["Key"] for obj in anonymous.list_objects_v2(Bucket=bucket)["Contents"]] == ["open", "signed"]
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"IgnorePublicAcls": True})
    assert _denied(anonymous.get_object, Bucket=bucket, Key="open")
    assert _denied(anonymous.list_objects_v2, Bucket=bucket)
    code, message, status = error_of(user.get_object, Bucket=bucket, Key="signed")
    assert (code, status) == ("AccessDenied", 403) and "s3:GetObject" in message
    assert s3.get_object(Bucket=bucket, Key="open")["Body"].read() == b"open"


def test_grants_do_not_count_once_the_bucket_owner_enforces_ownership(server, s3, member, unique):
    """BucketOwnerEnforced disables ACLs: they no longer affect permissions (the user guide's "Controlling
    ownership of objects and disabling ACLs for your bucket")."""
    member, _, reader = member
    bucket = _acl_bucket(s3, unique, "aclenf")
    s3.put_object(Bucket=bucket, Key="open", Body=b"open", ACL="public-read")
    s3.put_object(Bucket=bucket, Key="granted", Body=b"granted", GrantRead=f'id="{reader}"')
    anonymous = _anonymous(server)
    assert anonymous.get_object(Bucket=bucket, Key="open")["Body"].read() == b"open"
    assert member.get_object(Bucket=bucket, Key="granted")["Body"].read() == b"granted"
    s3.put_bucket_ownership_controls(Bucket=bucket,
                                     OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    assert _denied(anonymous.get_object, Bucket=bucket, Key="open")
    assert _denied(member.get_object, Bucket=bucket, Key="granted")


def test_a_public_read_object_with_the_cli(server, s3, unique, tmp_path):
    """The AWS CLI reference's put-object-acl, then get-object --no-sign-request (an AllUsers READ grant)."""
    bucket = _acl_bucket(s3, unique, "aclcli")
    s3.put_object(Bucket=bucket, Key="page.html", Body=b"<p>hi</p>")
    target = str(tmp_path / "page.html")
    denied = server.cli("s3api", "get-object", "--no-sign-request", "--bucket", bucket, "--key", "page.html",
                        target, check=False)
    assert denied.returncode == 255 and "(AccessDenied)" in denied.stderr and "Access Denied" in denied.stderr
    server.cli("s3api", "put-object-acl", "--bucket", bucket, "--key", "page.html", "--acl", "public-read")
    answer = server.cli_json("s3api", "get-object", "--no-sign-request", "--bucket", bucket, "--key", "page.html",
                             target)
    assert answer["ContentLength"] == 9
    with open(target, "rb") as page:
        assert page.read() == b"<p>hi</p>"


def test_an_object_another_account_owns_needs_its_grant(s3, member, unique):
    """The object owner's ACL decides for its object, the bucket owner's policy can only deny (the user guide's "How
    Amazon S3 authorizes a request for an object operation": bucket context, then object context): under
    ObjectWriter the bucket owner reads another account's object only through its grant, and can still delete it."""
    member, member_id, writer = member
    bucket = _acl_bucket(s3, unique, "aclowned")
    owner = _owner(s3, bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy_document({
        "Effect": "Allow", "Principal": {"AWS": member_id}, "Action": ["s3:PutObject", "s3:PutObjectAcl"],
        "Resource": f"arn:aws:s3:::{bucket}/*"}, {
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}))
    member.put_object(Bucket=bucket, Key="theirs", Body=b"theirs")
    assert member.get_object(Bucket=bucket, Key="theirs")["Body"].read() == b"theirs"
    assert member.get_object_acl(Bucket=bucket, Key="theirs")["Owner"]["ID"] == writer
    assert _denied(s3.get_object, Bucket=bucket, Key="theirs")
    assert _denied(s3.get_object_acl, Bucket=bucket, Key="theirs")
    assert _denied(s3.put_object_acl, Bucket=bucket, Key="theirs", ACL="private")
    member.put_object_acl(Bucket=bucket, Key="theirs", GrantRead=f'id="{owner}"')
    assert s3.get_object(Bucket=bucket, Key="theirs")["Body"].read() == b"theirs"
    assert _denied(s3.get_object_acl, Bucket=bucket, Key="theirs")
    member.put_object(Bucket=bucket, Key="shared", Body=b"shared", ACL="bucket-owner-full-control")
    assert s3.get_object_acl(Bucket=bucket, Key="shared")["Owner"]["ID"] == writer
    s3.put_object(Bucket=bucket, Key="mine", Body=b"mine")
    assert _denied(member.get_object_acl, Bucket=bucket, Key="mine")
    assert member.get_object(Bucket=bucket, Key="mine")["Body"].read() == b"mine"  # the bucket owner's policy
    s3.delete_object(Bucket=bucket, Key="theirs")
    assert [obj["Key"] for obj in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["mine", "shared"]


def test_a_grant_on_one_version(s3, member, unique):
    """Each version has its own ACL: a grant on an old version lets another account read and copy that version
    only (the S3 API reference, GetObject and CopyObject with a version id: s3:GetObjectVersion)."""
    member, _, reader = member
    bucket = _acl_bucket(s3, unique, "aclversion")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_acl(Bucket=bucket, GrantWrite=f'id="{reader}"')
    old = s3.put_object(Bucket=bucket, Key="k", Body=b"old", GrantRead=f'id="{reader}"')["VersionId"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"new")
    assert member.get_object(Bucket=bucket, Key="k", VersionId=old)["Body"].read() == b"old"
    assert _denied(member.get_object, Bucket=bucket, Key="k")
    member.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k", "VersionId": old})
    assert _denied(member.copy_object, Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k"})
