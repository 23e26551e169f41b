"""Delete member root users' credentials through ``IAMDeleteRootUserCredentials`` sessions.

AWS's documented order: the login profile (root password), access keys, signing certificates, then MFA
deactivation. A dry run reads through an ``IAMAuditRootUserCredentials`` session and only says what it would do.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from botocore.exceptions import BotoCoreError, ClientError

from rootplane.tools.audit import AUDIT_TASK, AccountAudit, read_root_credentials
from rootplane.tools.aws import Connection, describe_error
from rootplane.tools.organization import Account

__all__ = ["Action", "Remediation", "plan", "remediate_accounts"]

DELETE_TASK = "IAMDeleteRootUserCredentials"


@dataclass(frozen=True)
class Action:
    """One deletion: its verb ("delete", "deactivate"), what it removes, and the IAM call that does it."""

    verb: str
    what: str
    run: Callable[[Any], None]

    @property
    def planned(self) -> str:
        return f"would {self.verb} {self.what}"

    @property
    def done(self) -> str:
        return f"{self.verb}d {self.what}"


@dataclass
class Remediation:
    """What was (or would be) done in one account."""

    account: Account
    actions: list[Action] = field(default_factory=list)
    error: str | None = None


def plan(found: AccountAudit) -> list[Action]:
    """The deletions ``found`` calls for, in AWS's documented order."""
    actions = []
    if found.root_password is not None:
        actions.append(Action("delete", "the root password (login profile)", lambda iam: iam.delete_login_profile()))
    for key in found.access_keys:
        key_id = key["AccessKeyId"]
        actions.append(Action("delete", f"root access key {key_id}",
                              lambda iam, key_id=key_id: iam.delete_access_key(AccessKeyId=key_id)))
    for certificate in found.signing_certificates:
        certificate_id = certificate["CertificateId"]
        actions.append(Action("delete", f"signing certificate {certificate_id}",
                              lambda iam, c=certificate_id: iam.delete_signing_certificate(CertificateId=c)))
    for device in found.mfa_devices:
        serial = device["SerialNumber"]
        actions.append(Action("deactivate", f"MFA device {serial}",
                              lambda iam, serial=serial: iam.deactivate_mfa_device(SerialNumber=serial)))
    return actions


def _remediate(connection: Connection, account: Account, act: bool) -> Remediation:
    outcome = Remediation(account)
    if account.status != "ACTIVE":
        outcome.error = f"account is {account.status}: its root user cannot be remediated"
        return outcome
    try:
        with connection.as_root(account.id, DELETE_TASK if act else AUDIT_TASK) as root:
            actions = plan(read_root_credentials(root, AccountAudit(account.id, account.name)))
            for action in actions:
                if act:
                    action.run(root.client("iam"))
                outcome.actions.append(action)
    except (ClientError, BotoCoreError) as error:
        outcome.error = describe_error(error)
    return outcome


def remediate_accounts(connection: Connection, accounts: list[Account], act: bool,
                       on_done: Callable[[Remediation], None] = lambda outcome: None) -> list[Remediation]:
    """Remediate (or, with ``act`` False, plan) every account concurrently; ``on_done`` sees each as it ends."""
    with ThreadPoolExecutor(max_workers=max(1, connection.max_workers)) as pool:
        outcomes = list(pool.map(lambda account: _remediate(connection, account, act), accounts))
    for outcome in outcomes:
        on_done(outcome)
    return outcomes
