"""Resource Groups Tagging API over the tagged resources of the served services (boto3 speaks Smithy RPC v2 CBOR
to it; the AWS CLI its JSON form)."""

from __future__ import annotations

import pytest

from harness import BOOT_ACCOUNT, error_of, iam_user_key, policy_document

TRUST = policy_document({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})


@pytest.fixture(scope="module")
def seeded(server) -> dict[str, str]:
    """One tagged resource per service (and untagged ones that GetResources must leave out): name -> ARN."""
    iam, s3, sqs, sns = (server.client(name) for name in ("iam", "s3", "sqs", "sns"))
    orgs, kms, events = server.client("organizations"), server.client("kms"), server.client("events")
    arns = {}
    arns["user"] = iam.create_user(UserName="tag-user", Tags=[{"Key": "team", "Value": "red"}])["User"]["Arn"]
    iam.create_user(UserName="tag-untagged")
    arns["role"] = iam.create_role(RoleName="tag-role", AssumeRolePolicyDocument=TRUST,
                                   Tags=[{"Key": "team", "Value": "blue"}])["Role"]["Arn"]
    arns["policy"] = iam.create_policy(PolicyName="tag-policy", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}),
        Tags=[{"Key": "team", "Value": "red"}, {"Key": "cost", "Value": "42"}])["Policy"]["Arn"]
    s3.create_bucket(Bucket="tagging-e2e-bucket")
    s3.put_bucket_tagging(Bucket="tagging-e2e-bucket", Tagging={"TagSet": [{"Key": "team", "Value": "red"}]})
    arns["bucket"] = "arn:aws:s3:::tagging-e2e-bucket"
    queue = sqs.create_queue(QueueName="tag-queue", tags={"team": "green"})["QueueUrl"]
    arns["queue"] = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    arns["topic"] = sns.create_topic(Name="tag-topic", Tags=[{"Key": "team", "Value": "red"}])["TopicArn"]
    arns["key"] = kms.create_key(Tags=[{"TagKey": "team", "TagValue": "blue"}])["KeyMetadata"]["Arn"]
    arns["rule"] = events.put_rule(Name="tag-rule", EventPattern='{"source": ["aws.iam"]}',
                                   Tags=[{"Key": "team", "Value": "red"}])["RuleArn"]
    orgs.create_organization(FeatureSet="ALL")
    root = orgs.list_roots()["Roots"][0]
    unit = orgs.create_organizational_unit(ParentId=root["Id"], Name="tagged",
                                           Tags=[{"Key": "team", "Value": "red"}])["OrganizationalUnit"]
    arns["ou"] = unit["Arn"]
    orgs.tag_resource(ResourceId=BOOT_ACCOUNT, Tags=[{"Key": "owner", "Value": "platform"}])
    arns["account"] = orgs.describe_account(AccountId=BOOT_ACCOUNT)["Account"]["Arn"]
    return arns


def _resources(client, **kwargs) -> dict[str, dict[str, str]]:
    found = {}
    for page in client.get_paginator("get_resources").paginate(**kwargs):
        for item in page["ResourceTagMappingList"]:
            found[item["ResourceARN"]] = {tag["Key"]: tag["Value"] for tag in item["Tags"]}
    return found


def test_every_tagged_resource_with_its_tags(server, seeded):
    found = _resources(server.client("resourcegroupstaggingapi"))
    assert set(found) == set(seeded.values())  # untagged resources are left out
    assert found[seeded["policy"]] == {"team": "red", "cost": "42"}
    assert found[seeded["account"]] == {"owner": "platform"}
    assert found[seeded["key"]] == {"team": "blue"}


def test_filters_and_paging(server, seeded):
    tagging = server.client("resourcegroupstaggingapi")
    red = _resources(tagging, TagFilters=[{"Key": "team", "Values": ["red"]}], ResourcesPerPage=2)
    assert set(red) == {seeded[name] for name in ("user", "policy", "bucket", "topic", "rule", "ou")}
    assert set(_resources(tagging, TagFilters=[{"Key": "cost"}])) == {seeded["policy"]}
    iam_only = _resources(tagging, ResourceTypeFilters=["iam"])
    assert set(iam_only) == {seeded["user"], seeded["role"], seeded["policy"]}
    assert set(_resources(tagging, ResourceTypeFilters=["iam:policy", "organizations:account"])) == {
        seeded["policy"], seeded["account"]}
    page = tagging.get_resources(ResourcesPerPage=1)
    assert len(page["ResourceTagMappingList"]) == 1 and page["PaginationToken"]
    listed = _resources(tagging, ResourceARNList=[seeded["role"], seeded["queue"],
                                                  f"arn:aws:iam::{BOOT_ACCOUNT}:user/tag-untagged"])
    assert set(listed) == {seeded["role"], seeded["queue"]}


def test_regions_and_keys(server, seeded):
    west = server.client("resourcegroupstaggingapi", region="eu-west-1")
    assert _resources(west) == {}  # global (IAM, Organizations) resources are listed in us-east-1 only
    tagging = server.client("resourcegroupstaggingapi")
    assert {"team", "cost", "owner"} <= set(tagging.get_tag_keys()["TagKeys"])
    assert tagging.get_tag_values(Key="team")["TagValues"] == ["blue", "green", "red"]


def test_errors_and_authorization(server, seeded):
    tagging = server.client("resourcegroupstaggingapi")
    assert error_of(tagging.get_resources, ResourceARNList=[seeded["role"]], TagFilters=[{"Key": "team"}])[::2] == (
        "InvalidParameterException", 400)
    assert error_of(tagging.get_resources, ResourcesPerPage=500)[::2] == ("InvalidParameterException", 400)
    assert error_of(tagging.get_resources, PaginationToken="garbage")[::2] == ("InvalidParameterException", 400)
    nobody = server.client_for(iam_user_key(server, "tagging-nobody"), "resourcegroupstaggingapi")
    code, message, status = error_of(nobody.get_resources)
    assert (code, status) == ("AccessDeniedException", 400)
    assert "tag:GetResources" in message
    reader = server.client_for(iam_user_key(server, "tagging-reader", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
                               "resourcegroupstaggingapi")
    assert seeded["user"] in _resources(reader)


def test_aws_cli_json_form(server, seeded):
    got = server.cli_json("resourcegroupstaggingapi", "get-resources", "--resource-type-filters", "sqs")
    assert got["ResourceTagMappingList"] == [{"ResourceARN": seeded["queue"], "Tags": [
        {"Key": "team", "Value": "green"}]}]
