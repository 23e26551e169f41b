"""Root access management (management account or IAM delegated administrator): the two organization features,
every member's root credential status, and the privileged root actions, each through an ``sts:AssumeRoot`` session
exactly as the API does it (so CloudTrail shows the same pair of AssumeRoot events)."""

from __future__ import annotations

from botocore.exceptions import ClientError
from starlette.responses import Response

from rootplane.console.page import Page, View, error_text

__all__ = ["VIEWS"]

TASK = "arn:aws:iam::aws:policy/root-task/"
AUDIT = TASK + "IAMAuditRootUserCredentials"
CREATE_PASSWORD = TASK + "IAMCreateRootUserPassword"
DELETE_CREDENTIALS = TASK + "IAMDeleteRootUserCredentials"
S3_UNLOCK = TASK + "S3UnlockBucketPolicy"
SQS_UNLOCK = TASK + "SQSUnlockQueuePolicy"
CREDENTIALS_FEATURE = "RootCredentialsManagement"
SESSIONS_FEATURE = "RootSessions"
_FEATURE_CALLS = {
    ("enable", CREDENTIALS_FEATURE): "enable_organizations_root_credentials_management",
    ("disable", CREDENTIALS_FEATURE): "disable_organizations_root_credentials_management",
    ("enable", SESSIONS_FEATURE): "enable_organizations_root_sessions",
    ("disable", SESSIONS_FEATURE): "disable_organizations_root_sessions",
}


def _root_session(page: Page, account_id: str, task: str) -> dict[str, str]:
    """Credentials of a privileged root session in a member account (raises the API's error)."""
    sts = page.api("sts")
    return sts.assume_root(TargetPrincipal=account_id, TaskPolicyArn={"arn": task})["Credentials"]


def _missing(error: ClientError) -> bool:
    return error.response["Error"]["Code"] == "NoSuchEntity"


def _credential_status(page: Page, account_id: str) -> dict:
    """Password, access keys, MFA devices and signing certificates of a member's root (Audit session)."""
    try:
        iam = page.api("iam", _root_session(page, account_id, AUDIT))
        try:
            iam.get_login_profile()
            password = True
        except ClientError as error:
            if not _missing(error):
                raise
            password = False
        return {"password": password, "access_keys": len(iam.list_access_keys()["AccessKeyMetadata"]),
                "mfa": len(iam.list_mfa_devices()["MFADevices"]),
                "certificates": len(iam.list_signing_certificates()["Certificates"]), "error": ""}
    except ClientError as error:
        return {"error": error_text(error)}


def _members(page: Page) -> tuple[list[dict], str]:
    organizations = page.api("organizations")
    try:
        management = organizations.describe_organization()["Organization"]["MasterAccountId"]
        accounts = [a for p in organizations.get_paginator("list_accounts").paginate() for a in p["Accounts"]]
    except ClientError as error:
        return [], error_text(error)
    return [a for a in accounts if a["Id"] != management], ""


def root_access(page: Page) -> Response:
    if page.method == "POST":
        return _act(page)
    features, features_error = page.attempt(page.api("iam").list_organizations_features)
    enabled = (features or {}).get("EnabledFeatures", [])
    members, members_error = _members(page) if features else ([], "")
    if CREDENTIALS_FEATURE in enabled:
        for member in members:
            member["root"] = _credential_status(page, member["Id"])
    return page.render("root_access.html", title="Root access management", enabled=enabled,
                       features_error=features_error, members=members, members_error=members_error,
                       credentials_feature=CREDENTIALS_FEATURE, sessions_feature=SESSIONS_FEATURE)


def _delete_root_credentials(iam) -> list[str]:
    """Everything IAMDeleteRootUserCredentials may remove; returns what was removed."""
    removed = []
    try:
        iam.get_login_profile()
        iam.delete_login_profile()
        removed.append("password")
    except ClientError as error:
        if not _missing(error):
            raise
    for key in iam.list_access_keys()["AccessKeyMetadata"]:
        iam.delete_access_key(AccessKeyId=key["AccessKeyId"])
        removed.append(f"access key {key['AccessKeyId']}")
    for certificate in iam.list_signing_certificates()["Certificates"]:
        iam.delete_signing_certificate(CertificateId=certificate["CertificateId"])
        removed.append(f"signing certificate {certificate['CertificateId']}")
    for device in iam.list_mfa_devices()["MFADevices"]:
        iam.deactivate_mfa_device(SerialNumber=device["SerialNumber"])
        removed.append(f"MFA device {device['SerialNumber']}")
    return removed


def _act(page: Page) -> Response:
    form = page.form
    action, account_id = form.get("action", ""), form.get("account", "")
    try:
        if action.startswith(("enable:", "disable:")):
            verb, feature = action.split(":", 1)
            call = _FEATURE_CALLS.get((verb, feature))
            if call is None:
                raise ValueError("Unknown feature.")
            getattr(page.api("iam"), call)()
            message = f"{feature} {verb}d."
        elif action == "delete-credentials":
            removed = _delete_root_credentials(page.api("iam", _root_session(page, account_id, DELETE_CREDENTIALS)))
            message = f"Deleted the root credentials of {account_id}: {', '.join(removed) or 'there were none'}."
        elif action == "allow-recovery":
            page.api("iam", _root_session(page, account_id, CREATE_PASSWORD)).create_login_profile()
            message = f"Password recovery is allowed for the root user of {account_id}."
        elif action == "unlock-bucket":
            bucket = form.get("bucket", "").strip()
            page.api("s3", _root_session(page, account_id, S3_UNLOCK)).delete_bucket_policy(Bucket=bucket)
            message = f"Deleted the bucket policy of {bucket} in {account_id}."
        elif action == "unlock-queue":
            queue_url = form.get("queue_url", "").strip()
            sqs = page.api("sqs", _root_session(page, account_id, SQS_UNLOCK))
            sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": ""})
            message = f"Deleted the queue policy of {queue_url} in {account_id}."
        else:
            raise ValueError("Unknown action.")
        page.flash("success", message)
    except ClientError as error:
        page.flash("error", error_text(error))
    except ValueError as error:
        page.flash("error", str(error))
    return page.redirect("/console/root-access")


VIEWS = [View("/console/root-access", root_access, ("GET", "POST"))]
