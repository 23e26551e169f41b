"""IAM access advisor (service last accessed reports, policies granting service access, Organizations access
reports), service-linked role deletion status and UpdateOpenIDConnectProvider, through boto3 and the AWS CLI."""

from __future__ import annotations

import json

from harness import error_of, policy_document

from orgs_helpers import admin_key, assume_access_role, create_member

ACCOUNT = "000000000000"
S3_AND_SQS = policy_document({"Effect": "Allow", "Action": ["s3:*", "sqs:*"], "Resource": "*"})
SQS_ONLY = policy_document({"Effect": "Allow", "Action": "sqs:List*", "Resource": "*"})


def _user(server, name: str, document: str) -> dict:
    iam = server.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=document)
    return iam.create_access_key(UserName=name)["AccessKey"]


def _report(iam, arn: str, **kwargs) -> dict:
    job_id = iam.generate_service_last_accessed_details(Arn=arn, **kwargs)["JobId"]
    assert len(job_id) == 36
    report = iam.get_service_last_accessed_details(JobId=job_id)
    assert report["JobStatus"] == "COMPLETED"
    return {**report, "JobId": job_id}


def _by_namespace(report: dict) -> dict:
    return {item["ServiceNamespace"]: item for item in report["ServicesLastAccessed"]}


def test_user_report_shows_the_service_it_called_and_not_the_one_it_did_not(server, unique):
    iam = server.client("iam")
    key = _user(server, f"aa-{unique}", S3_AND_SQS)
    server.client_for(key, "s3", region="eu-west-1").list_buckets()
    arn = f"arn:aws:iam::{ACCOUNT}:user/aa-{unique}"

    report = _report(iam, arn)
    services = _by_namespace(report)
    assert set(services) == {"s3", "sqs"}
    assert report["JobType"] == "SERVICE_LEVEL" and report["IsTruncated"] is False
    assert report["JobCompletionDate"] >= report["JobCreationDate"]
    s3 = services["s3"]
    assert s3["ServiceName"] == "Amazon S3"
    assert s3["LastAuthenticated"] is not None and s3["LastAuthenticatedEntity"] == arn
    assert s3["LastAuthenticatedRegion"] == "eu-west-1" and s3["TotalAuthenticatedEntities"] == 1
    assert "LastAuthenticated" not in services["sqs"] and services["sqs"]["TotalAuthenticatedEntities"] == 0
    assert "TrackedActionsLastAccessed" not in s3


def test_denied_attempts_count_as_last_authenticated(server, unique):
    iam = server.client("iam")
    key = _user(server, f"deny-{unique}", SQS_ONLY)
    code, _, status = error_of(server.client_for(key, "sqs").create_queue, QueueName=f"q-{unique}")
    assert (code, status) == ("AccessDenied", 403)
    services = _by_namespace(_report(iam, f"arn:aws:iam::{ACCOUNT}:user/deny-{unique}"))
    assert list(services) == ["sqs"] and services["sqs"]["LastAuthenticated"] is not None


def test_action_level_tracks_the_actions_used(server, unique):
    iam = server.client("iam")
    key = _user(server, f"act-{unique}", S3_AND_SQS)
    server.client_for(key, "s3").list_buckets()
    report = _report(iam, f"arn:aws:iam::{ACCOUNT}:user/act-{unique}", Granularity="ACTION_LEVEL")
    assert report["JobType"] == "ACTION_LEVEL"
    actions = {item["ActionName"]: item for item in _by_namespace(report)["s3"]["TrackedActionsLastAccessed"]}
    assert actions["ListBuckets"]["LastAccessedTime"] is not None
    assert actions["ListBuckets"]["LastAccessedEntity"].endswith(f":user/act-{unique}")
    assert "LastAccessedTime" not in actions["CreateBucket"]
    assert "SendMessage" in {item["ActionName"] for item in _by_namespace(report)["sqs"]["TrackedActionsLastAccessed"]}


def test_policy_report_lists_only_the_services_the_policy_allows(server, unique):
    iam = server.client("iam")
    arn = iam.create_policy(PolicyName=f"sqs-{unique}", PolicyDocument=SQS_ONLY)["Policy"]["Arn"]
    iam.create_user(UserName=f"pol-{unique}")
    iam.attach_user_policy(UserName=f"pol-{unique}", PolicyArn=arn)
    key = iam.create_access_key(UserName=f"pol-{unique}")["AccessKey"]
    server.client_for(key, "sqs").list_queues()
    report = _report(iam, arn)
    assert [item["ServiceNamespace"] for item in report["ServicesLastAccessed"]] == ["sqs"]
    assert report["ServicesLastAccessed"][0]["LastAuthenticatedEntity"].endswith(f":user/pol-{unique}")


def test_wildcards_and_denies(server, unique):
    iam = server.client("iam")
    document = policy_document({"Effect": "Allow", "Action": "*", "Resource": "*"},
                               {"Effect": "Deny", "Action": "organizations:*", "Resource": "*"},
                               {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"})
    arn = iam.create_policy(PolicyName=f"wild-{unique}", PolicyDocument=document)["Policy"]["Arn"]
    namespaces = set(_by_namespace(_report(iam, arn)))
    assert {"iam", "s3", "sqs", "sts", "sns", "events", "cloudtrail", "account", "ec2"} <= namespaces
    assert "organizations" not in namespaces
    only_get = iam.create_policy(PolicyName=f"get-{unique}", PolicyDocument=policy_document(
        {"Effect": "Allow", "NotAction": ["s3:*", "sqs:*"], "Resource": "*"}))["Policy"]["Arn"]
    namespaces = set(_by_namespace(_report(iam, only_get)))
    assert "iam" in namespaces and "s3" not in namespaces and "sqs" not in namespaces


def test_group_report_and_entities(server, unique):
    iam = server.client("iam")
    group = f"grp-{unique}"
    iam.create_group(GroupName=group)
    iam.put_group_policy(GroupName=group, PolicyName="sqs", PolicyDocument=SQS_ONLY)
    keys = {}
    for name in (f"g1-{unique}", f"g2-{unique}"):
        iam.create_user(UserName=name)
        iam.add_user_to_group(GroupName=group, UserName=name)
        keys[name] = iam.create_access_key(UserName=name)["AccessKey"]
    server.client_for(keys[f"g2-{unique}"], "sqs").list_queues()
    report = _report(iam, f"arn:aws:iam::{ACCOUNT}:group/{group}")
    sqs = _by_namespace(report)["sqs"]
    assert sqs["LastAuthenticatedEntity"].endswith(f":user/g2-{unique}") and sqs["TotalAuthenticatedEntities"] == 1

    details = iam.get_service_last_accessed_details_with_entities(JobId=report["JobId"], ServiceNamespace="sqs")
    assert details["JobStatus"] == "COMPLETED"
    entities = details["EntityDetailsList"]
    assert [item["EntityInfo"]["Name"] for item in entities] == [f"g2-{unique}", f"g1-{unique}"]
    assert entities[0]["LastAuthenticated"] is not None and "LastAuthenticated" not in entities[1]
    assert entities[0]["EntityInfo"]["Type"] == "USER" and entities[0]["EntityInfo"]["Id"].startswith("AIDA")
    assert entities[0]["EntityInfo"]["Path"] == "/"
    page = iam.get_service_last_accessed_details_with_entities(JobId=report["JobId"], ServiceNamespace="sqs",
                                                               MaxItems=1)
    assert page["IsTruncated"] is True and len(page["EntityDetailsList"]) == 1


def test_role_sessions_count_for_the_role(server, unique):
    iam = server.client("iam")
    trust = policy_document({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                             "Action": "sts:AssumeRole"})
    role_arn = iam.create_role(RoleName=f"role-{unique}", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.put_role_policy(RoleName=f"role-{unique}", PolicyName="sqs", PolicyDocument=SQS_ONLY)
    caller = _user(server, f"assumer-{unique}", policy_document(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}))
    credentials = server.client_for(caller, "sts").assume_role(RoleArn=role_arn, RoleSessionName="advisor")["Credentials"]
    server.client_for(credentials, "sqs").list_queues()
    sqs = _by_namespace(_report(iam, role_arn))["sqs"]
    assert sqs["LastAuthenticatedEntity"] == role_arn and sqs["LastAuthenticated"] is not None


def test_pagination_and_cli(server, unique):
    _user(server, f"page-{unique}", S3_AND_SQS)
    arn = f"arn:aws:iam::{ACCOUNT}:user/page-{unique}"
    job_id = server.cli_json("iam", "generate-service-last-accessed-details", "--arn", arn)["JobId"]
    iam = server.client("iam")
    first = iam.get_service_last_accessed_details(JobId=job_id, MaxItems=1)
    assert first["IsTruncated"] is True and [s["ServiceNamespace"] for s in first["ServicesLastAccessed"]] == ["s3"]
    second = iam.get_service_last_accessed_details(JobId=job_id, MaxItems=1, Marker=first["Marker"])
    assert second["IsTruncated"] is False and [s["ServiceNamespace"] for s in second["ServicesLastAccessed"]] == ["sqs"]
    assert error_of(iam.get_service_last_accessed_details, JobId=job_id, Marker="bm90LWFuLW9mZnNldA")[::2] == (
        "ValidationError", 400)
    cli = server.cli_json("iam", "get-service-last-accessed-details", "--job-id", job_id)
    assert [s["ServiceNamespace"] for s in cli["ServicesLastAccessed"]] == ["s3", "sqs"]
    entities = server.cli_json("iam", "get-service-last-accessed-details-with-entities", "--job-id", job_id,
                               "--service-namespace", "s3")
    assert entities["EntityDetailsList"][0]["EntityInfo"]["Arn"] == arn


def test_errors(server, unique):
    iam = server.client("iam")
    missing = "11111111-2222-3333-4444-555555555555"
    code, message, status = error_of(iam.get_service_last_accessed_details, JobId=missing)
    assert (code, status) == ("NoSuchEntity", 404) and missing in message
    assert error_of(iam.get_service_last_accessed_details_with_entities, JobId=missing,
                    ServiceNamespace="s3")[::2] == ("NoSuchEntity", 404)
    assert error_of(iam.generate_service_last_accessed_details, Arn="arn:aws:s3:::a-bucket-name")[::2] == (
        "InvalidInput", 400)
    assert error_of(iam.generate_service_last_accessed_details,
                    Arn=f"arn:aws:iam::{ACCOUNT}:user/nobody-{unique}")[::2] == ("NoSuchEntity", 404)
    # a job is readable only by the caller that generated it
    key = _user(server, f"other-{unique}", policy_document({"Effect": "Allow", "Action": "iam:*", "Resource": "*"}))
    job_id = iam.generate_service_last_accessed_details(Arn=f"arn:aws:iam::{ACCOUNT}:user/other-{unique}")["JobId"]
    assert error_of(server.client_for(key, "iam").get_service_last_accessed_details, JobId=job_id)[::2] == (
        "NoSuchEntity", 404)
    result = server.cli("iam", "get-service-last-accessed-details", "--job-id", missing, check=False)
    assert result.returncode != 0 and "NoSuchEntity" in result.stderr


def test_operations_are_authorized(server, unique):
    key = _user(server, f"noperm-{unique}", SQS_ONLY)
    iam = server.client_for(key, "iam")
    arn = f"arn:aws:iam::{ACCOUNT}:user/noperm-{unique}"
    code, message, status = error_of(iam.generate_service_last_accessed_details, Arn=arn)
    assert (code, status) == ("AccessDenied", 403)
    assert "iam:GenerateServiceLastAccessedDetails" in message and arn in message
    assert error_of(iam.list_policies_granting_service_access, Arn=arn, ServiceNamespaces=["s3"])[::2] == (
        "AccessDenied", 403)


def test_list_policies_granting_service_access(server, unique):
    iam = server.client("iam")
    user, group = f"lp-{unique}", f"lpg-{unique}"
    _user(server, user, policy_document({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}))
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=user)
    iam.attach_group_policy(GroupName=group, PolicyArn="arn:aws:iam::aws:policy/AmazonSQSFullAccess")
    iam.put_group_policy(GroupName=group, PolicyName="everything", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": "*", "Resource": "*"}))
    result = iam.list_policies_granting_service_access(Arn=f"arn:aws:iam::{ACCOUNT}:user/{user}",
                                                       ServiceNamespaces=["s3", "sqs", "ec2"])
    assert result["IsTruncated"] is False
    found = {entry["ServiceNamespace"]: entry["Policies"] for entry in result["PoliciesGrantingServiceAccess"]}
    assert list(found) == ["s3", "sqs", "ec2"]
    everything = {"PolicyName": "everything", "PolicyType": "INLINE", "EntityType": "GROUP", "EntityName": group}
    assert {"PolicyName": "inline", "PolicyType": "INLINE", "EntityType": "USER", "EntityName": user} in found["s3"]
    assert everything in found["s3"] and len(found["s3"]) == 2
    assert {"PolicyName": "AmazonSQSFullAccess", "PolicyType": "MANAGED",
            "PolicyArn": "arn:aws:iam::aws:policy/AmazonSQSFullAccess"} in found["sqs"]
    assert found["ec2"] == [everything]
    # a group's report only has the group's own policies
    cli = server.cli_json("iam", "list-policies-granting-service-access", "--arn",
                          f"arn:aws:iam::{ACCOUNT}:group/{group}", "--service-namespaces", "s3")
    assert cli["PoliciesGrantingServiceAccess"][0]["Policies"] == [everything]
    assert error_of(iam.list_policies_granting_service_access, Arn="arn:aws:iam::aws:policy/AdministratorAccess",
                    ServiceNamespaces=["s3"])[::2] == ("InvalidInput", 400)


def test_service_linked_role_deletion_status(server):
    iam = server.client("iam")
    iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")
    task_id = iam.delete_service_linked_role(RoleName="AWSServiceRoleForAutoScaling")["DeletionTaskId"]
    assert task_id.startswith("task/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling/")
    assert len(task_id.rsplit("/", 1)[1]) == 36
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task_id)["Status"] == "SUCCEEDED"
    cli = server.cli_json("iam", "get-service-linked-role-deletion-status", "--deletion-task-id", task_id)
    assert cli["Status"] == "SUCCEEDED"
    unknown = "task/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoscaling/" \
              "ec720f7a-c0ba-4838-be33-f72e1873dd52"
    assert error_of(iam.get_service_linked_role_deletion_status, DeletionTaskId=unknown)[::2] == ("NoSuchEntity", 404)
    assert error_of(iam.get_service_linked_role_deletion_status, DeletionTaskId="not-a-task")[::2] == (
        "InvalidInput", 400)


def test_update_open_id_connect_provider(server, unique):
    iam = server.client("iam")
    arn = iam.create_open_id_connect_provider(Url=f"https://oidc-{unique}.example.com", ClientIDList=["app"],
                                              ThumbprintList=["a" * 40])["OpenIDConnectProviderArn"]
    context = {"SubjectSourceKey": "sub", "SubjectTypeValue": "user",
               "KeyDefinitionList": [{"SourceKey": "email", "TargetKey": "Email"}]}
    instance = "arn:aws:sso:::instance/ssoins-0123456789abcdef"
    assert "ContextProvider" not in iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert error_of(iam.update_open_id_connect_provider, OpenIDConnectProviderArn=arn,
                    IdentityCenterInstanceArn=instance)[::2] == ("InvalidInput", 400)  # no context provider yet
    iam.update_open_id_connect_provider(OpenIDConnectProviderArn=arn, ContextProvider=context)
    # (the pinned AWS CLI predates UpdateOpenIDConnectProvider: boto3 only)
    iam.update_open_id_connect_provider(OpenIDConnectProviderArn=arn, IdentityCenterInstanceArn=instance)
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["ContextProvider"] == context and got["IdentityCenterInstanceArn"] == instance
    assert got["ThumbprintList"] == ["a" * 40]
    for bad in ({"ContextProvider": context, "RemoveContextProvider": True},
                {"IdentityCenterInstanceArn": instance, "RemoveIdentityCenterInstance": True},
                {"ContextProvider": context, "RemoveIdentityCenterInstance": True},
                {"RemoveContextProvider": True},  # the Identity Center association must go first
                {"ContextProvider": {"SubjectSourceKey": "bad  key"}},
                {}):
        assert error_of(iam.update_open_id_connect_provider, OpenIDConnectProviderArn=arn, **bad)[::2] == (
            "InvalidInput", 400), bad
    iam.update_open_id_connect_provider(OpenIDConnectProviderArn=arn, RemoveIdentityCenterInstance=True)
    iam.update_open_id_connect_provider(OpenIDConnectProviderArn=arn, RemoveContextProvider=True)
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert "ContextProvider" not in got and "IdentityCenterInstanceArn" not in got
    missing = arn + "-missing"
    assert error_of(iam.update_open_id_connect_provider, OpenIDConnectProviderArn=missing,
                    RemoveContextProvider=True)[::2] == ("NoSuchEntity", 404)


def test_organizations_access_report(server, unique):
    """Last: it turns the bootstrap account into an organization's management account."""
    iam = server.client("iam")
    code, _, status = error_of(iam.generate_organizations_access_report, EntityPath="o-aaaaaaaaaa/r-aaaa")
    assert (code, status) == ("AccessDenied", 403)
    orgs = server.client("organizations")
    organization = orgs.create_organization(FeatureSet="ALL")["Organization"]
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    member = create_member(orgs, f"aa-{unique}")
    unit = orgs.create_organizational_unit(ParentId=root_id, Name="workloads")["OrganizationalUnit"]["Id"]
    orgs.move_account(AccountId=member, SourceParentId=root_id, DestinationParentId=unit)
    credentials = assume_access_role(server, admin_key(server), member)
    server.client_for(credentials, "s3", region="eu-west-1").list_buckets()

    path = f"{organization['Id']}/{root_id}"
    job_id = server.cli_json("iam", "generate-organizations-access-report", "--entity-path", path)["JobId"]
    report = iam.get_organizations_access_report(JobId=job_id)
    assert report["JobStatus"] == "COMPLETED"
    details = {item["ServiceNamespace"]: item for item in report["AccessDetails"]}
    assert {"s3", "sqs", "iam"} <= set(details)  # FullAWSAccess allows every service
    s3 = details["s3"]
    assert s3["EntityPath"] == f"{path}/{unit}/{member}" and s3["Region"] == "eu-west-1"
    assert s3["LastAuthenticatedTime"] is not None and s3["TotalAuthenticatedEntities"] == 1
    assert "LastAuthenticatedTime" not in details["sqs"]
    assert report["NumberOfServicesAccessible"] == len(details)
    assert report["NumberOfServicesNotAccessed"] == len(details) - sum(
        1 for item in details.values() if "LastAuthenticatedTime" in item)
    newest = iam.get_organizations_access_report(JobId=job_id, SortKey="LAST_AUTHENTICATED_TIME_DESCENDING",
                                                 MaxItems=1)
    assert newest["AccessDetails"][0]["LastAuthenticatedTime"] is not None and newest["IsTruncated"] is True

    scp = orgs.create_policy(Name=f"sqs-{unique}", Type="SERVICE_CONTROL_POLICY", Description="", Content=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}))
    policy_id = scp["Policy"]["PolicySummary"]["Id"]
    orgs.attach_policy(PolicyId=policy_id, TargetId=unit)
    orgs.detach_policy(PolicyId="p-FullAWSAccess", TargetId=unit)
    unit_report = iam.get_organizations_access_report(JobId=iam.generate_organizations_access_report(
        EntityPath=f"{path}/{unit}")["JobId"])
    assert [item["ServiceNamespace"] for item in unit_report["AccessDetails"]] == ["sqs"]
    by_policy = iam.get_organizations_access_report(JobId=iam.generate_organizations_access_report(
        EntityPath=path, OrganizationsPolicyId=policy_id)["JobId"])
    assert [item["ServiceNamespace"] for item in by_policy["AccessDetails"]] == ["sqs"]
    assert error_of(iam.generate_organizations_access_report, EntityPath=f"{path}/ou-zzzz-zzzzzzzz")[::2] == (
        "InvalidInput", 400)
    assert error_of(iam.get_organizations_access_report,
                    JobId="11111111-2222-3333-4444-555555555555")[::2] == ("NoSuchEntity", 404)
