"""The organization as its management account (or IAM's delegated administrator) sees it."""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from rootplane.tools.aws import AwsProblem, Connection, describe_error

__all__ = ["Account", "member_accounts", "root_access_features", "FEATURES"]

#: IAM's two centralized root access features (ListOrganizationsFeatures' EnabledFeatures values).
FEATURES = ("RootCredentialsManagement", "RootSessions")


@dataclass(frozen=True)
class Account:
    """A member account as ListAccounts describes it (``status``: its State, e.g. ACTIVE, PENDING_CLOSURE)."""

    id: str
    name: str
    status: str = "ACTIVE"


def member_accounts(connection: Connection, only: tuple[str, ...] = ()) -> list[Account]:
    """Every member account except the management account (AssumeRoot cannot target it), page by page."""
    organizations = connection.client("organizations")
    try:
        management = organizations.describe_organization()["Organization"]["MasterAccountId"]
        accounts = [Account(item["Id"], item.get("Name", ""), item.get("State") or item.get("Status", "ACTIVE"))
                    for page in organizations.get_paginator("list_accounts").paginate()
                    for item in page["Accounts"] if item["Id"] != management]
    except (ClientError, BotoCoreError) as error:
        raise AwsProblem(f"cannot list the organization's accounts: {describe_error(error)}") from error
    if not only:
        return accounts
    known = {account.id: account for account in accounts}
    missing = [account_id for account_id in only if account_id not in known]
    if missing:
        raise AwsProblem(f"not member accounts of this organization: {', '.join(missing)}")
    return [known[account_id] for account_id in dict.fromkeys(only)]


def root_access_features(connection: Connection) -> dict[str, bool]:
    """Whether each centralized root access feature is on (all off when IAM has no trusted access)."""
    try:
        enabled = connection.client("iam").list_organizations_features().get("EnabledFeatures", [])
    except ClientError as error:
        if error.response["Error"]["Code"] in ("ServiceAccessNotEnabledException", "OrganizationNotFoundException",
                                               "OrganizationNotInAllFeaturesModeException"):
            return dict.fromkeys(FEATURES, False)
        raise AwsProblem(f"cannot read the root access features: {describe_error(error)}") from error
    except BotoCoreError as error:
        raise AwsProblem(f"cannot read the root access features: {describe_error(error)}") from error
    return {feature: feature in enabled for feature in FEATURES}
