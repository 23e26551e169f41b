"""SCPs and RCPs bind member accounts (every OU level needs an Allow, any Deny wins) and never the management account."""

from __future__ import annotations

import json

import pytest

from orgs_helpers import admin_key, assume_access_role, create_member, error_of, policy_text


@pytest.fixture(scope="module")
def world(server):
    orgs = server.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    return {"orgs": orgs, "root": root_id, "admin": admin_key(server)}


@pytest.fixture(scope="module")
def member(world) -> str:
    """One member account the later tests share (an organization holds a limited number of accounts); each
    detaches the policies it attaches."""
    return create_member(world["orgs"], "shared-member")


def _scp(orgs, name: str, *statements: dict) -> str:
    return orgs.create_policy(Content=policy_text(*statements), Description=name, Name=name,
                              Type="SERVICE_CONTROL_POLICY")["Policy"]["PolicySummary"]["Id"]


def _rcp(orgs, name: str, *statements: dict) -> str:
    return orgs.create_policy(Content=policy_text(*statements), Description=name, Name=name,
                              Type="RESOURCE_CONTROL_POLICY")["Policy"]["PolicySummary"]["Id"]


def _enable_rcps(orgs, root_id: str) -> None:
    """Enable RCPs at the root unless a test before this one did."""
    roots = orgs.list_roots()["Roots"]
    if not any(t["Type"] == "RESOURCE_CONTROL_POLICY" and t["Status"] == "ENABLED" for t in roots[0]["PolicyTypes"]):
        orgs.enable_policy_type(RootId=root_id, PolicyType="RESOURCE_CONTROL_POLICY")


def test_deny_scp_refuses_member_role_not_management(server, world):
    orgs, admin = world["orgs"], world["admin"]
    member = create_member(orgs, "scp-target")
    member_iam = server.client_for(assume_access_role(server, admin, member), "iam")
    member_iam.list_users()
    deny = _scp(orgs, "DenyListUsers", {"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"})
    orgs.attach_policy(PolicyId=deny, TargetId=world["root"])
    error = error_of(member_iam.list_users)
    assert error["Code"] == "AccessDenied" and "explicit deny in a service control policy" in error["Message"]
    server.client("iam").list_users()                      # management root: SCPs never apply
    server.client_for(admin, "iam").list_users()           # management IAM user: neither
    orgs.detach_policy(PolicyId=deny, TargetId=world["root"])
    member_iam.list_users()


def test_nested_ou_inheritance(server, world):
    orgs, admin = world["orgs"], world["admin"]
    outer = orgs.create_organizational_unit(ParentId=world["root"], Name="outer")["OrganizationalUnit"]["Id"]
    inner = orgs.create_organizational_unit(ParentId=outer, Name="inner")["OrganizationalUnit"]["Id"]
    member = create_member(orgs, "nested")
    orgs.move_account(AccountId=member, SourceParentId=world["root"], DestinationParentId=inner)
    credentials = assume_access_role(server, admin, member)
    iam, s3 = server.client_for(credentials, "iam"), server.client_for(credentials, "s3")
    # allow-list at the outer OU: only S3 and STS remain possible below it
    allow = _scp(orgs, "OnlyS3", {"Effect": "Allow", "Action": ["s3:*", "sts:*"], "Resource": "*"})
    orgs.attach_policy(PolicyId=allow, TargetId=outer)
    orgs.detach_policy(PolicyId="p-FullAWSAccess", TargetId=outer)
    s3.list_buckets()
    error = error_of(iam.list_roles)
    assert error["Code"] == "AccessDenied" and "no service control policy allows" in error["Message"]
    # a deny two levels up wins over the FullAWSAccess still attached to the inner OU and the account
    deny = _scp(orgs, "NoBuckets", {"Effect": "Deny", "Action": "s3:ListAllMyBuckets", "Resource": "*"})
    orgs.attach_policy(PolicyId=deny, TargetId=outer)
    assert error_of(s3.list_buckets)["Code"] == "AccessDenied"
    # moving the account back to the root lifts both
    orgs.move_account(AccountId=member, SourceParentId=inner, DestinationParentId=world["root"])
    iam.list_roles()
    s3.list_buckets()


def test_rcp_denies_access_to_member_queue(server, world):
    orgs, admin = world["orgs"], world["admin"]
    _enable_rcps(orgs, world["root"])
    member = create_member(orgs, "rcp-target")
    member_sqs = server.client_for(assume_access_role(server, admin, member), "sqs")
    queue = member_sqs.create_queue(QueueName="guarded")["QueueUrl"]
    member_sqs.send_message(QueueUrl=queue, MessageBody="before")
    rcp = orgs.create_policy(Content=policy_text({"Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage",
                                                  "Resource": "*"}),
                             Description="", Name="NoSends", Type="RESOURCE_CONTROL_POLICY")["Policy"]
    orgs.attach_policy(PolicyId=rcp["PolicySummary"]["Id"], TargetId=member)
    error = error_of(member_sqs.send_message, QueueUrl=queue, MessageBody="after")
    assert error["Code"] in ("AccessDenied", "AccessDeniedException") and error["Status"] == 403
    own = server.client("sqs").create_queue(QueueName="management-queue")["QueueUrl"]
    server.client("sqs").send_message(QueueUrl=own, MessageBody="management resources are never bound")
    error = error_of(orgs.detach_policy, PolicyId="p-RCPFullAWSAccess", TargetId=member)
    assert error["Code"] == "InvalidInputException"
    assert json.loads(orgs.describe_policy(PolicyId="p-RCPFullAWSAccess")["Policy"]["Content"])["Statement"]


def test_scp_binds_assume_root_sessions(server, world):
    orgs, admin = world["orgs"], world["admin"]
    member = create_member(orgs, "root-session")
    orgs.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    server.client("iam").enable_organizations_root_credentials_management()
    server.client("iam").enable_organizations_root_sessions()
    audit = {"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}
    sts = server.client_for(admin, "sts")
    session = sts.assume_root(TargetPrincipal=member, TaskPolicyArn=audit)["Credentials"]
    root_iam = server.client_for(session, "iam")
    root_iam.list_access_keys()
    deny = _scp(orgs, "NoRootAudit", {"Effect": "Deny", "Action": "iam:ListAccessKeys", "Resource": "*"})
    orgs.attach_policy(PolicyId=deny, TargetId=member)
    error = error_of(root_iam.list_access_keys)
    assert error["Code"] == "AccessDenied" and "service control policy" in error["Message"]
    server.client("iam").list_access_keys()


def test_organization_condition_keys_and_the_data_perimeter_rcp(server, world):
    """aws:PrincipalOrgID/OrgPaths and aws:ResourceOrgID are set for accounts in the organization: the data
    perimeter RCP AWS documents (deny principals outside the organization) lets the organization's own principals
    in, an SCP conditioned on aws:PrincipalOrgPaths binds the account's path, and a queue policy granting the
    organization lets another member's role send."""
    orgs, admin = world["orgs"], world["admin"]
    org_id = orgs.describe_organization()["Organization"]["Id"]
    _enable_rcps(orgs, world["root"])
    owner, other = create_member(orgs, "perimeter-owner"), create_member(orgs, "perimeter-other")
    perimeter = orgs.create_policy(Content=policy_text({
        "Effect": "Deny", "Principal": "*", "Action": ["s3:*", "sqs:*"], "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": org_id},
                      "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}),
        Description="", Name="DataPerimeter", Type="RESOURCE_CONTROL_POLICY")["Policy"]["PolicySummary"]["Id"]
    orgs.attach_policy(PolicyId=perimeter, TargetId=owner)
    owner_sqs = server.client_for(assume_access_role(server, admin, owner), "sqs")
    url = owner_sqs.create_queue(QueueName="perimeter")["QueueUrl"]
    arn = f"arn:aws:sqs:us-east-1:{owner}:perimeter"
    owner_sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy_text({
        "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": arn,
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": org_id, "aws:ResourceOrgID": org_id}}})})
    other_sqs = server.client_for(assume_access_role(server, admin, other), "sqs")
    other_sqs.send_message(QueueUrl=url, MessageBody="from inside the organization")
    owner_sqs.send_message(QueueUrl=url, MessageBody="from the owner")
    path = f"{org_id}/{world['root']}/"
    deny = _scp(orgs, "DenyAtRootPath", {"Effect": "Deny", "Action": "sqs:ListQueues", "Resource": "*",
                                         "Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [path]}}})
    orgs.attach_policy(PolicyId=deny, TargetId=other)
    assert "explicit deny in a service control policy" in error_of(other_sqs.list_queues)["Message"]
    owner_sqs.list_queues()  # its path is the same, but the SCP is attached to the other account only
    orgs.detach_policy(PolicyId=deny, TargetId=other)
    orgs.detach_policy(PolicyId=perimeter, TargetId=owner)


def test_requested_region_of_iam_calls_is_us_east_1(server, world):
    """IAM calls are always made to us-east-1 (aws:RequestedRegion's documentation): an SCP denying every region but
    eu-west-1 denies a member's IAM calls even when the client signs for eu-west-1, and not its SQS calls there."""
    orgs, admin = world["orgs"], world["admin"]
    member = create_member(orgs, "region-bound")
    credentials = assume_access_role(server, admin, member)
    deny = _scp(orgs, "OnlyEuWest1", {"Effect": "Deny", "NotAction": "sts:*", "Resource": "*",
                                      "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}})
    orgs.attach_policy(PolicyId=deny, TargetId=member)
    iam = server.client_for(credentials, "iam", region="eu-west-1")
    assert "explicit deny in a service control policy" in error_of(iam.list_roles)["Message"]
    server.client_for(credentials, "sqs", region="eu-west-1").list_queues()
    orgs.detach_policy(PolicyId=deny, TargetId=member)
    iam.list_roles()


def _drain(sqs, url: str) -> list[str]:
    """The bodies waiting on a queue, deleted as read."""
    bodies = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages"):
        for message in messages:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def test_rcps_bind_aws_service_principals_delivering_to_a_queue(server, world, member):
    """RCPs apply to requests AWS service principals make (Organizations User Guide, RCPs; the data perimeter RCPs
    AWS publishes exempt them with aws:PrincipalIsAWSService and hold them to aws:SourceOrgID instead): an identity
    perimeter RCP on the queue owner's account stops SNS and EventBridge deliveries unless it exempts service
    principals, and the confused deputy statement lets a source of the organization deliver."""
    orgs, admin = world["orgs"], world["admin"]
    org_id = orgs.describe_organization()["Organization"]["Id"]
    _enable_rcps(orgs, world["root"])
    credentials = assume_access_role(server, admin, member)
    sqs, sns, events = (server.client_for(credentials, name) for name in ("sqs", "sns", "events"))
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    rule = events.put_rule(Name="to-queue", EventPattern=json.dumps({"source": ["app.perimeter"]}))["RuleArn"]
    url = sqs.create_queue(QueueName="deliveries")["QueueUrl"]
    queue = f"arn:aws:sqs:us-east-1:{member}:deliveries"
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy_text({
        "Effect": "Allow", "Principal": {"Service": ["sns.amazonaws.com", "events.amazonaws.com"]},
        "Action": "sqs:SendMessage", "Resource": queue, "Condition": {"ArnEquals": {"aws:SourceArn": [topic, rule]}}})})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes={"RawMessageDelivery": "true"})
    events.put_targets(Rule="to-queue", Targets=[{"Id": "q", "Arn": queue}])

    def deliver(tag: str) -> list[str]:
        sns.publish(TopicArn=topic, Message=f"sns {tag}")
        events.put_events(Entries=[{"Source": "app.perimeter", "DetailType": "t", "Detail": json.dumps({"tag": tag})}])
        return sorted("sns" if body.startswith("sns") else "events" for body in _drain(sqs, url))

    assert deliver("before") == ["events", "sns"]
    org_identities = {"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*",
                      "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": org_id}}}
    strict = _rcp(orgs, "OrgIdentitiesOnly", org_identities)
    orgs.attach_policy(PolicyId=strict, TargetId=member)
    assert deliver("denied") == []  # a service principal has no aws:PrincipalOrgID: the Deny applies
    orgs.detach_policy(PolicyId=strict, TargetId=member)
    exempting = {**org_identities, "Condition": {**org_identities["Condition"],
                                                 "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}
    deputy = {"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*", "Condition": {
        "StringNotEqualsIfExists": {"aws:SourceOrgID": org_id}, "Null": {"aws:SourceAccount": "false"},
        "Bool": {"aws:PrincipalIsAWSService": "true"}}}
    perimeter = _rcp(orgs, "IdentityPerimeter", exempting, deputy)
    orgs.attach_policy(PolicyId=perimeter, TargetId=member)
    assert deliver("exempted") == ["events", "sns"]
    orgs.detach_policy(PolicyId=perimeter, TargetId=member)


def test_rcps_bind_cloudtrail_writing_a_member_bucket(server, world, member):
    """CloudTrail writes log files as its service principal (the data perimeter RCP examples name CloudTrail log
    delivery among the service requests they govern): an RCP of the bucket owner denying S3 to principals outside
    the organization fails the next delivery with AccessDenied unless it exempts service principals."""
    orgs, admin = world["orgs"], world["admin"]
    org_id = orgs.describe_organization()["Organization"]["Id"]
    _enable_rcps(orgs, world["root"])
    credentials = assume_access_role(server, admin, member)
    s3, cloudtrail, iam = (server.client_for(credentials, name) for name in ("s3", "cloudtrail", "iam"))
    bucket, trail_arn = f"trail-logs-{member}", f"arn:aws:cloudtrail:us-east-1:{member}:trail/perimeter"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy_text(
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": f"arn:aws:s3:::{bucket}", "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}}},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{member}/*", "Condition": {"StringEquals": {
             "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arn}}}))
    cloudtrail.create_trail(Name="perimeter", S3BucketName=bucket)
    cloudtrail.start_logging(Name="perimeter")

    def delivery_error(user: str) -> str | None:
        iam.create_user(UserName=user)
        cloudtrail.lookup_events(MaxResults=1)  # flushes pending records and deliveries
        return cloudtrail.get_trail_status(Name="perimeter").get("LatestDeliveryError")

    assert delivery_error("before") is None
    org_identities = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                      "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": org_id}}}
    strict = _rcp(orgs, "S3OrgIdentitiesOnly", org_identities)
    orgs.attach_policy(PolicyId=strict, TargetId=member)
    assert delivery_error("denied") == "AccessDenied"
    orgs.detach_policy(PolicyId=strict, TargetId=member)
    exempting = _rcp(orgs, "S3OrgIdentitiesAndServices", {**org_identities, "Condition": {
        **org_identities["Condition"], "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}})
    orgs.attach_policy(PolicyId=exempting, TargetId=member)
    assert delivery_error("exempted") is None
    orgs.detach_policy(PolicyId=exempting, TargetId=member)
    cloudtrail.stop_logging(Name="perimeter")


def test_simulate_principal_policy_includes_the_accounts_scps(server, world, member):
    """The policy simulator evaluates the SCPs of the simulated user's account and reports their effect in each
    result's OrganizationsDecisionDetail; their statements stay out of MatchedStatements, and a simulation an SCP
    denies has no EvalDecisionDetails (IAM API Reference: SimulatePrincipalPolicy, EvaluationResult)."""
    orgs, admin = world["orgs"], world["admin"]
    iam = server.client_for(assume_access_role(server, admin, member), "iam")
    iam.create_user(UserName="operator")
    iam.put_user_policy(UserName="operator", PolicyName="queues", PolicyDocument=policy_text(
        {"Effect": "Allow", "Action": ["sqs:*", "s3:ListAllMyBuckets"], "Resource": "*"}))
    source = f"arn:aws:iam::{member}:user/operator"

    def simulate(*actions: str) -> dict[str, dict]:
        results = iam.simulate_principal_policy(PolicySourceArn=source, ActionNames=list(actions))["EvaluationResults"]
        return {result["EvalActionName"]: result for result in results}

    assert {action: (result["EvalDecision"], result["OrganizationsDecisionDetail"])
            for action, result in simulate("sqs:ListQueues", "sqs:DeleteQueue").items()} == {
        "sqs:ListQueues": ("allowed", {"AllowedByOrganizations": True}),
        "sqs:DeleteQueue": ("allowed", {"AllowedByOrganizations": True})}
    deny = _scp(orgs, "NoQueueDeletion", {"Effect": "Deny", "Action": "sqs:DeleteQueue", "Resource": "*"})
    orgs.attach_policy(PolicyId=deny, TargetId=member)
    allowed, denied = simulate("sqs:ListQueues", "sqs:DeleteQueue").values()
    assert (allowed["EvalDecision"], allowed["OrganizationsDecisionDetail"]) == (
        "allowed", {"AllowedByOrganizations": True})
    assert [m["SourcePolicyId"] for m in allowed["MatchedStatements"]] == ["queues"]
    assert (denied["EvalDecision"], denied["OrganizationsDecisionDetail"], denied["MatchedStatements"]) == (
        "explicitDeny", {"AllowedByOrganizations": False}, [])
    assert "EvalDecisionDetails" not in denied
    # An SCP level that allows only S3 and IAM (FullAWSAccess detached): SQS is implicitly denied by the organization.
    s3_only = _scp(orgs, "S3Only", {"Effect": "Allow", "Action": ["s3:*", "iam:*"], "Resource": "*"})
    orgs.attach_policy(PolicyId=s3_only, TargetId=member)
    orgs.detach_policy(PolicyId="p-FullAWSAccess", TargetId=member)
    try:
        listed, buckets = simulate("sqs:ListQueues", "s3:ListAllMyBuckets").values()
        assert (listed["EvalDecision"], listed["OrganizationsDecisionDetail"]) == (
            "implicitDeny", {"AllowedByOrganizations": False})
        assert (buckets["EvalDecision"], buckets["OrganizationsDecisionDetail"]) == (
            "allowed", {"AllowedByOrganizations": True})
    finally:
        orgs.attach_policy(PolicyId="p-FullAWSAccess", TargetId=member)
        orgs.detach_policy(PolicyId=s3_only, TargetId=member)
        orgs.detach_policy(PolicyId=deny, TargetId=member)
