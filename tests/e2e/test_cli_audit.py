"""``rootplane seed``, ``audit``, ``remediate`` and the other privileged tasks against a live server.

The organization is the one ``rootplane seed`` builds (members created by the organization: some given a root
login profile, one denied root audits by an SCP, one closed), plus a standalone account that joins by invitation
with a root user that really holds every kind of credential (two access keys, a signing certificate, an MFA
device registered in the console), as in the docs' privileged-task walkthrough.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from console_http import register_member_root_mfa
from harness import error_of, start_server
from orgs_helpers import second_standalone
from rootplane_cli import RootplaneCli
from test_docs_privileged_tasks import CERTIFICATE, _deny_all

MEMBER = "111111111111"
MEMBER_KEY = {"AccessKeyId": "AKIAMEMBERROOTKEY002", "SecretAccessKey": "AKIAMEMBERROOTKEY002"}
BOOT_KEY = {"AccessKeyId": "test", "SecretAccessKey": "test"}
SEEDED = 5
BUCKET, QUEUE = "cli-locked-bucket", "cli-locked-queue"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def server():
    running = start_server(args=("--max-accounts-per-organization", "20"))
    yield running
    running.close()


@pytest.fixture(scope="module")
def seeded_org(server) -> dict:
    """The seeded organization and a member root holding every kind of credential, saved as a snapshot."""
    second_standalone(server, MEMBER, MEMBER_KEY["AccessKeyId"])
    seeded = RootplaneCli(server, BOOT_KEY).run("seed", "--accounts", str(SEEDED))
    assert seeded.returncode == 0, seeded.stderr
    exported = re.search(r"AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+)", seeded.stdout)
    summary = seeded.stdout.splitlines()[0]
    scp_denied = re.search(r"SCP-denied: (\d{12})", summary).group(1)
    closed = re.search(r"closed: (\d{12})", summary).group(1)

    orgs = server.client("organizations")
    handshake = orgs.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": MEMBER})["Handshake"]
    server.client_for(MEMBER_KEY, "organizations").accept_handshake(HandshakeId=handshake["Id"])
    iam = server.client_for(MEMBER_KEY, "iam")
    second_key = iam.create_access_key()["AccessKey"]["AccessKeyId"]
    certificate = iam.upload_signing_certificate(CertificateBody=CERTIFICATE)["Certificate"]["CertificateId"]
    operator = {"AccessKeyId": exported.group(1), "SecretAccessKey": exported.group(2)}
    serial = register_member_root_mfa(server, operator, MEMBER, f"root-{MEMBER}@example.com").serial
    s3, sqs = server.client_for(MEMBER_KEY, "s3"), server.client_for(MEMBER_KEY, "sqs")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=_deny_all(f"arn:aws:s3:::{BUCKET}", "s3:*"))
    queue_url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={
        "Policy": _deny_all(f"arn:aws:sqs:us-east-1:{MEMBER}:{QUEUE}", "sqs:*")})

    accounts = {a["Id"]: a for page in orgs.get_paginator("list_accounts").paginate() for a in page["Accounts"]}
    seeded_ids = [account_id for account_id, a in accounts.items() if a["Name"].startswith("member-")]
    assert len(seeded_ids) == SEEDED
    with_password = {account_id for account_id in seeded_ids if int(accounts[account_id]["Name"][-4:]) % 3 == 1}
    server.snapshot("cli-audit")
    return {"operator": operator,
            "seeded": seeded_ids, "with_password": with_password, "scp_denied": scp_denied, "closed": closed,
            "keys": [MEMBER_KEY["AccessKeyId"], second_key],  # oldest first, as ListAccessKeys lists them
            "certificate": certificate, "serial": serial,
            "queue_url": queue_url, "names": {account_id: a["Name"] for account_id, a in accounts.items()}}


@pytest.fixture
def org(server, seeded_org) -> dict:
    """Each test starts from the seeded organization (whatever another test remediated or unlocked)."""
    server.restore("cli-audit")
    return seeded_org


@pytest.fixture(scope="module")
def cli(server, seeded_org) -> RootplaneCli:
    return RootplaneCli(server, seeded_org["operator"])


def _by_account(report: list[dict]) -> dict[str, dict]:
    return {entry["AccountId"]: entry for entry in report}


def test_audit_json_reports_exactly_the_seeded_credentials(cli, org):
    status, report = cli.json("audit", "--output", "json")
    assert status == 1  # findings
    found = _by_account(report)
    assert set(found) == set(org["seeded"]) | {MEMBER}  # members only: never the management account
    member = found[MEMBER]
    assert member["AccountName"] == org["names"][MEMBER] and "Error" not in member
    assert member["RootPassword"] is None
    assert [key["AccessKeyId"] for key in member["RootAccessKeys"]] == org["keys"]
    assert all(key["Status"] == "Active" for key in member["RootAccessKeys"])
    used = {key["AccessKeyId"]: key for key in member["RootAccessKeys"]}[MEMBER_KEY["AccessKeyId"]]
    assert used["LastUsedDate"] and used["LastUsedService"] in ("iam", "organizations", "s3", "sqs")
    assert [device["SerialNumber"] for device in member["MfaDevices"]] == [org["serial"]]
    assert [cert["CertificateId"] for cert in member["SigningCertificates"]] == [org["certificate"]]
    for account_id in org["seeded"]:
        entry = found[account_id]
        assert (entry["RootAccessKeys"], entry["MfaDevices"], entry["SigningCertificates"]) == ([], [], [])
        if account_id in (org["scp_denied"], org["closed"]):
            continue
        assert "Error" not in entry, entry
        if account_id in org["with_password"]:
            assert set(entry["RootPassword"]) == {"CreateDate", "PasswordLastUsed"}
            assert entry["RootPassword"]["PasswordLastUsed"] is None
        else:
            assert entry["RootPassword"] is None


def test_accounts_that_cannot_be_audited_are_reported_not_fatal(cli, org):
    status, report = cli.json("audit", "--output", "json", "--account", org["scp_denied"], "--account",
                              org["closed"])
    assert status == 2  # no findings among them, but they could not be audited
    found = _by_account(report)
    denied = found[org["scp_denied"]]["Error"]
    assert denied.startswith("ListAccessKeys: AccessDenied: ")
    assert denied.endswith("with an explicit deny in a service control policy")
    state = cli.server.client("organizations").describe_account(AccountId=org["closed"])["Account"]["State"]
    assert state != "ACTIVE"
    assert found[org["closed"]]["Error"] == f"account is {state}: its root user cannot be audited"
    assert found[org["closed"]]["RootPassword"] is None


def test_audit_csv_and_table(cli, org):
    result = cli.run("audit", "--output", "csv", "--account", MEMBER)
    assert result.returncode == 1 and result.stderr == ""  # no progress bar when stderr is not a terminal
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(row["AccountId"], row["RootPassword"], row["RootAccessKeys"].split(";"), row["MfaDevices"],
             row["SigningCertificates"]) for row in rows] == [
        (MEMBER, "no", org["keys"], org["serial"], org["certificate"])]
    table = cli.run("audit", "--account", MEMBER).stdout
    assert "RootCredentialsManagement on, RootSessions on" in table
    assert MEMBER in table and org["keys"][0] in table and "findings" in table
    assert "\x1b[" not in table  # no colour codes when the output is not a terminal


def test_usage_and_access_errors_exit_2(server, cli):
    result = cli.run("audit", "--output", "xml")
    assert result.returncode == 2 and "Invalid value for '--output'" in result.stderr
    bad = RootplaneCli(server, {"AccessKeyId": "AKIANOSUCHKEY0000000", "SecretAccessKey": "x"}).run("audit")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.strip() == ("Error: cannot list the organization's accounts: DescribeOrganization: "
                                  "InvalidClientTokenId: The security token included in the request is invalid.") \
        or bad.stderr.startswith("Error: cannot read the root access features: ListOrganizationsFeatures: "
                                 "InvalidClientTokenId")
    profile = cli.run("audit", "--profile", "no-such-profile")
    assert profile.returncode == 2
    assert profile.stderr.strip() == "Error: The config profile (no-such-profile) could not be found"
    unknown = cli.run("audit", "--account", "999999999999")
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == "Error: not member accounts of this organization: 999999999999"


def test_html_report_renders_in_chromium(cli, org, tmp_path):
    report = tmp_path / "report.html"
    result = cli.run("audit", "--output", "html", "--output-file", str(report))
    assert result.returncode == 1 and result.stdout == ""
    html = report.read_text()
    assert not re.search(r"<script|<link|\bsrc=|\bhref=|@import|url\(", html)  # self-contained
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed but CI must render the HTML report (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}"]
        dom = subprocess.run([*base, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120)
        shot = tmp_path / "report.png"
        subprocess.run([*base, f"--screenshot={shot}", "--window-size=1280,900", report.as_uri()],
                       capture_output=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert 'id="summary-chart"' in dom.stdout and dom.stdout.count("<rect") == 6
    assert dom.stdout.count("<tr>") == SEEDED + 2  # header and one row per member account
    assert MEMBER in dom.stdout and org["serial"] in dom.stdout
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def _credentials(report: list[dict]) -> list[dict]:
    return [{key: value for key, value in entry.items() if key != "Error"} for entry in report]


def test_remediate_dry_run_changes_nothing_and_yes_removes(server, cli, org):
    _, before = cli.json("audit", "--output", "json")
    dry = cli.run("remediate")
    assert dry.returncode == 2  # the SCP-denied and closed accounts fail
    lines = dry.stdout.splitlines()
    assert lines[0] == "Dry run: nothing is changed. Run again with --yes to act."
    label = f"{MEMBER} ({org['names'][MEMBER]})"
    member_lines = [line for line in lines if line.startswith(label)]
    assert member_lines == [f"{label}: would delete root access key {org['keys'][0]}",
                            f"{label}: would delete root access key {org['keys'][1]}",
                            f"{label}: would delete signing certificate {org['certificate']}",
                            f"{label}: would deactivate MFA device {org['serial']}"]
    for account_id in org["with_password"]:
        assert f"{account_id} ({org['names'][account_id]}): would delete the root password (login profile)" in lines
    assert any(line.startswith(f"{org['scp_denied']} (") and ": FAILED: " in line for line in lines)
    # (the closed account may move from PENDING_CLOSURE to SUSPENDED meanwhile: compare credentials only)
    assert _credentials(cli.json("audit", "--output", "json")[1]) == _credentials(before)

    done = cli.run("remediate", "--yes")
    assert done.returncode == 2, done.stderr
    assert f"{label}: deleted root access key {org['keys'][0]}" in done.stdout
    assert f"{label}: deactivated MFA device {org['serial']}" in done.stdout
    status, after = cli.json("audit", "--output", "json")
    assert status == 2  # no findings left; two accounts still cannot be audited
    assert all(entry["RootPassword"] is None and not entry["RootAccessKeys"] and not entry["MfaDevices"]
               and not entry["SigningCertificates"] for entry in after)
    assert error_of(server.client_for(MEMBER_KEY, "sts").get_caller_identity)[0] == "InvalidClientTokenId"
    trail = server.client_for(cli.credentials, "cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "AssumeRoot"}])["Events"]
    tasks = [json.loads(e["CloudTrailEvent"])["requestParameters"]["taskPolicyArn"]["arn"] for e in trail]
    assert "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials" in tasks


def test_remediate_named_account_only(cli, org):
    target = sorted(org["with_password"] - {org["scp_denied"], org["closed"]})[0]
    cleared = cli.run("remediate", "--yes")  # every root credential gone (but the SCP-denied and closed accounts')
    assert cleared.stdout.endswith("; 2 account(s) failed.\n"), cleared.stdout
    assert cli.run("allow-recovery", target).stdout.strip() == (
        f"{target}: created the root login profile; the root user may now recover its password")
    done = cli.run("remediate", "--account", target, "--yes")
    assert done.returncode == 0, done.stdout
    assert done.stdout.splitlines() == [
        f"{target} ({org['names'][target]}): deleted the root password (login profile)",
        "1 root credential(s) removed in 1 account(s); 0 account(s) failed."]
    assert cli.json("audit", "--output", "json", "--account", target) == (0, [
        {"AccountId": target, "AccountName": org["names"][target], "RootPassword": None, "RootAccessKeys": [],
         "MfaDevices": [], "SigningCertificates": []}])


def test_unlock_bucket_and_queue(server, cli, org):
    assert cli.run("unlock-bucket", MEMBER, BUCKET).stdout.strip() == f"{MEMBER}: deleted the bucket policy of {BUCKET}"
    assert cli.run("unlock-queue", MEMBER, org["queue_url"]).stdout.strip() == \
        f"{MEMBER}: removed the queue policy of {org['queue_url']}"
    admin = server.client_for(org["operator"], "sts")  # the operator may only AssumeRoot: check via a root session
    credentials = admin.assume_root(TargetPrincipal=MEMBER, TaskPolicyArn={
        "arn": "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"})["Credentials"]
    assert error_of(server.client_for(credentials, "s3").get_bucket_policy, Bucket=BUCKET)[0] == "NoSuchBucketPolicy"
    refused = cli.run("unlock-bucket", MEMBER, "no-such-bucket-here")
    assert refused.returncode == 2
    assert refused.stderr.startswith("Error: DeleteBucketPolicy: NoSuchBucket: ")
