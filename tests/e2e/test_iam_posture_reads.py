"""The IAM reads root-posture audits rely on (Prowler, ScoutSuite, Cloud Custodian), compared with AWS's documented
answers: the credential report's errors and value formats (IAM User Guide, "Getting credential reports").

The module's server is its own: the first test runs before any report exists."""

from __future__ import annotations

import csv
import io
import re

import pytest
from botocore.exceptions import ClientError

from test_iam_credentials import CERT

DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")
DATE_COLUMNS = ("user_creation_time", "password_last_used", "password_last_changed", "password_next_rotation",
                "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_2_last_rotated",
                "access_key_2_last_used_date", "cert_1_last_rotated", "cert_2_last_rotated")


def _report(iam) -> dict[str, dict[str, str]]:
    iam.generate_credential_report()
    content = iam.get_credential_report()["Content"].decode()
    return {row["user"]: row for row in csv.DictReader(io.StringIO(content))}


def test_no_report_yet_is_a_410_without_a_message(server):
    """AWS's ReportNotPresent has no <Message>: the AWS CLI prints "...GetCredentialReport operation: Unknown"."""
    with pytest.raises(ClientError) as excinfo:
        server.client("iam").get_credential_report()
    error = excinfo.value.response["Error"]
    assert (error["Code"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]) == ("ReportNotPresent", 410)
    assert "Message" not in error and str(excinfo.value).endswith("GetCredentialReport operation: Unknown")


def test_credential_report_dates_are_iso_8601_with_a_utc_offset(server, unique):
    """Every date of the CSV reads like ``2014-10-01T14:46:46+00:00``; the other cells are the documented words."""
    iam = server.client("iam")
    name = f"posture-{unique}"
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password="Posture-pass-123!")
    key = iam.create_access_key(UserName=name)["AccessKey"]
    server.client_for(key, "sts").get_caller_identity()
    iam.create_access_key(UserName=name)
    iam.upload_signing_certificate(UserName=name, CertificateBody=CERT)
    iam.update_account_password_policy(MaxPasswordAge=90)
    try:
        rows = _report(iam)
    finally:
        iam.delete_account_password_policy()
    user, root = rows[name], rows["<root_account>"]
    words = {"password_last_used": "no_information", "access_key_2_last_used_date": "N/A", "cert_2_last_rotated": "N/A"}
    for column in DATE_COLUMNS:
        assert DATE.fullmatch(user[column]) or user[column] == words.get(column), (column, user[column])
        assert DATE.fullmatch(root[column]) or root[column] in ("N/A", "no_information", "not_supported"), \
            (column, root[column])
