"""Helpers shared by the Organizations/Account e2e tests: errors, account creation, a second standalone account."""

from __future__ import annotations

import json
import time
import uuid

from botocore.exceptions import ClientError

from harness import Server, start_server

__all__ = ["error_of", "create_member", "all_features_organization", "admin_key", "assume_access_role", "policy_text", "second_standalone"]

def policy_text(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def error_of(call, *args, **kwargs) -> dict:
    """Run a boto3 call expected to fail; returns the parsed error plus ``Status``."""
    try:
        call(*args, **kwargs)
    except ClientError as error:
        return {**error.response["Error"], **{k: v for k, v in error.response.items() if k not in ("Error", "ResponseMetadata")},
                "Status": error.response["ResponseMetadata"]["HTTPStatusCode"]}
    raise AssertionError(f"{getattr(call, '__name__', call)} succeeded, an error was expected")


def create_member(orgs, name: str) -> str:
    """CreateAccount and wait (about a second) for SUCCEEDED; returns the new account id."""
    status = orgs.create_account(Email=f"{name}-{uuid.uuid4().hex[:8]}@example.com", AccountName=name)[
        "CreateAccountStatus"]
    assert status["State"] == "IN_PROGRESS"
    deadline = time.monotonic() + 10
    while status["State"] == "IN_PROGRESS" and time.monotonic() < deadline:
        time.sleep(0.2)
        status = orgs.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED", status
    return status["AccountId"]


def all_features_organization(server: Server, prefix: str, members: int) -> dict:
    """CreateOrganization (all features) and ``members`` new member accounts: {"id", "members", "admin"} (an admin
    key of the management account)."""
    orgs = server.client("organizations")
    created = orgs.create_organization(FeatureSet="ALL")["Organization"]
    return {"id": created["Id"], "members": [create_member(orgs, f"{prefix}-{n}") for n in range(members)],
            "admin": admin_key(server)}


def admin_key(server: Server, name: str = "org-admin") -> dict:
    """An IAM user with AdministratorAccess in the calling (management) account; roots may not assume roles."""
    iam = server.client("iam")
    try:
        iam.create_user(UserName=name)
        iam.attach_user_policy(UserName=name, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    except ClientError as error:
        if error.response["Error"]["Code"] != "EntityAlreadyExists":
            raise
    return iam.create_access_key(UserName=name)["AccessKey"]


def assume_access_role(server: Server, admin: dict, account_id: str, session_name: str = "e2e",
                       role: str = "OrganizationAccountAccessRole") -> dict:
    """Credentials of OrganizationAccountAccessRole (or ``role``) in a member, assumed by a management-account admin."""
    sts = server.client_for(admin, "sts")
    deadline = time.monotonic() + 5
    while True:
        try:
            return sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{role}",
                                   RoleSessionName=session_name)["Credentials"]
        except ClientError as error:
            # a brand-new access key may take the credential cache a moment to see
            if error.response["Error"]["Code"] != "InvalidClientTokenId" or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def second_standalone(server: Server, account_id: str, key: str) -> None:
    """Restart ``server`` once with another bootstrap identity so the store holds a second standalone account
    whose root owns access key ``key`` (secret ``key``), then restart it back. ``key`` must be a real access key id
    (16+ word characters): a shorter one would be only an alias, known while the server runs with that identity."""
    server.stop()
    other = start_server(data_dir=server.data_dir, port=server.port, args=(
        "--time-travel", "--bootstrap-account-id", account_id, "--root-email", f"root-{account_id}@example.com",
        "--bootstrap-access-key", key, "--bootstrap-secret-key", key))
    other.stop()
    server.restart()
