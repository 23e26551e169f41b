"""A demo organization: N member accounts whose root users are in a mix of states, for demos and benchmarks.

Run as the management account's root user (rootplane's bootstrap key ``test``/``test`` by default). Everything
goes through public APIs, in AWS's documented order: the organization (all features), trusted access for IAM and
both root access features, an operator IAM user allowed ``sts:AssumeRoot`` (root credentials may not call it),
then the members. Accounts an organization creates start without root credentials; the ones with credentials
here get a root login profile through an ``IAMCreateRootUserPassword`` session, the only root credential AWS lets
an organization give a member's root user (access keys, MFA and certificates need the root user itself).
One member is denied root audits by an SCP and one is closed, so reports show accounts that cannot be audited.
"""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from botocore.exceptions import ClientError

from rootplane.tools.aws import Connection, error_code

__all__ = ["SeedResult", "seed_organization", "OPERATOR", "OPERATOR_POLICY"]

OPERATOR = "rootplane-operator"
#: What the audit, remediation, simulation and policy commands need from the management account.
OPERATOR_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "RootTasks", "Effect": "Allow", "Action": "sts:AssumeRoot", "Resource": "arn:aws:iam::*:root"},
    {"Sid": "ReadOrganization", "Effect": "Allow", "Resource": "*", "Action": [
        "organizations:Describe*", "organizations:List*", "iam:ListOrganizationsFeatures",
        "iam:SimulatePrincipalPolicy", "iam:SimulateCustomPolicy", "iam:GetContextKeysFor*",
        "cloudtrail:LookupEvents"]},
]}
DENY_AUDIT_SCP = {"Version": "2012-10-17", "Statement": [
    {"Sid": "NoRootAudit", "Effect": "Deny", "Action": "iam:ListAccessKeys", "Resource": "*"}]}
_CREATE_PASSWORD = "IAMCreateRootUserPassword"


@dataclass
class SeedResult:
    """What the seed made."""

    organization_id: str = ""
    operator_key: dict[str, str] = field(default_factory=dict)
    accounts: list[str] = field(default_factory=list)
    with_password: list[str] = field(default_factory=list)
    scp_denied: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)


def _tolerate(call: Callable[..., Any], *codes: str, **kwargs: Any) -> Any:
    """Run an idempotent set-up call; an error saying it is already done is fine."""
    try:
        return call(**kwargs)
    except ClientError as error:
        if error_code(error) not in codes:
            raise
        return None


def _organization(connection: Connection) -> str:
    organizations = connection.client("organizations")
    _tolerate(organizations.create_organization, "AlreadyInOrganizationException", FeatureSet="ALL")
    organization = organizations.describe_organization()["Organization"]
    organizations.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    iam = connection.client("iam")
    iam.enable_organizations_root_credentials_management()
    iam.enable_organizations_root_sessions()
    return organization["Id"]


def _operator_key(connection: Connection) -> dict[str, str]:
    iam = connection.client("iam")
    _tolerate(iam.create_user, "EntityAlreadyExists", UserName=OPERATOR)
    iam.put_user_policy(UserName=OPERATOR, PolicyName="RootAccessOperator", PolicyDocument=json.dumps(OPERATOR_POLICY))
    for old in iam.list_access_keys(UserName=OPERATOR)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=OPERATOR, AccessKeyId=old["AccessKeyId"])
    key = iam.create_access_key(UserName=OPERATOR)["AccessKey"]
    return {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}


def _wait_usable(connection: Connection, timeout: float = 15.0) -> None:
    """A new access key takes AWS a few seconds to be usable everywhere."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection.client("sts").get_caller_identity()
            return
        except ClientError as error:
            if error_code(error) != "InvalidClientTokenId" or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _request_account(connection: Connection, index: int) -> str:
    """CreateAccount (asynchronous in AWS): the request id to follow."""
    return connection.client("organizations").create_account(
        Email=f"member-{index:04d}-{uuid.uuid4().hex[:6]}@example.com", AccountName=f"member-{index:04d}",
    )["CreateAccountStatus"]["Id"]


def _await_account(connection: Connection, request_id: str, timeout: float = 300.0) -> str:
    """The new account's id once its creation SUCCEEDED."""
    organizations = connection.client("organizations")
    deadline = time.monotonic() + timeout
    while True:
        status = organizations.describe_create_account_status(CreateAccountRequestId=request_id)[
            "CreateAccountStatus"]
        if status["State"] != "IN_PROGRESS" or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    if status["State"] != "SUCCEEDED":
        raise RuntimeError(f"account {status.get('AccountName', request_id)}: "
                           f"{status.get('FailureReason', status['State'])}")
    return status["AccountId"]


def _give_password(operator: Connection, account_id: str) -> None:
    with operator.as_root(account_id, _CREATE_PASSWORD) as root:
        _tolerate(root.client("iam").create_login_profile, "EntityAlreadyExists")


def _deny_audit(connection: Connection, account_id: str) -> None:
    organizations = connection.client("organizations")
    root_id = organizations.list_roots()["Roots"][0]["Id"]
    _tolerate(organizations.enable_policy_type, "PolicyTypeAlreadyEnabledException", RootId=root_id,
              PolicyType="SERVICE_CONTROL_POLICY")
    policy = organizations.create_policy(Name=f"deny-root-audit-{account_id}", Type="SERVICE_CONTROL_POLICY",
                                         Description="Demo: root audits of this account are denied",
                                         Content=json.dumps(DENY_AUDIT_SCP))["Policy"]["PolicySummary"]
    organizations.attach_policy(PolicyId=policy["Id"], TargetId=account_id)


def seed_organization(connection: Connection, count: int, password_every: int = 3,
                      progress: Callable[[str], None] = lambda message: None) -> SeedResult:
    """Build the organization with ``count`` members: every ``password_every``-th gets a root login profile."""
    result = SeedResult(organization_id=_organization(connection))
    progress(f"organization {result.organization_id}: trusted access for IAM and both root access features on")
    result.operator_key = _operator_key(connection)
    operator = Connection(connection.endpoint_url, connection.region, credentials=result.operator_key,
                          max_workers=connection.max_workers)
    _wait_usable(operator)
    progress(f"operator IAM user {OPERATOR} allowed sts:AssumeRoot")
    with ThreadPoolExecutor(max_workers=max(1, connection.max_workers)) as pool:
        requests = list(pool.map(lambda index: _request_account(connection, index), range(1, count + 1)))
        result.accounts = list(pool.map(lambda request_id: _await_account(connection, request_id), requests))
        progress(f"{count} member accounts created")
        result.with_password = result.accounts[::password_every] if password_every > 0 else []
        list(pool.map(lambda account_id: _give_password(operator, account_id), result.with_password))
    progress(f"{len(result.with_password)} root users given a login profile")
    others = [account_id for account_id in result.accounts if account_id not in set(result.with_password)]
    if len(others) >= 2:
        result.scp_denied = [others[-2]]
        _deny_audit(connection, others[-2])
        result.closed = [others[-1]]
        connection.client("organizations").close_account(AccountId=others[-1])
        progress(f"account {others[-2]} denies root audits (SCP); account {others[-1]} closed")
    return result
