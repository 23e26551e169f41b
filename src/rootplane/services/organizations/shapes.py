"""Rows → botocore output shapes (Organization, Root, OrganizationalUnit, Account, PolicySummary, ...)."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from rootplane.services.accounts.tables import AccountRow
from rootplane.services.organizations import names
from rootplane.services.organizations.managed import managed_policy
from rootplane.services.organizations.org_views import Member, OrganizationView
from rootplane.services.organizations.tables import (
    CreateAccountRequestRow, HandshakeRow, MembershipRow, OrganizationRow, OrganizationalUnitRow, PolicyRow,
)

__all__ = [
    "organization_shape", "root_shape", "ou_shape", "account_shape", "account_states", "policy_summary",
    "policy_shape", "request_shape", "handshake_shape", "POST_CLOSURE_PERIOD",
]

POST_CLOSURE_PERIOD = _dt.timedelta(days=90)


def organization_shape(org: OrganizationRow | OrganizationView, management_email: str) -> dict[str, Any]:
    mgmt = org.management_account_id
    available = [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}] if org.feature_set == "ALL" else []
    return {
        "Id": org.id, "Arn": names.organization_arn(mgmt, org.id), "FeatureSet": org.feature_set,
        "MasterAccountArn": names.account_arn(mgmt, org.id, mgmt), "MasterAccountId": mgmt,
        "MasterAccountEmail": management_email, "AvailablePolicyTypes": available,
    }


def root_shape(org: OrganizationRow | OrganizationView) -> dict[str, Any]:
    return {
        "Id": org.root_id, "Arn": names.root_arn(org.management_account_id, org.id, org.root_id), "Name": "Root",
        "PolicyTypes": [{"Type": t, "Status": "ENABLED"} for t in org.enabled_types()],
    }


def ou_shape(org: OrganizationRow, ou: OrganizationalUnitRow) -> dict[str, Any]:
    return {"Id": ou.id, "Arn": names.ou_arn(org.management_account_id, org.id, ou.id), "Name": ou.name,
            "Path": f"{org.id}/{ou.path}"}


def account_states(account: AccountRow | Member, now: _dt.datetime) -> tuple[str, str]:
    """(Status, State): a closed account is PENDING_CLOSURE until ``closed_at``, then SUSPENDED, CLOSED after 90 days."""
    if account.status == "ACTIVE" or account.closed_at is None:
        return account.status, account.status
    if now < account.closed_at:
        return "PENDING_CLOSURE", "PENDING_CLOSURE"
    return "SUSPENDED", "CLOSED" if now >= account.closed_at + POST_CLOSURE_PERIOD else "SUSPENDED"


def account_shape(org: OrganizationRow | OrganizationView, membership: MembershipRow | Member,
                  account: AccountRow | Member, now: _dt.datetime) -> dict[str, Any]:
    status, state = account_states(account, now)
    return {
        "Id": account.account_id, "Arn": names.account_arn(org.management_account_id, org.id, account.account_id),
        "Email": account.email, "Name": account.name, "Status": status, "State": state,
        "Paths": [f"{org.id}/{membership.path}{account.account_id}/"],
        "JoinedMethod": membership.joined_method, "JoinedTimestamp": membership.joined_at,
    }


def policy_summary(org: OrganizationRow, policy: PolicyRow) -> dict[str, Any]:
    return {
        "Id": policy.id, "Arn": names.policy_arn(org.management_account_id, org.id, policy.type, policy.id),
        "Name": policy.name, "Description": policy.description, "Type": policy.type, "AwsManaged": False,
    }


def policy_shape(org: OrganizationRow, policy_id: str, row: PolicyRow | None) -> dict[str, Any]:
    """DescribePolicy's ``Policy`` for a customer row or an AWS-managed id."""
    if row is not None:
        return {"PolicySummary": policy_summary(org, row), "Content": row.content}
    record = managed_policy(policy_id)
    assert record is not None
    return {"PolicySummary": dict(record["PolicySummary"]), "Content": record["Content"]}


def request_shape(request: CreateAccountRequestRow, now: _dt.datetime) -> dict[str, Any]:
    shape: dict[str, Any] = {"Id": request.id, "AccountName": request.account_name,
                             "RequestedTimestamp": request.requested_at}
    if now < request.completes_at:
        shape["State"] = "IN_PROGRESS"
        return shape
    shape["State"] = request.state
    shape["CompletedTimestamp"] = request.completes_at
    if request.state == "SUCCEEDED":
        shape["AccountId"] = request.account_id
    else:
        shape["FailureReason"] = request.failure_reason
    return shape


def handshake_shape(org: OrganizationRow, handshake: HandshakeRow, management_email: str, management_name: str,
                    now: _dt.datetime) -> dict[str, Any]:
    state = handshake.state
    if state in ("OPEN", "REQUESTED") and now >= handshake.expires_at:
        state = "EXPIRED"
    organization: dict[str, Any] = {"Value": org.id, "Type": "ORGANIZATION"}
    parties = [{"Id": org.id, "Type": "ORGANIZATION"}]
    resources: list[dict[str, Any]] = [organization]
    if handshake.target_type != "ORGANIZATION":  # the organization's own all-features request names it once
        organization["Resources"] = [
            {"Value": management_email, "Type": "MASTER_EMAIL"},
            {"Value": management_name, "Type": "MASTER_NAME"},
            {"Value": org.feature_set, "Type": "ORGANIZATION_FEATURE_SET"},
        ]
        parties.append({"Id": handshake.target_id, "Type": handshake.target_type})
        resources.append({"Value": handshake.target_id, "Type": handshake.target_type})
    if handshake.notes:
        resources.append({"Value": handshake.notes, "Type": "NOTES"})
    if handshake.parent_id:
        resources.append({"Value": handshake.parent_id, "Type": "PARENT_HANDSHAKE"})
    return {
        "Id": handshake.id,
        "Arn": names.handshake_arn(org.management_account_id, org.id, handshake.action, handshake.id),
        "Parties": parties,
        "State": state, "RequestedTimestamp": handshake.requested_at, "ExpirationTimestamp": handshake.expires_at,
        "Action": handshake.action, "Resources": resources,
    }
