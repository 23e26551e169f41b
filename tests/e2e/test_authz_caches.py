"""Authorization reads SCP/RCP chains, principals' identity policies, users and buckets from per-process caches
(store/changes.py); every change to what they hold takes effect on the very next request, on this server and
(PostgreSQL) on another server sharing the database. Each test warms the cache with a few allowed calls before
changing anything."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator

import pytest
from botocore.exceptions import ClientError
from harness import drop_postgres_database, required_postgres_database, start_server
from orgs_helpers import admin_key, assume_access_role, create_member, error_of, policy_text

DENY_LIST_USERS = {"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"}
ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}


def _warm(call, times: int = 3) -> None:
    for _ in range(times):
        call()


@contextlib.contextmanager
def _two_servers() -> Iterator[tuple]:
    """Two servers on one fresh PostgreSQL database. The second trusts what it caches for 10 minutes: only the
    notification of a commit on the first can make it see the change."""
    url = required_postgres_database()
    first = start_server(database_url=url)
    try:
        second = start_server(database_url=url, args=("--credential-cache-seconds", "600"))
        try:
            yield first, second
        finally:
            second.close()
    finally:
        first.close()
        drop_postgres_database(url)


def _eventually(condition: Callable[[], bool], failure: str) -> None:
    """Wait up to 10 s for ``condition`` (polled every 20 ms); fail with ``failure`` if it never holds."""
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, failure
        time.sleep(0.02)


def _denied(call) -> bool:
    try:
        call()
    except ClientError as error:
        assert error.response["Error"]["Code"] in ("AccessDenied", "AccessDeniedException", "AuthorizationError"), \
            error.response
        return True
    return False


@pytest.fixture(scope="module")
def org(server):
    orgs = server.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    admin = admin_key(server)
    member = create_member(orgs, "cached")
    member_iam = server.client_for(assume_access_role(server, admin, member), "iam")
    return {"orgs": orgs, "root": root_id, "member": member, "iam": member_iam}


def test_scp_attach_edit_detach_and_policy_type_apply_to_the_next_request(org):
    orgs, iam = org["orgs"], org["iam"]
    _warm(iam.list_users)
    policy = orgs.create_policy(Content=policy_text(DENY_LIST_USERS), Description="d", Name="CachedDeny",
                                Type="SERVICE_CONTROL_POLICY")["Policy"]["PolicySummary"]["Id"]
    orgs.attach_policy(PolicyId=policy, TargetId=org["member"])
    error = error_of(iam.list_users)
    assert error["Code"] == "AccessDenied" and "explicit deny in a service control policy" in error["Message"]
    orgs.update_policy(PolicyId=policy, Content=policy_text({**DENY_LIST_USERS, "Action": "iam:ListRoles"}))
    iam.list_users()
    assert _denied(iam.list_roles)
    orgs.detach_policy(PolicyId=policy, TargetId=org["member"])
    _warm(iam.list_roles)
    orgs.attach_policy(PolicyId=policy, TargetId=org["root"])
    assert _denied(iam.list_roles)
    orgs.disable_policy_type(RootId=org["root"], PolicyType="SERVICE_CONTROL_POLICY")  # detaches every SCP
    _warm(iam.list_roles)
    orgs.enable_policy_type(RootId=org["root"], PolicyType="SERVICE_CONTROL_POLICY")
    iam.list_roles()
    orgs.attach_policy(PolicyId=policy, TargetId=org["root"])
    assert _denied(iam.list_roles)
    orgs.detach_policy(PolicyId=policy, TargetId=org["root"])
    iam.list_roles()


def test_moving_an_account_between_ous_applies_to_the_next_request(org):
    orgs, iam = org["orgs"], org["iam"]
    guarded = orgs.create_organizational_unit(ParentId=org["root"], Name="guarded")["OrganizationalUnit"]["Id"]
    policy = orgs.create_policy(Content=policy_text(DENY_LIST_USERS), Description="d", Name="OuDeny",
                                Type="SERVICE_CONTROL_POLICY")["Policy"]["PolicySummary"]["Id"]
    orgs.attach_policy(PolicyId=policy, TargetId=guarded)
    _warm(iam.list_users)
    orgs.move_account(AccountId=org["member"], SourceParentId=org["root"], DestinationParentId=guarded)
    assert _denied(iam.list_users)
    orgs.move_account(AccountId=org["member"], SourceParentId=guarded, DestinationParentId=org["root"])
    iam.list_users()


def test_identity_policy_changes_apply_to_the_next_request(server, unique):
    iam = server.client("iam")
    name = f"cached-{unique}"
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="allow", PolicyDocument=policy_text(
        {"Effect": "Allow", "Action": ["iam:ListUsers", "iam:ListRoles"], "Resource": "*"}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    user = server.client_for(key, "iam")
    _warm(user.list_users)
    iam.delete_user_policy(UserName=name, PolicyName="allow")  # inline policy gone
    assert _denied(user.list_users)
    arn = iam.create_policy(PolicyName=f"managed-{unique}", PolicyDocument=policy_text(
        {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}))["Policy"]["Arn"]
    iam.attach_user_policy(UserName=name, PolicyArn=arn)  # managed policy attached
    _warm(user.list_users)
    iam.create_policy_version(PolicyArn=arn, SetAsDefault=True, PolicyDocument=policy_text(
        {"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}))  # its default version edited
    assert _denied(user.list_users)
    _warm(user.list_roles)
    group = f"deny-{unique}"
    iam.create_group(GroupName=group)
    iam.put_group_policy(GroupName=group, PolicyName="deny", PolicyDocument=policy_text(
        {"Effect": "Deny", "Action": "iam:ListRoles", "Resource": "*"}))
    iam.add_user_to_group(GroupName=group, UserName=name)  # a group's deny
    assert _denied(user.list_roles)
    iam.remove_user_from_group(GroupName=group, UserName=name)
    _warm(user.list_roles)
    boundary = iam.create_policy(PolicyName=f"boundary-{unique}", PolicyDocument=policy_text(
        {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}))["Policy"]["Arn"]
    iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=boundary)  # a boundary without ListRoles
    assert _denied(user.list_roles)
    iam.delete_user_permissions_boundary(UserName=name)
    user.list_roles()


def test_role_deleted_and_recreated_denies_its_old_sessions(server, unique):
    iam = server.client("iam")
    account = server.client("sts").get_caller_identity()["Account"]
    trust = policy_text({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                         "Action": "sts:AssumeRole"})
    role = f"cached-role-{unique}"
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)
    iam.put_role_policy(RoleName=role, PolicyName="allow", PolicyDocument=policy_text(ALLOW_ALL))
    admin = admin_key(server, f"role-admin-{unique}")
    credentials = assume_access_role(server, admin, account, role=role)
    session_iam = server.client_for(credentials, "iam")
    _warm(session_iam.list_users)
    iam.delete_role_policy(RoleName=role, PolicyName="allow")
    iam.delete_role(RoleName=role)
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)
    iam.put_role_policy(RoleName=role, PolicyName="allow", PolicyDocument=policy_text(ALLOW_ALL))
    assert _denied(session_iam.list_users)  # bound to the deleted role's id, not its name


def test_an_scp_attached_on_one_server_binds_on_another_at_once():
    with _two_servers() as (first, second):
        orgs = first.client("organizations")
        orgs.create_organization(FeatureSet="ALL")
        member = create_member(orgs, "replica")
        admin = admin_key(first)
        on_second = second.client_for(assume_access_role(second, admin, member), "iam")
        _warm(on_second.list_users)
        policy = orgs.create_policy(Content=json.dumps({"Version": "2012-10-17", "Statement": [DENY_LIST_USERS]}),
                                    Description="d", Name="ReplicaDeny",
                                    Type="SERVICE_CONTROL_POLICY")["Policy"]["PolicySummary"]["Id"]
        orgs.attach_policy(PolicyId=policy, TargetId=member)
        _eventually(lambda: _denied(on_second.list_users), "the other server never saw the SCP")
        orgs.detach_policy(PolicyId=policy, TargetId=member)
        _eventually(lambda: not _denied(on_second.list_users), "the other server never saw the detachment")


def test_assume_root_eligibility_changes_apply_to_the_next_request(server, org, unique):
    orgs, iam = org["orgs"], server.client("iam")
    orgs.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    iam.enable_organizations_root_credentials_management()
    caller = server.client_for(admin_key(server, f"root-admin-{unique}"), "sts")
    task = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"

    def assume():
        return caller.assume_root(TargetPrincipal=org["member"], TaskPolicyArn={"arn": task})

    deadline = time.monotonic() + 5
    while True:  # a brand-new access key may take the credential cache a moment to see
        try:
            assume()
            break
        except ClientError as error:
            if error.response["Error"]["Code"] != "InvalidClientTokenId" or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    _warm(assume)
    iam.disable_organizations_root_credentials_management()
    error = error_of(assume)
    assert error["Code"] == "AccessDenied" and "Root credentials management" in error["Message"]
    iam.enable_organizations_root_credentials_management()
    _warm(assume)
    orgs.disable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    error = error_of(assume)
    assert error["Code"] == "AccessDenied" and error["Message"] == "Service not enabled for AWS Organizations."


def test_user_changes_show_in_the_next_get_user_and_authorization(server, unique):
    """GetUser and the authorization of calls naming a user read the user cache (services/iam/user_views.py)."""
    iam = server.client("iam")
    name = f"viewed-{unique}"
    iam.create_user(UserName=name)
    _warm(lambda: iam.get_user(UserName=name))
    iam.tag_user(UserName=name, Tags=[{"Key": "team", "Value": "red"}])
    assert iam.get_user(UserName=name.upper())["User"]["Tags"] == [{"Key": "team", "Value": "red"}]
    caller = iam.create_user(UserName=f"caller-{unique}")["User"]["UserName"]
    iam.put_user_policy(UserName=caller, PolicyName="red-only", PolicyDocument=policy_text(
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
         "Condition": {"StringEquals": {"iam:ResourceTag/team": "red"}}}))
    as_caller = server.client_for(iam.create_access_key(UserName=caller)["AccessKey"], "iam")
    _warm(lambda: as_caller.get_user(UserName=name))
    iam.tag_user(UserName=name, Tags=[{"Key": "team", "Value": "blue"}])  # the resource's tags decide at once
    assert _denied(lambda: as_caller.get_user(UserName=name))
    iam.update_user(UserName=name, NewPath="/moved/")
    assert iam.get_user(UserName=name)["User"]["Arn"].endswith(f":user/moved/{name}")
    iam.update_user(UserName=name, NewUserName=f"{name}-2")
    with pytest.raises(ClientError, match="NoSuchEntity"):
        iam.get_user(UserName=name)
    iam.untag_user(UserName=f"{name}-2", TagKeys=["team"])
    iam.delete_user(UserName=f"{name}-2")
    with pytest.raises(ClientError, match="NoSuchEntity"):
        iam.get_user(UserName=f"{name}-2")
    iam.create_user(UserName=name, Path="/again/")  # a user created after a miss was cached
    assert iam.get_user(UserName=name)["User"]["Path"] == "/again/"


def _no_such_user(iam, name: str) -> bool:
    try:
        iam.get_user(UserName=name)
    except ClientError as error:
        assert error.response["Error"]["Code"] == "NoSuchEntity"
        return True
    return False


def test_a_user_changed_on_one_server_shows_in_get_user_on_another_at_once():
    with _two_servers() as (first, second):
        on_first, on_second = first.client("iam"), second.client("iam")
        on_first.create_user(UserName="replicated")
        _warm(lambda: on_second.get_user(UserName="replicated"))
        on_first.tag_user(UserName="replicated", Tags=[{"Key": "k", "Value": "v"}])
        _eventually(lambda: "Tags" in on_second.get_user(UserName="replicated")["User"],
                    "the other server never saw the tag")
        on_first.untag_user(UserName="replicated", TagKeys=["k"])
        on_first.delete_user(UserName="replicated")
        _eventually(lambda: _no_such_user(on_second, "replicated"), "the other server never saw the deletion")


def _put(s3, bucket: str, key: str = "k") -> dict:
    return s3.put_object(Bucket=bucket, Key=key, Body=b"x")


def test_bucket_changes_apply_to_the_next_object_request(server, unique):
    """Object requests and their authorization read the bucket cache (services/s3/bucket_views.py)."""
    iam, s3 = server.client("iam"), server.client("s3")
    bucket = f"viewed-{unique}"
    s3.create_bucket(Bucket=bucket)
    writer = iam.create_user(UserName=f"writer-{unique}")["User"]
    iam.put_user_policy(UserName=writer["UserName"], PolicyName="s3", PolicyDocument=policy_text(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    as_writer = server.client_for(iam.create_access_key(UserName=writer["UserName"])["AccessKey"], "s3")
    _warm(lambda: _put(as_writer, bucket))
    assert "VersionId" not in _put(as_writer, bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": {"AWS": writer["Arn"]}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    assert _denied(lambda: _put(as_writer, bucket))
    assert as_writer.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"
    s3.delete_bucket_policy(Bucket=bucket)
    _put(as_writer, bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert _put(as_writer, bucket)["VersionId"] != "null"
    assert as_writer.head_object(Bucket=bucket, Key="k")["VersionId"] != "null"
    for version in s3.list_object_versions(Bucket=bucket)["Versions"]:
        s3.delete_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])
    s3.delete_bucket(Bucket=bucket)
    with pytest.raises(ClientError, match="NoSuchBucket"):
        _put(as_writer, bucket)
    s3.create_bucket(Bucket=bucket)  # a bucket created after a miss was cached
    assert "VersionId" not in _put(as_writer, bucket)


def test_a_bucket_policy_set_on_one_server_binds_object_requests_on_another_at_once():
    with _two_servers() as (first, second):
        on_first, on_second = first.client("s3"), second.client("s3")
        on_first.create_bucket(Bucket="replicated-bucket")
        _warm(lambda: _put(on_second, "replicated-bucket"))
        on_first.put_bucket_policy(Bucket="replicated-bucket", Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                                                    "Resource": "arn:aws:s3:::replicated-bucket/*"}]}))
        _eventually(lambda: _denied(lambda: _put(on_second, "replicated-bucket")),
                    "the other server never saw the bucket policy")
        on_first.delete_bucket_policy(Bucket="replicated-bucket")
        _eventually(lambda: not _denied(lambda: _put(on_second, "replicated-bucket")),
                    "the other server never saw the policy's deletion")


def _send(sqs, url: str) -> dict:
    return sqs.send_message(QueueUrl=url, MessageBody="m")


def test_queue_changes_apply_to_the_next_request(server, unique):
    """Authorization of queue calls reads the queue cache (services/sqs/queue_views.py)."""
    iam, sqs = server.client("iam"), server.client("sqs")
    url = sqs.create_queue(QueueName=f"viewed-{unique}")["QueueUrl"]
    sender = iam.create_user(UserName=f"sender-{unique}")["User"]
    iam.put_user_policy(UserName=sender["UserName"], PolicyName="sqs", PolicyDocument=policy_text(
        {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}))
    as_sender = server.client_for(iam.create_access_key(UserName=sender["UserName"])["AccessKey"], "sqs")
    _warm(lambda: _send(as_sender, url))
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": {"AWS": sender["Arn"]}, "Action": "sqs:SendMessage", "Resource": arn}]})})
    assert _denied(lambda: _send(as_sender, url))
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    _send(as_sender, url)
    sqs.tag_queue(QueueUrl=url, Tags={"locked": "yes"})
    iam.put_user_policy(UserName=sender["UserName"], PolicyName="tags", PolicyDocument=policy_text(
        {"Effect": "Deny", "Action": "sqs:SendMessage", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/locked": "yes"}}}))
    assert _denied(lambda: _send(as_sender, url))
    sqs.untag_queue(QueueUrl=url, TagKeys=["locked"])
    _send(as_sender, url)
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(ClientError, match="NonExistentQueue|QueueDoesNotExist"):
        _send(as_sender, url)


def test_a_queue_policy_set_on_one_server_binds_on_another_at_once():
    with _two_servers() as (first, second):
        on_first, on_second = first.client("sqs"), second.client("sqs")
        url = on_first.create_queue(QueueName="replicated-queue")["QueueUrl"]
        _warm(lambda: _send(on_second, url))
        on_first.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage",
                                                    "Resource": "*"}]})})
        _eventually(lambda: _denied(lambda: _send(on_second, url)), "the other server never saw the queue policy")
        on_first.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
        _eventually(lambda: not _denied(lambda: _send(on_second, url)),
                    "the other server never saw the policy's deletion")


def _received(sqs, url: str) -> list[str]:
    """The notifications' messages now in the queue (received and deleted)."""
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return sorted(json.loads(message["Body"])["Message"] for message in messages)


def test_topic_and_subscription_changes_apply_to_the_next_publish(server, unique):
    """Publish authorizes and fans out from the topic caches (services/sns/topic_views.py)."""
    sns, sqs = server.client("sns"), server.client("sqs")
    topic = sns.create_topic(Name=f"viewed-{unique}")["TopicArn"]
    url = sqs.create_queue(QueueName=f"fan-{unique}")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": queue}]})})
    _warm(lambda: sns.publish(TopicArn=topic, Message="before"))
    subscription = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue)["SubscriptionArn"]
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsConfirmed"] == "1"
    sns.publish(TopicArn=topic, Message="first")
    assert _received(sqs, url) == ["first"]
    sns.set_subscription_attributes(SubscriptionArn=subscription, AttributeName="FilterPolicy",
                                    AttributeValue=json.dumps({"kind": ["alert"]}))
    sns.publish(TopicArn=topic, Message="filtered out")
    sns.publish(TopicArn=topic, Message="alert", MessageAttributes={"kind": {"DataType": "String",
                                                                             "StringValue": "alert"}})
    assert _received(sqs, url) == ["alert"]
    sns.unsubscribe(SubscriptionArn=subscription)
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsConfirmed"] == "0"
    sns.publish(TopicArn=topic, Message="nobody", MessageAttributes={"kind": {"DataType": "String",
                                                                              "StringValue": "alert"}})
    assert _received(sqs, url) == []
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sns:Publish",
                                                "Resource": topic}]}))
    assert _denied(lambda: sns.publish(TopicArn=topic, Message="denied"))
    sns.delete_topic(TopicArn=topic)
    assert _refusal(lambda: sns.publish(TopicArn=topic, Message="gone")) == "NotFound"


def test_a_topic_policy_set_on_one_server_binds_publish_on_another_at_once():
    with _two_servers() as (first, second):
        on_first, on_second = first.client("sns"), second.client("sns")
        topic = on_first.create_topic(Name="replicated-topic")["TopicArn"]
        _warm(lambda: on_second.publish(TopicArn=topic, Message="m"))
        on_first.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sns:Publish",
                                                    "Resource": topic}]}))
        _eventually(lambda: _denied(lambda: on_second.publish(TopicArn=topic, Message="m")),
                    "the other server never saw the topic policy")
        on_first.delete_topic(TopicArn=topic)
        _eventually(lambda: _refusal(lambda: on_second.publish(TopicArn=topic, Message="m")) == "NotFound",
                    "the other server never saw the topic's deletion")


def _refusal(call) -> str | None:
    """The error code ``call`` fails with, or None."""
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"]
    return None


def test_organization_reads_follow_accounts_delegations_and_policy_types(server, org):
    """DescribeOrganization, ListRoots and ListAccounts read the caller's organization from a cache
    (services/organizations/org_views.py): what changes it shows in the very next call."""
    orgs, admin = org["orgs"], admin_key(server)
    member_orgs = server.client_for(assume_access_role(server, admin, org["member"]), "organizations")
    described = member_orgs.describe_organization()["Organization"]
    assert described["MasterAccountId"] == "000000000000" and described["MasterAccountEmail"]
    assert error_of(member_orgs.list_accounts)["Code"] == "AccessDeniedException"
    orgs.enable_aws_service_access(ServicePrincipal="securityhub.amazonaws.com")
    orgs.register_delegated_administrator(AccountId=org["member"], ServicePrincipal="securityhub.amazonaws.com")
    ids = {account["Id"] for account in member_orgs.list_accounts()["Accounts"]}
    assert {"000000000000", org["member"]} <= ids
    newcomer = create_member(orgs, "newcomer")
    listed = {account["Id"]: account for account in member_orgs.list_accounts()["Accounts"]}
    assert listed[newcomer]["Status"] == "ACTIVE" and listed[newcomer]["Paths"][0].endswith(f"/{newcomer}/")
    orgs.close_account(AccountId=newcomer)
    assert {account["Id"]: account["State"] for account in orgs.list_accounts()["Accounts"]}[newcomer] == \
        "PENDING_CLOSURE"
    orgs.deregister_delegated_administrator(AccountId=org["member"], ServicePrincipal="securityhub.amazonaws.com")
    assert error_of(member_orgs.list_accounts)["Code"] == "AccessDeniedException"
    types = lambda: {t["Type"] for t in orgs.list_roots()["Roots"][0]["PolicyTypes"]}  # noqa: E731
    assert "TAG_POLICY" not in types()
    orgs.enable_policy_type(RootId=org["root"], PolicyType="TAG_POLICY")
    assert "TAG_POLICY" in types()
    orgs.disable_policy_type(RootId=org["root"], PolicyType="TAG_POLICY")
    assert "TAG_POLICY" not in types()
