"""Audit each member account's root user through ``IAMAuditRootUserCredentials`` sessions, concurrently."""

from __future__ import annotations

import datetime as _dt
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from botocore.exceptions import BotoCoreError, ClientError

from rootplane.tools.aws import Connection, RootSession, describe_error, error_code
from rootplane.tools.organization import Account

__all__ = ["AccountAudit", "audit_account", "audit_accounts"]

AUDIT_TASK = "IAMAuditRootUserCredentials"


def _iso(value: Any) -> str | None:
    return value.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(value, _dt.datetime) \
        else value


@dataclass
class AccountAudit:
    """What one member account's root user holds (``error`` set when the account could not be audited)."""

    account_id: str
    account_name: str
    root_password: dict[str, Any] | None = None
    access_keys: list[dict[str, Any]] = field(default_factory=list)
    mfa_devices: list[dict[str, Any]] = field(default_factory=list)
    signing_certificates: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    @property
    def findings(self) -> int:
        """Root credentials present (MFA devices count: they are root credentials AWS's remediation removes)."""
        return (self.root_password is not None) + len(self.access_keys) + len(self.mfa_devices) \
            + len(self.signing_certificates)

    def as_json(self) -> dict[str, Any]:
        document = {"AccountId": self.account_id, "AccountName": self.account_name,
                    "RootPassword": self.root_password, "RootAccessKeys": self.access_keys,
                    "MfaDevices": self.mfa_devices, "SigningCertificates": self.signing_certificates}
        if self.error is not None:
            document["Error"] = self.error
        return document


def _login_profile(iam: Any) -> dict[str, Any] | None:
    try:
        profile = iam.get_login_profile()["LoginProfile"]
    except ClientError as error:
        if error_code(error) == "NoSuchEntity":
            return None
        raise
    password = {"CreateDate": _iso(profile.get("CreateDate")), "PasswordLastUsed": None}
    password["PasswordLastUsed"] = _iso(iam.get_user()["User"].get("PasswordLastUsed"))
    return password


def _access_keys(iam: Any) -> list[dict[str, Any]]:
    keys = []
    for key in iam.list_access_keys()["AccessKeyMetadata"]:
        used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"]).get("AccessKeyLastUsed", {})
        keys.append({"AccessKeyId": key["AccessKeyId"], "Status": key["Status"],
                     "CreateDate": _iso(key.get("CreateDate")), "LastUsedDate": _iso(used.get("LastUsedDate")),
                     "LastUsedService": used.get("ServiceName") if used.get("LastUsedDate") else None})
    return keys


def _mfa_devices(iam: Any) -> list[dict[str, Any]]:
    return [{"SerialNumber": device["SerialNumber"], "EnableDate": _iso(device.get("EnableDate"))}
            for device in iam.list_mfa_devices()["MFADevices"]]


def _signing_certificates(iam: Any) -> list[dict[str, Any]]:
    return [{"CertificateId": certificate["CertificateId"], "Status": certificate["Status"],
             "UploadDate": _iso(certificate.get("UploadDate"))}
            for certificate in iam.list_signing_certificates()["Certificates"]]


def read_root_credentials(root: RootSession, result: AccountAudit) -> AccountAudit:
    """Fill ``result`` from an audit (or delete) session's read calls."""
    iam = root.client("iam")
    result.root_password = _login_profile(iam)
    result.access_keys = _access_keys(iam)
    result.mfa_devices = _mfa_devices(iam)
    result.signing_certificates = _signing_certificates(iam)
    return result


def audit_account(connection: Connection, account: Account) -> AccountAudit:
    """Audit one account; AWS's refusal (closed account, SCP deny, feature off) becomes ``error``, not a crash."""
    result = AccountAudit(account.id, account.name)
    if account.status != "ACTIVE":
        result.error = f"account is {account.status}: its root user cannot be audited"
        return result
    try:
        with connection.as_root(account.id, AUDIT_TASK) as root:
            return read_root_credentials(root, result)
    except (ClientError, BotoCoreError) as error:
        result.error = describe_error(error)
    return result


def audit_accounts(connection: Connection, accounts: Iterable[Account],
                   on_done: Callable[[AccountAudit], None] = lambda result: None) -> list[AccountAudit]:
    """Audit accounts on ``connection.max_workers`` threads; results in the accounts' order."""
    accounts = list(accounts)
    results: dict[str, AccountAudit] = {}
    with ThreadPoolExecutor(max_workers=max(1, connection.max_workers)) as pool:
        futures = [pool.submit(audit_account, connection, account) for account in accounts]
        for future in as_completed(futures):
            result = future.result()
            results[result.account_id] = result
            on_done(result)
    return [results[account.id] for account in accounts]
