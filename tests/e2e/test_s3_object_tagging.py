"""Object tagging (the S3 API reference: PutObjectTagging, GetObjectTagging, DeleteObjectTagging; x-amz-tagging on
PutObject, CopyObject and CreateMultipartUpload; x-amz-tagging-count on GetObject and HeadObject; the user guide's
"Categorizing your objects using tags" and "Tagging and access control policies")."""

from __future__ import annotations

import pytest

from harness import error_of, iam_user_key, new_bucket, policy_document

TAGS = [{"Key": "team", "Value": "root"}, {"Key": "env", "Value": ""}]


@pytest.fixture(scope="module")
def s3(server):
    return server.client("s3")


def test_put_get_delete_object_tagging(s3, unique):
    bucket = new_bucket(s3, unique, "otag")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    assert "TagCount" not in s3.get_object(Bucket=bucket, Key="k")
    answer = s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": TAGS})
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200 and "VersionId" not in answer
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == TAGS
    assert s3.get_object(Bucket=bucket, Key="k")["TagCount"] == 2
    assert s3.head_object(Bucket=bucket, Key="k")["TagCount"] == 2
    assert s3.delete_object_tagging(Bucket=bucket, Key="k")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    assert error_of(s3.get_object_tagging, Bucket=bucket, Key="missing")[::2] == ("NoSuchKey", 404)
    assert error_of(s3.put_object_tagging, Bucket=bucket, Key="missing", Tagging={"TagSet": TAGS})[::2] == (
        "NoSuchKey", 404)


def test_tag_limits(s3, unique):
    bucket = new_bucket(s3, unique, "otaglim")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    eleven = [{"Key": f"k{n}", "Value": "v"} for n in range(11)]
    assert error_of(s3.put_object_tagging, Bucket=bucket, Key="k", Tagging={"TagSet": eleven}) == (
        "BadRequest", "Object tags cannot be greater than 10", 400)
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": eleven[:10]})
    assert error_of(s3.put_object_tagging, Bucket=bucket, Key="k", Tagging={"TagSet": [TAGS[0], TAGS[0]]}) == (
        "InvalidTag", "Cannot provide multiple Tags with the same key", 400)
    assert error_of(s3.put_object_tagging, Bucket=bucket, Key="k",
                    Tagging={"TagSet": [{"Key": "aws:x", "Value": "1"}]}) == (
        "InvalidTag", "Your TagKey cannot be prefixed with aws:", 400)
    long_key, long_value = "é" * 128, "ü" * 256  # Unicode characters, not bytes
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": long_key, "Value": long_value}]})
    assert error_of(s3.put_object_tagging, Bucket=bucket, Key="k",
                    Tagging={"TagSet": [{"Key": long_key + "e", "Value": "v"}]}) == (
        "InvalidTag", "The TagKey you have provided is too long, max 128", 400)
    assert error_of(s3.put_object_tagging, Bucket=bucket, Key="k",
                    Tagging={"TagSet": [{"Key": "k", "Value": long_value + "u"}]}) == (
        "InvalidTag", "The TagValue you have provided is too long, max 256", 400)
    assert error_of(s3.put_object_tagging, Bucket=bucket, Key="k",
                    Tagging={"TagSet": [{"Key": "a{b}", "Value": "v"}]}) == (
        "InvalidTag", "The TagKey you have provided is invalid", 400)
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": long_key, "Value": long_value}]


def test_tagging_header_on_put_object_and_multipart_upload(s3, unique):
    bucket = new_bucket(s3, unique, "otaghdr")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="team=root&path=a%2Fb&empty=")
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [
        {"Key": "team", "Value": "root"}, {"Key": "path", "Value": "a/b"}, {"Key": "empty", "Value": ""}]
    assert error_of(s3.put_object, Bucket=bucket, Key="d", Body=b"x", Tagging="a=1&a=2") == (
        "InvalidArgument", "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query "
        "parameters without tag name duplicates.", 400)
    assert error_of(s3.put_object, Bucket=bucket, Key="d", Body=b"x", Tagging="a=1=2")[0] == "InvalidArgument"
    assert error_of(s3.put_object, Bucket=bucket, Key="d", Body=b"x",
                    Tagging="&".join(f"k{n}=v" for n in range(11))) == (
        "BadRequest", "Object tags cannot be greater than 10", 400)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="m", Tagging="kind=multipart")
    part = s3.upload_part(Bucket=bucket, Key="m", UploadId=upload["UploadId"], PartNumber=1, Body=b"y")
    s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=upload["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="m")["TagSet"] == [{"Key": "kind", "Value": "multipart"}]


def test_copy_object_tagging_directive(s3, unique):
    bucket = new_bucket(s3, unique, "otagcopy")
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", Tagging="a=1")
    s3.copy_object(Bucket=bucket, Key="copied", CopySource=f"{bucket}/src")
    assert s3.get_object_tagging(Bucket=bucket, Key="copied")["TagSet"] == [{"Key": "a", "Value": "1"}]
    s3.copy_object(Bucket=bucket, Key="replaced", CopySource=f"{bucket}/src", TaggingDirective="REPLACE",
                   Tagging="b=2")
    assert s3.get_object_tagging(Bucket=bucket, Key="replaced")["TagSet"] == [{"Key": "b", "Value": "2"}]
    s3.copy_object(Bucket=bucket, Key="cleared", CopySource=f"{bucket}/src", TaggingDirective="REPLACE")
    assert s3.get_object_tagging(Bucket=bucket, Key="cleared")["TagSet"] == []


def test_tagging_of_versions(s3, unique):
    bucket = new_bucket(s3, unique, "otagver")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"1", Tagging="v=1")["VersionId"]
    second = s3.put_object(Bucket=bucket, Key="k", Body=b"2")["VersionId"]
    answer = s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "v", "Value": "2"}]})
    assert answer["VersionId"] == second
    tagged = s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=first)
    assert (tagged["VersionId"], tagged["TagSet"]) == (first, [{"Key": "v", "Value": "1"}])
    assert s3.delete_object_tagging(Bucket=bucket, Key="k", VersionId=first)["VersionId"] == first
    assert s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=first)["TagSet"] == []
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": "v", "Value": "2"}]
    assert error_of(s3.get_object_tagging, Bucket=bucket, Key="k", VersionId="nope")[::2] == ("NoSuchVersion", 404)
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    assert error_of(s3.get_object_tagging, Bucket=bucket, Key="k")[::2] == ("NoSuchKey", 404)
    assert error_of(s3.put_object_tagging, Bucket=bucket, Key="k", VersionId=marker,
                    Tagging={"TagSet": TAGS})[::2] == ("MethodNotAllowed", 405)


def test_tagging_permissions(server, s3, unique):
    bucket = new_bucket(s3, unique, "otagauth")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    name = f"tagger-{unique}"
    iam = server.client("iam")
    key = iam_user_key(server, name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObjectTagging"], "Resource": f"arn:aws:s3:::{bucket}/*"},
        {"Effect": "Allow", "Action": "s3:PutObjectTagging", "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["team"]}}}))
    user = server.client_for(key, "s3")
    user.put_object(Bucket=bucket, Key="plain", Body=b"x")
    user.put_object(Bucket=bucket, Key="tagged", Body=b"x", Tagging="team=a")
    assert error_of(user.put_object, Bucket=bucket, Key="other", Body=b"x", Tagging="owner=a")[::2] == (
        "AccessDenied", 403)
    user.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "team", "Value": "b"}]})
    code, message, status = error_of(user.delete_object_tagging, Bucket=bucket, Key="k")
    assert (code, status) == ("AccessDenied", 403) and "s3:DeleteObjectTagging" in message
    assert user.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": "team", "Value": "b"}]


def test_policies_can_test_existing_object_tags(server, s3, unique):
    bucket = new_bucket(s3, unique, "otagcond")
    s3.put_object(Bucket=bucket, Key="prod", Body=b"p", Tagging="env=production")
    s3.put_object(Bucket=bucket, Key="dev", Body=b"d", Tagging="env=dev")
    name = f"reader-{unique}"
    key = iam_user_key(server, name)
    server.client("iam").put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy_document({
        "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectTagging"], "Resource": f"arn:aws:s3:::{bucket}/*",
        "Condition": {"StringEquals": {"s3:ExistingObjectTag/env": "production"}}}))
    user = server.client_for(key, "s3")
    assert user.get_object(Bucket=bucket, Key="prod")["Body"].read() == b"p"
    assert user.get_object_tagging(Bucket=bucket, Key="prod")["TagSet"] == [{"Key": "env", "Value": "production"}]
    assert error_of(user.get_object, Bucket=bucket, Key="dev")[::2] == ("AccessDenied", 403)
    s3.put_object_tagging(Bucket=bucket, Key="dev", Tagging={"TagSet": [{"Key": "env", "Value": "production"}]})
    assert user.get_object(Bucket=bucket, Key="dev")["Body"].read() == b"d"
