"""Organizations identifiers and ARNs in AWS's formats."""

from __future__ import annotations

from rootplane.core.ids import random_string

__all__ = [
    "new_organization_id", "new_root_id", "new_ou_id", "new_policy_id", "new_request_id", "new_handshake_id",
    "new_resource_policy_id", "resource_policy_arn",
    "organization_arn", "root_arn", "ou_arn", "account_arn", "policy_arn", "handshake_arn", "MANAGED_POLICY_ARN",
]

MANAGED_POLICY_ARN = "arn:aws:organizations::aws:policy/{type}/{id}"


def new_organization_id() -> str:
    return "o-" + random_string(10)


def new_root_id() -> str:
    return "r-" + random_string(4)


def new_ou_id(root_id: str) -> str:
    return f"ou-{root_id[2:]}-{random_string(8)}"


def new_policy_id() -> str:
    return "p-" + random_string(8)


def new_resource_policy_id() -> str:
    return "rp-" + random_string(8)


def new_request_id() -> str:
    return "car-" + random_string(32)


def new_handshake_id() -> str:
    return "h-" + random_string(32)


def _base(management_account_id: str) -> str:
    return f"arn:aws:organizations::{management_account_id}"


def organization_arn(management_account_id: str, org_id: str) -> str:
    return f"{_base(management_account_id)}:organization/{org_id}"


def root_arn(management_account_id: str, org_id: str, root_id: str) -> str:
    return f"{_base(management_account_id)}:root/{org_id}/{root_id}"


def ou_arn(management_account_id: str, org_id: str, ou_id: str) -> str:
    return f"{_base(management_account_id)}:ou/{org_id}/{ou_id}"


def account_arn(management_account_id: str, org_id: str, account_id: str) -> str:
    return f"{_base(management_account_id)}:account/{org_id}/{account_id}"


def policy_arn(management_account_id: str, org_id: str, policy_type: str, policy_id: str) -> str:
    return f"{_base(management_account_id)}:policy/{org_id}/{policy_type.lower()}/{policy_id}"


def handshake_arn(management_account_id: str, org_id: str, action: str, handshake_id: str) -> str:
    return f"{_base(management_account_id)}:handshake/{org_id}/{action.lower()}/{handshake_id}"


def resource_policy_arn(management_account_id: str, org_id: str, policy_id: str) -> str:
    return f"{_base(management_account_id)}:resourcepolicy/{org_id}/{policy_id}"
