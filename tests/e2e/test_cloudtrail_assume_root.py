"""The AssumeRoot pair: AssumeRoot in the management account, the root session's calls (type Root) in the member."""

from __future__ import annotations

import json
import re
import time

AUDIT_TASK = {"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}


def _member_with_root_sessions(server) -> str:
    organizations = server.client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    status = organizations.create_account(Email="member@example.com", AccountName="member")["CreateAccountStatus"]
    for _ in range(50):
        status = organizations.describe_create_account_status(CreateAccountRequestId=status["Id"])[
            "CreateAccountStatus"]
        if status["State"] != "IN_PROGRESS":
            break
        time.sleep(0.1)
    member = status["AccountId"]
    organizations.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    iam = server.client("iam")
    iam.enable_organizations_root_credentials_management()
    iam.enable_organizations_root_sessions()
    return member


def test_assume_root_pair_is_recorded_in_both_accounts(server):
    member = _member_with_root_sessions(server)
    iam = server.client("iam")
    iam.create_user(UserName="admin")
    iam.attach_user_policy(UserName="admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    admin = iam.create_access_key(UserName="admin")["AccessKey"]
    result = server.client_for(admin, "sts").assume_root(TargetPrincipal=member, TaskPolicyArn=AUDIT_TASK)
    credentials = result["Credentials"]
    server.client_for(credentials, "iam").list_mfa_devices()

    management = server.client_for(admin, "cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "AssumeRoot"}])["Events"]
    assert len(management) == 1
    caller_record = json.loads(management[0]["CloudTrailEvent"])
    assert caller_record["recipientAccountId"] == "000000000000"
    assert caller_record["userIdentity"]["type"] == "IAMUser" and caller_record["userIdentity"]["userName"] == "admin"
    assert caller_record["requestParameters"]["targetPrincipal"] == member
    assert caller_record["responseElements"]["credentials"]["accessKeyId"] == credentials["AccessKeyId"]
    # The record's credentials have AWS's members (the documented AssumeRoot record): the token hidden, as every
    # credential secret (docs/SECURITY.md), the secret key absent, the expiration in CloudTrail's date style.
    shown = caller_record["responseElements"]["credentials"]
    assert (set(shown), shown["sessionToken"]) == ({"accessKeyId", "sessionToken", "expiration"},
                                                   "HIDDEN_DUE_TO_SECURITY_REASONS")
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d:\d\d [AP]M", shown["expiration"])
    assert credentials["SessionToken"] not in management[0]["CloudTrailEvent"]
    assert credentials["SecretAccessKey"] not in management[0]["CloudTrailEvent"]

    access_role = f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
    member_admin = server.client_for(admin, "sts").assume_role(RoleArn=access_role, RoleSessionName="audit")
    member_trail = server.client_for(member_admin["Credentials"], "cloudtrail")
    copies = member_trail.lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "AssumeRoot"}])["Events"]
    assert len(copies) == 1
    copy = json.loads(copies[0]["CloudTrailEvent"])
    assert copy["recipientAccountId"] == member
    assert copy["sharedEventID"] == caller_record["sharedEventID"] and copy["eventID"] != caller_record["eventID"]

    session_calls = member_trail.lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ListMFADevices"}])["Events"]
    assert len(session_calls) == 1
    record = json.loads(session_calls[0]["CloudTrailEvent"])
    identity = record["userIdentity"]
    assert identity["type"] == "Root" and identity["accountId"] == member
    assert identity["arn"] == f"arn:aws:iam::{member}:root"
    assert identity["accessKeyId"] == credentials["AccessKeyId"]
    assert identity["sessionContext"]["assumedRoot"] == "true"
    assert session_calls[0]["Username"] == "root"
