"""IAM tags: the model's character pattern for keys and values, duplicate keys (case-insensitive) refused,
List*Tags paged with MaxItems/Marker; service-linked role names as AWS spells them."""

from __future__ import annotations

import json

import pytest

from orgs_helpers import error_of

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
    "Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket",
                                                             "Resource": "*"}]})


@pytest.fixture(scope="module")
def iam(server):
    return server.client("iam")


def test_tag_characters_follow_the_model_pattern(iam, unique):
    iam.create_user(UserName=f"chars-{unique}")
    iam.tag_user(UserName=f"chars-{unique}", Tags=[{"Key": "Zoë key:1/=+-@_.", "Value": "ünïcode 2"}])
    for tag, member in (({"Key": "bad*key", "Value": "v"}, "key"), ({"Key": "k", "Value": "bad#value"}, "value")):
        error = error_of(iam.tag_user, UserName=f"chars-{unique}", Tags=[tag])
        assert (error["Code"], error["Status"]) == ("ValidationError", 400)
        assert f"at 'tags.1.member.{member}' failed to satisfy constraint: Member must satisfy regular " \
               "expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]" in error["Message"]


def test_duplicate_tag_keys_are_refused(iam, unique):
    iam.create_user(UserName=f"dup-{unique}")
    error = error_of(iam.tag_user, UserName=f"dup-{unique}", Tags=[{"Key": "Team", "Value": "a"},
                                                                    {"Key": "team", "Value": "b"}])
    assert (error["Code"], error["Message"], error["Status"]) == (
        "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)
    error = error_of(iam.create_role, RoleName=f"dup-{unique}", AssumeRolePolicyDocument=TRUST,
                     Tags=[{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}])
    assert error["Code"] == "InvalidInput"
    assert iam.list_user_tags(UserName=f"dup-{unique}")["Tags"] == []


def _all_pages(call, **kwargs) -> tuple[list[dict], int]:
    tags, pages, marker = [], 0, None
    while True:
        page = call(MaxItems=2, **({"Marker": marker} if marker else {}), **kwargs)
        tags += page["Tags"]
        pages += 1
        assert len(page["Tags"]) <= 2
        if not page["IsTruncated"]:
            assert "Marker" not in page
            return tags, pages
        marker = page["Marker"]


def test_list_tags_pages_with_max_items_and_marker(iam, unique):
    five = [{"Key": f"k{index}", "Value": str(index)} for index in range(5)]
    iam.create_user(UserName=f"paged-{unique}", Tags=five)
    arn = iam.create_policy(PolicyName=f"paged-{unique}", PolicyDocument=POLICY, Tags=five)["Policy"]["Arn"]
    provider = iam.create_open_id_connect_provider(Url=f"https://oidc-{unique}.example.com",
                                                   ThumbprintList=["a" * 40], Tags=five)["OpenIDConnectProviderArn"]
    for call, kwargs in ((iam.list_user_tags, {"UserName": f"paged-{unique}"}),
                         (iam.list_policy_tags, {"PolicyArn": arn}),
                         (iam.list_open_id_connect_provider_tags, {"OpenIDConnectProviderArn": provider})):
        assert _all_pages(call, **kwargs) == (five, 3)
        whole = call(**kwargs)
        assert (whole["Tags"], whole["IsTruncated"], "Marker" in whole) == (five, False, False)
    error = error_of(iam.list_user_tags, UserName=f"paged-{unique}", Marker="not-a-marker")
    assert (error["Code"], error["Message"]) == ("ValidationError", "Invalid Marker.")


def test_list_tags_are_sorted_by_key(iam, unique):
    """Every IAM List*Tags answer is "sorted by tag key" (IAM API reference: ListUserTags, ListRoleTags,
    ListPolicyTags, ListInstanceProfileTags, ListMFADeviceTags, ListOpenIDConnectProviderTags, ...), page after page,
    whatever order the tags were given or added in."""
    given = [{"Key": key, "Value": key.lower()} for key in ("zeta", "k2", "Alpha", "k10", "beta")]
    ordered = sorted(given, key=lambda tag: tag["Key"])
    assert [tag["Key"] for tag in ordered] == ["Alpha", "beta", "k10", "k2", "zeta"]
    iam.create_user(UserName=f"sorted-{unique}", Tags=given[:2])
    iam.tag_user(UserName=f"sorted-{unique}", Tags=given[2:])
    iam.create_role(RoleName=f"sorted-{unique}", AssumeRolePolicyDocument=TRUST, Tags=given)
    iam.create_instance_profile(InstanceProfileName=f"sorted-{unique}", Tags=given)
    arn = iam.create_policy(PolicyName=f"sorted-{unique}", PolicyDocument=POLICY, Tags=given)["Policy"]["Arn"]
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"sorted-{unique}",
                                           Tags=given)["VirtualMFADevice"]["SerialNumber"]
    provider = iam.create_open_id_connect_provider(Url=f"https://sorted-{unique}.example.com",
                                                   ThumbprintList=["a" * 40], Tags=given)["OpenIDConnectProviderArn"]
    for call, kwargs in ((iam.list_user_tags, {"UserName": f"sorted-{unique}"}),
                         (iam.list_role_tags, {"RoleName": f"sorted-{unique}"}),
                         (iam.list_instance_profile_tags, {"InstanceProfileName": f"sorted-{unique}"}),
                         (iam.list_policy_tags, {"PolicyArn": arn}),
                         (iam.list_mfa_device_tags, {"SerialNumber": serial}),
                         (iam.list_open_id_connect_provider_tags, {"OpenIDConnectProviderArn": provider})):
        assert (call.__name__, call(**kwargs)["Tags"]) == (call.__name__, ordered)
        assert _all_pages(call, **kwargs) == (ordered, 3)


@pytest.mark.parametrize("service, name", [("autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling"),
                                           ("elasticbeanstalk.amazonaws.com", "AWSServiceRoleForElasticBeanstalk"),
                                           ("rds.amazonaws.com", "AWSServiceRoleForRDS"),
                                           ("guardduty.amazonaws.com", "AWSServiceRoleForAmazonGuardDuty")])
def test_service_linked_role_names(iam, service, name):
    role = iam.create_service_linked_role(AWSServiceName=service)["Role"]
    assert (role["RoleName"], role["Path"]) == (name, f"/aws-service-role/{service}/")


def test_a_taken_service_linked_role_name_is_invalid_input(iam):
    """CreateServiceLinkedRole for a service whose role exists: InvalidInput (400), not CreateRole's
    EntityAlreadyExists, as AWS answers (quoted in terraform-provider-aws users' reports)."""
    iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    error = error_of(iam.create_service_linked_role, AWSServiceName="ecs.amazonaws.com")
    assert (error["Code"], error["Status"], error["Message"]) == (
        "InvalidInput", 400,
        "Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix.")


def test_a_service_linked_role_description_can_change(iam):
    """The IAM User Guide ("Update a service-linked role"): the description of any role can be edited, with
    UpdateRole (or UpdateRoleDescription); the rest of a service-linked role stays protected."""
    name = iam.create_service_linked_role(AWSServiceName="config.amazonaws.com")["Role"]["RoleName"]
    iam.update_role(RoleName=name, Description="Config recorder")
    assert iam.get_role(RoleName=name)["Role"]["Description"] == "Config recorder"
    role = iam.update_role_description(RoleName=name, Description="Config recorder 2")["Role"]
    assert (role["RoleName"], role["Description"]) == (name, "Config recorder 2")
    error = error_of(iam.update_role, RoleName=name, MaxSessionDuration=7200)
    assert (error["Code"], error["Status"]) == ("UnmodifiableEntity", 400)
    assert iam.get_role(RoleName=name)["Role"]["MaxSessionDuration"] == 3600


def test_a_service_linked_role_keeps_its_policies_and_profiles(iam, unique):
    """Only its service changes a service-linked role's permissions: attaching or detaching a managed policy, putting
    or deleting an inline policy, setting or removing a boundary, adding it to or removing it from an instance profile
    are UnmodifiableEntity (400), as the IAM API reference lists for each of those operations, with the message AWS
    answers ("Cannot perform the operation on the protected role '<name>' - this role is only modifiable by AWS")."""
    name = iam.create_service_linked_role(AWSServiceName="elasticbeanstalk.amazonaws.com",
                                          CustomSuffix=unique)["Role"]["RoleName"]
    profile = f"protected-{unique}"
    iam.create_instance_profile(InstanceProfileName=profile)
    read_only = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    refused = [
        (iam.attach_role_policy, {"PolicyArn": read_only}),
        (iam.detach_role_policy, {"PolicyArn": read_only}),
        (iam.put_role_policy, {"PolicyName": "extra", "PolicyDocument": POLICY}),
        (iam.delete_role_policy, {"PolicyName": "extra"}),
        (iam.put_role_permissions_boundary, {"PermissionsBoundary": read_only}),
        (iam.delete_role_permissions_boundary, {}),
        (iam.add_role_to_instance_profile, {"InstanceProfileName": profile}),
        (iam.remove_role_from_instance_profile, {"InstanceProfileName": profile}),
    ]
    for call, params in refused:
        error = error_of(call, RoleName=name, **params)
        assert (call.__name__, error["Code"], error["Status"], error["Message"]) == (
            call.__name__, "UnmodifiableEntity", 400,
            f"Cannot perform the operation on the protected role '{name}' - this role is only modifiable by AWS")
    role = iam.get_role(RoleName=name)["Role"]
    assert "PermissionsBoundary" not in role
    assert iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"] == []
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == []
    assert iam.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]["Roles"] == []
    iam.delete_instance_profile(InstanceProfileName=profile)


def test_the_service_linked_role_path_is_reserved(iam, unique):
    """CreateRole under the path /aws-service-role/ is InvalidInput, 400, "Path prefix '/aws-service-role/' can only
    be used for AWS Service linked Roles" (AWS's answer recorded in tilfin/aws-iam-policy-tool#9): only
    CreateServiceLinkedRole makes roles there."""
    for path in ("/aws-service-role/", "/aws-service-role/ec2.amazonaws.com/"):
        error = error_of(iam.create_role, RoleName=f"reserved-{unique}", AssumeRolePolicyDocument=TRUST, Path=path)
        assert (error["Code"], error["Status"], error["Message"]) == (
            "InvalidInput", 400, "Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles")
    assert error_of(iam.get_role, RoleName=f"reserved-{unique}")["Code"] == "NoSuchEntity"
    role = iam.create_role(RoleName=f"reserved-{unique}", AssumeRolePolicyDocument=TRUST, Path="/service-role/")
    assert role["Role"]["Arn"].endswith(f":role/service-role/reserved-{unique}")
    iam.delete_role(RoleName=f"reserved-{unique}")
