"""An organization set up the way AWS documents centralized root access, for the root-access e2e tests.

Management account = the bootstrap account (its root creates the organization); an IAM admin user there makes
the AssumeRoot calls (root credentials may not); member accounts are reached through
``OrganizationAccountAccessRole`` as AWS's CreateAccount sets it up.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass


from harness import BOOT_ACCOUNT, Server

IAM_PRINCIPAL = "iam.amazonaws.com"
TASK_PREFIX = "arn:aws:iam::aws:policy/root-task/"
AUDIT = TASK_PREFIX + "IAMAuditRootUserCredentials"
CREATE_PASSWORD = TASK_PREFIX + "IAMCreateRootUserPassword"
DELETE_CREDENTIALS = TASK_PREFIX + "IAMDeleteRootUserCredentials"
S3_UNLOCK = TASK_PREFIX + "S3UnlockBucketPolicy"
SQS_UNLOCK = TASK_PREFIX + "SQSUnlockQueuePolicy"
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"


@dataclass
class OrgWorld:
    """The management account's clients plus helpers to create members and identities."""

    server: Server
    management: str = BOOT_ACCOUNT
    organization_id: str = ""

    def root(self, service: str):
        """A client signed by the management account's root user (bootstrap key)."""
        return self.server.client(service)

    def user(self, name: str, policy: dict | None = None, managed: str | None = None, client=None) -> dict:
        """An IAM user (in the account of ``client``, default the management account) and its access key."""
        iam = client or self.root("iam")
        iam.create_user(UserName=name, Path="/org-access/")
        if policy is not None:
            iam.put_user_policy(UserName=name, PolicyName="Permissions", PolicyDocument=json.dumps(policy))
        if managed is not None:
            iam.attach_user_policy(UserName=name, PolicyArn=managed)
        return iam.create_access_key(UserName=name)["AccessKey"]

    def create_organization(self, feature_set: str = "ALL") -> str:
        self.organization_id = self.root("organizations").create_organization(FeatureSet=feature_set)[
            "Organization"]["Id"]
        return self.organization_id

    def create_account(self, name: str) -> str:
        orgs = self.root("organizations")
        status = orgs.create_account(Email=f"{name}-{uuid.uuid4().hex[:6]}@example.com", AccountName=name)[
            "CreateAccountStatus"]
        deadline = time.monotonic() + 10
        while status["State"] == "IN_PROGRESS" and time.monotonic() < deadline:
            time.sleep(0.05)
            status = orgs.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
        assert status["State"] == "SUCCEEDED", status
        return status["AccountId"]

    def trust_iam(self, enabled: bool = True) -> None:
        orgs = self.root("organizations")
        if enabled:
            orgs.enable_aws_service_access(ServicePrincipal=IAM_PRINCIPAL)
        else:
            orgs.disable_aws_service_access(ServicePrincipal=IAM_PRINCIPAL)

    def delegate(self, account_id: str, registered: bool = True) -> None:
        orgs = self.root("organizations")
        if registered:
            orgs.register_delegated_administrator(AccountId=account_id, ServicePrincipal=IAM_PRINCIPAL)
        else:
            orgs.deregister_delegated_administrator(AccountId=account_id, ServicePrincipal=IAM_PRINCIPAL)

    def member_admin(self, admin_key: dict, account_id: str, session_name: str = "root-access-tests") -> dict:
        """Credentials of ``OrganizationAccountAccessRole`` in a member account, assumed by ``admin_key``."""
        sts = self.server.client_for(admin_key, "sts")
        return sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole",
                               RoleSessionName=session_name)["Credentials"]

    def assume_root(self, credentials: dict, target: str, task: str, **kwargs) -> dict:
        sts = self.server.client_for(credentials, "sts")
        return sts.assume_root(TargetPrincipal=target, TaskPolicyArn={"arn": task}, **kwargs)["Credentials"]
