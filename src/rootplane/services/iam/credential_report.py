"""Credential reports: a CSV of every user's credentials with the ``<root_account>`` row first."""

from __future__ import annotations

import csv
import datetime as _dt
import io
from typing import Any

from rootplane.core.arn import root_arn
from rootplane.core.errors import AwsError
from rootplane.services.accounts import repo as accounts
from rootplane.services.accounts.tables import AccessKeyRow
from rootplane.services.context import RequestContext
from rootplane.services.iam import passwords, repo
from rootplane.services.iam.tables import LoginProfileRow, SigningCertificateRow, UserRow

__all__ = ["CredentialReportMixin", "COLUMNS"]

COLUMNS = (
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
    "password_next_rotation", "mfa_active",
    "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date", "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
)
REPORT_LIFETIME = _dt.timedelta(hours=4)


def _time(value: _dt.datetime | None, missing: str = "N/A") -> str:
    """ISO 8601 in UTC to the second with a ``+00:00`` offset (``2014-10-01T14:46:46+00:00``), as published AWS
    reports write every date of the CSV (the root row recorded in aws-captures/root_sessions.json shows ``Z``)."""
    if value is None:
        return missing
    return value.astimezone(_dt.timezone.utc).replace(microsecond=0).isoformat()


def _key_cells(keys: list[AccessKeyRow]) -> list[str]:
    cells: list[str] = []
    for index in range(2):
        key = keys[index] if index < len(keys) else None
        if key is None:
            cells += ["false", "N/A", "N/A", "N/A", "N/A"]
        else:
            cells += [str(key.status == "Active").lower(), _time(key.created_at), _time(key.last_used_at),
                      key.last_used_region or "N/A", key.last_used_service or "N/A"]
    return cells


def _cert_cells(certificates: list[SigningCertificateRow]) -> list[str]:
    cells: list[str] = []
    for index in range(2):
        cert = certificates[index] if index < len(certificates) else None
        cells += ["false", "N/A"] if cert is None else [str(cert.status == "Active").lower(), _time(cert.uploaded_at)]
    return cells


def _password_cells(user: UserRow, profile: LoginProfileRow | None, policy: dict[str, Any] | None) -> list[str]:
    """password_enabled, password_last_used, password_last_changed, password_next_rotation of an IAM user."""
    if profile is None:
        return ["false", "N/A", "N/A", "N/A"]
    return ["true", _time(user.password_last_used, "no_information"), _time(profile.password_changed_at),
            _time(passwords.expires_at(profile.password_changed_at, policy))]


def build_report(ctx: RequestContext) -> bytes:
    """The CSV: one query per credential kind for the whole account, grouped by owner in memory."""
    session, account_id = ctx.session, ctx.account_id
    account = accounts.find_account(session, account_id)
    policy = repo.password_policy(session, account_id)
    mfa_owners = repo.owners_with_mfa(session, account_id)
    certificates: dict[str, list[SigningCertificateRow]] = {}
    for cert in repo.certificates_of_account(session, account_id):
        certificates.setdefault(cert.owner_id, []).append(cert)
    keys: dict[str | None, list[AccessKeyRow]] = {}
    for key in repo.access_keys_of_account(session, account_id):
        keys.setdefault(key.user_name, []).append(key)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    has_password = bool(account is not None and account.root_password_hash)
    writer.writerow([  # the recorded root row reports the root password like a user's (true/false, last change)
        "<root_account>", root_arn(account_id), _time(account.created_at if account else None),
        str(has_password).lower(), _time(account.root_last_used_at if account else None, "no_information"),
        _time(account.root_password_changed_at if account else None), "not_supported",
        str(account_id in mfa_owners).lower(), *_key_cells(keys.get(None, [])),
        *_cert_cells(certificates.get(account_id, [])),
    ])
    users = repo.list_all_users(session, account_id)
    profiles = repo.login_profiles_of(session, [user.user_id for user in users])
    for user in users:
        writer.writerow([
            user.user_name, user.arn, _time(user.created_at), *_password_cells(user, profiles.get(user.user_id), policy),
            str(user.user_id in mfa_owners).lower(), *_key_cells(keys.get(user.user_name, [])),
            *_cert_cells(certificates.get(user.user_id, [])),
        ])
    return out.getvalue().encode()


class CredentialReportMixin:
    def generate_credential_report(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        settings = repo.settings(ctx.session, ctx.account_id)
        fresh = settings.report_generated_at is not None and ctx.now() - settings.report_generated_at < REPORT_LIFETIME
        if fresh:
            return {"State": "COMPLETE"}
        settings.report_content, settings.report_generated_at = build_report(ctx), ctx.now()
        return {"State": "STARTED", "Description": "No report exists. Starting a new report generation task"}

    def get_credential_report(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        settings = repo.find_settings(ctx.session, ctx.account_id)
        if settings is None or settings.report_generated_at is None or settings.report_content is None:
            raise AwsError("ReportNotPresent", "", 410)  # AWS sends no message: the CLI prints "...operation: Unknown"
        # The latest report, however old: GenerateCredentialReport replaces it once it is 4 hours old, and clients
        # judge its age by GeneratedTime (Cloud Custodian reads an old report, then asks for a new one).
        return {"Content": settings.report_content, "ReportFormat": "text/csv",
                "GeneratedTime": settings.report_generated_at.replace(microsecond=0)}
