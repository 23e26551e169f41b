"""Bucket settings: tagging, versioning status, Block Public Access, ownership controls, ACLs, policy status, ListObjects."""

from __future__ import annotations

import json

import pytest

from harness import error_of


@pytest.fixture(scope="module")
def s3(server):
    return server.client("s3")


def test_bucket_tagging_and_versioning(s3, unique):
    bucket = f"tags-{unique}"
    s3.create_bucket(Bucket=bucket)
    assert error_of(s3.get_bucket_tagging, Bucket=bucket) == ("NoSuchTagSet", "The TagSet does not exist", 404)
    tags = [{"Key": "team", "Value": "root"}, {"Key": "env", "Value": ""}]
    assert s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == tags
    assert error_of(s3.put_bucket_tagging, Bucket=bucket, Tagging={"TagSet": [{"Key": "a", "Value": "1"}] * 2}) == (
        "InvalidTag", "Cannot provide multiple Tags with the same key", 400)
    assert error_of(s3.put_bucket_tagging, Bucket=bucket, Tagging={"TagSet": [{"Key": "aws:x", "Value": "1"}]})[0] == \
        "InvalidTag"
    assert error_of(s3.put_bucket_tagging, Bucket=bucket, Tagging={"TagSet": [{"Key": "a{b}", "Value": "1"}]}) == (
        "InvalidTag", "The TagKey you have provided is invalid", 400)
    assert s3.delete_bucket_tagging(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(s3.get_bucket_tagging, Bucket=bucket)[0] == "NoSuchTagSet"
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def test_public_access_block_and_policy_status(s3, unique):
    bucket = f"bpa-{unique}"
    s3.create_bucket(Bucket=bucket)
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    public = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                                                                 "Action": "s3:GetObject",
                                                                 "Resource": f"arn:aws:s3:::{bucket}/*"}]})
    restricted = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*",
        "Condition": {"StringEquals": {"aws:PrincipalAccount": "000000000000"}}}]})
    assert error_of(s3.put_bucket_policy, Bucket=bucket, Policy=public)[::2] == ("AccessDenied", 403)
    assert error_of(s3.get_bucket_policy_status, Bucket=bucket)[0] == "NoSuchBucketPolicy"
    s3.put_bucket_policy(Bucket=bucket, Policy=restricted)
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": False}
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"BlockPublicPolicy": False})
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is False
    s3.put_bucket_policy(Bucket=bucket, Policy=public)
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": True}
    assert s3.delete_public_access_block(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(s3.get_public_access_block, Bucket=bucket) == (
        "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found", 404)


def test_ownership_controls_and_acls(s3, unique):
    bucket = f"own-{unique}"
    s3.create_bucket(Bucket=bucket)
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerEnforced"}]
    owner = s3.list_buckets()["Owner"]["ID"]
    acl = s3.get_bucket_acl(Bucket=bucket)
    assert acl["Owner"]["ID"] == owner
    assert acl["Grants"] == [{"Grantee": {"ID": owner, "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}]
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert s3.get_object_acl(Bucket=bucket, Key="k")["Grants"] == acl["Grants"]
    assert error_of(s3.get_object_acl, Bucket=bucket, Key="missing")[::2] == ("NoSuchKey", 404)
    assert error_of(s3.put_object, Bucket=bucket, Key="p", Body=b"x", ACL="public-read") == (
        "AccessControlListNotSupported", "The bucket does not allow ACLs", 400)
    s3.put_object(Bucket=bucket, Key="p", Body=b"x", ACL="bucket-owner-full-control")
    assert error_of(s3.create_bucket, Bucket=f"acl-{unique}", ACL="public-read")[0] == \
        "InvalidBucketAclWithObjectOwnership"
    s3.delete_bucket_ownership_controls(Bucket=bucket)
    assert error_of(s3.get_bucket_ownership_controls, Bucket=bucket) == (
        "OwnershipControlsNotFoundError", "The bucket ownership controls were not found", 404)
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"][0]["ObjectOwnership"] == \
        "ObjectWriter"


def test_list_objects_v1_markers(s3, unique):
    bucket = f"v1-{unique}"
    s3.create_bucket(Bucket=bucket)
    for key in ("a.txt", "b/1", "b/2", "c.txt", "d/1"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    page = s3.list_objects(Bucket=bucket, MaxKeys=2)
    assert [o["Key"] for o in page["Contents"]] == ["a.txt", "b/1"] and page["IsTruncated"]
    assert "NextMarker" not in page and page["Contents"][0]["Owner"]["ID"]
    page = s3.list_objects(Bucket=bucket, Marker="b/1")
    assert [o["Key"] for o in page["Contents"]] == ["b/2", "c.txt", "d/1"] and not page["IsTruncated"]
    page = s3.list_objects(Bucket=bucket, Delimiter="/", MaxKeys=2)
    assert [o["Key"] for o in page["Contents"]] == ["a.txt"] and page["CommonPrefixes"] == [{"Prefix": "b/"}]
    assert page["NextMarker"] == "b/"
    page = s3.list_objects(Bucket=bucket, Delimiter="/", Marker=page["NextMarker"])
    assert [o["Key"] for o in page["Contents"]] == ["c.txt"] and page["CommonPrefixes"] == [{"Prefix": "d/"}]
    keys = [o["Key"] for p in s3.get_paginator("list_objects").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2})
            for o in p["Contents"]]
    assert keys == ["a.txt", "b/1", "b/2", "c.txt", "d/1"]
