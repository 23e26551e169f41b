"""Third-party audit tools, stock and pinned (tests/e2e/tool_venvs.py), run against a seeded organization
(tests/e2e/audit_seed.py): their root and IAM findings must match the state. docs/audit-tools.md records what each
reported. The tools install from PyPI on first use (from the lock files in audit_tools/locks/, cached in ~/.cache/rootplane/tool-venvs); without an
index they skip, except in CI, where they must run. One module, so ``--dist loadfile`` runs them all in one worker."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path

import pytest

from audit_seed import ADMIN_POLICY, seed_audited_organization, tool_environment
from cis_chain import root_usage_chain
from console_http import RECOVERED_PASSWORD, recover_root_password, register_root_mfa
from harness import start_server
from tool_venvs import ToolUnavailable, tool_venv

pytestmark = pytest.mark.audit_tools  # `-m "not audit_tools"` leaves them out of a quick local run

TOOL_TIMEOUT = 900  # seconds: a tool that hangs fails the test instead of the whole run
REPORT_LIFETIME = 4 * 3600 + 60  # seconds: AWS reuses a credential report younger than 4 hours
ROOT_EMAIL = "root@example.com"  # the bootstrap root's (rootplane serve --root-email's default)


def _bin(tool: str) -> Path:
    try:
        return tool_venv(tool)
    except ToolUnavailable as unavailable:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} must install in CI: {unavailable}")
        pytest.skip(f"{tool} cannot be installed here (no package index?): {unavailable}")


def _state(server, operation: str) -> None:
    """Save (``snapshot``) or bring back (``restore``) the seeded state under the name ``seeded``."""
    request = urllib.request.Request(f"{server.endpoint}/_rootplane/{operation}?name=seeded", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200


@pytest.fixture(scope="module")
def seeded_server():
    """A server of its own, seeded with the audited organization once and snapshotted."""
    running = start_server(args=("--time-travel",))
    seeded = seed_audited_organization(running)
    _state(running, "snapshot")
    yield running, seeded
    running.close()


@pytest.fixture
def audited(seeded_server):
    """The seeded state, restored before each test (tests switch root MFA on)."""
    _state(seeded_server[0], "restore")
    return seeded_server


class Tool:
    """One tool's venv and environment; ``run`` executes one of its commands in a scratch directory."""

    def __init__(self, name: str, server, workdir: Path) -> None:
        self.bin = _bin(name)
        self.workdir = workdir
        (workdir / "home").mkdir(exist_ok=True)
        self.env = tool_environment(server, str(workdir / "home"), str(self.bin))

    def run(self, *args: str, ok_codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        result = subprocess.run([str(self.bin / args[0]), *args[1:]], cwd=self.workdir, env=self.env,
                                capture_output=True, text=True, timeout=TOOL_TIMEOUT)
        assert result.returncode in ok_codes, (args, result.returncode, result.stdout[-3000:], result.stderr[-3000:])
        return result


def test_principalmapper_finds_the_admins_and_their_missing_mfa(audited, tmp_path):
    server, _ = audited
    pmapper = Tool("principalmapper", server, tmp_path)
    graph = pmapper.run("pmapper", "graph", "create", "--include-services", "IAM", "STS").stdout
    assert "# of Nodes:              3 (2 admins)" in graph  # console-alice, ci-bot (*:*), cross-account-admin
    findings = json.loads(pmapper.run("pmapper", "analysis", "--output-type", "json").stdout)
    titles = {finding["title"]: finding for finding in findings["findings"]}
    assert "* user/ci-bot" in titles["IAM Users With Administrative Permissions But No MFA Device"]["description"]
    assert "Administrative IAM User Can Call Sensitive Actions Without MFA" in titles
    who = pmapper.run("pmapper", "query", "who can do iam:CreateUser with *").stdout
    authorized = {line.split(" IS authorized")[0] for line in who.splitlines() if " IS authorized" in line}
    assert authorized == {"user/ci-bot", "role/cross-account-admin"}


def test_cloudsplaining_flags_the_wildcard_policy(audited, tmp_path):
    server, _ = audited
    cloudsplaining = Tool("cloudsplaining", server, tmp_path)
    cloudsplaining.run("cloudsplaining", "download", "--output", str(tmp_path))
    details = json.loads((tmp_path / "default.json").read_text())
    assert {user["UserName"] for user in details["UserDetailList"]} == {"console-alice", "ci-bot"}
    (tmp_path / "report").mkdir()
    cloudsplaining.run("cloudsplaining", "scan", "--input-file", str(tmp_path / "default.json"),
                       "--output", str(tmp_path / "report"), "--skip-open-report")
    results = json.loads((tmp_path / "report" / "iam-results-default.json").read_text())
    policies = {policy["PolicyName"]: policy for policy in results["customer_managed_policies"].values()}
    escalation = {finding["type"] for finding in policies[ADMIN_POLICY]["PrivilegeEscalation"]["findings"]}
    assert {"CreateAccessKey", "AttachUserPolicy", "CreateNewPolicyVersion"} <= escalation
    assert policies[ADMIN_POLICY]["AttachedTo"]["users"] == ["ci-bot"]
    inline = {policy["PolicyName"]: policy for policy in results["inline_policies"].values()}
    assert inline["inline-s3"]["ServiceWildcard"]["findings"] == ["s3"]


CUSTODIAN_POLICIES = Path(__file__).parent / "audit_tools" / "custodian.yml"


def _custodian_counts(custodian: Tool, output: str) -> dict[str, list[dict]]:
    custodian.run("custodian", "run", "--cache-period", "0", "--output-dir", output, str(CUSTODIAN_POLICIES))
    return {folder.name: json.loads((folder / "resources.json").read_text())
            for folder in (custodian.workdir / output).iterdir() if (folder / "resources.json").exists()}


def test_cloud_custodian_policies_match_the_state(audited, tmp_path):
    server, seeded = audited
    custodian = Tool("custodian", server, tmp_path)
    found = _custodian_counts(custodian, "before")
    counts = {name: len(resources) for name, resources in found.items()}
    assert counts == {"root-without-mfa": 1, "root-with-active-access-key": 1, "account-mfa-not-enabled": 1,
                      "weak-password-policy": 1, "no-multi-region-trail-logging": 0, "allow-all-policies": 1,
                      "tagged-risky-policies": 1, "organization-accounts": 2, "users-with-console-and-no-mfa": 1}
    assert found["allow-all-policies"][0]["Arn"] == seeded["admin_policy_arn"]
    assert found["tagged-risky-policies"][0]["Tags"] == [{"Key": "risk", "Value": "high"}]  # Tagging API
    assert {account["Id"] for account in found["organization-accounts"]} == {seeded["account_id"], seeded["member_id"]}
    assert found["users-with-console-and-no-mfa"][0]["UserName"] == "console-alice"

    _enable_root_mfa(server)
    after = _custodian_counts(custodian, "after")
    assert (len(after["root-without-mfa"]), len(after["account-mfa-not-enabled"])) == (0, 0)


def _enable_root_mfa(server) -> None:
    """The root user's virtual MFA device, registered in the console after a password recovery (the root had no
    password); idempotent: the module's tools share the server."""
    iam = server.client("iam")
    if iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"]:
        return
    recover_root_password(server, ROOT_EMAIL, RECOVERED_PASSWORD)
    register_root_mfa(server, ROOT_EMAIL, RECOVERED_PASSWORD)
    assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 1
    server.advance_clock(REPORT_LIFETIME)  # AWS builds a new credential report once the last is 4 hours old
    assert iam.generate_credential_report()["State"] == "STARTED"  # (Custodian reuses a report up to a day old)


PROWLER_SERVICES = ("iam", "organizations", "account", "cloudtrail")


def _prowler(prowler: Tool, name: str, *selection: str) -> dict[tuple[str, str], str]:
    """(check id, resource ARN) -> PASS | FAIL | MANUAL from one Prowler run's JSON-OCSF output."""
    prowler.run("prowler", "aws", *selection, "--region", "us-east-1", "--output-formats", "json-ocsf",
                "--output-directory", str(prowler.workdir), "--output-filename", name, "--no-banner",
                ok_codes=(0, 3))  # 3: some check failed
    findings = json.loads((prowler.workdir / f"{name}.ocsf.json").read_text())
    return {(finding["metadata"]["event_code"], finding["resources"][0]["uid"]): finding["status_code"]
            for finding in findings}


def test_prowler_root_and_iam_checks_match_the_state(audited, tmp_path):
    server, seeded = audited
    prowler = Tool("prowler", server, tmp_path)
    found = _prowler(prowler, "before", "--service", *PROWLER_SERVICES)
    account = seeded["account_id"]
    root, iam = f"arn:aws:iam::{account}:root", f"arn:aws:iam::{account}"
    expected = {
        ("iam_root_mfa_enabled", root): "FAIL",
        ("iam_root_hardware_mfa_enabled", f"{iam}:mfa"): "FAIL",
        ("iam_no_root_access_key", root): "FAIL",  # the bootstrap key the tools sign with
        ("iam_root_credentials_management_enabled", root): "FAIL",
        ("iam_password_policy_minimum_length_14", f"arn:aws:iam:us-east-1:{account}:password-policy"): "FAIL",
        ("iam_user_mfa_enabled_console_access", f"{iam}:user/console-alice"): "FAIL",
        ("iam_user_mfa_enabled_console_access", f"{iam}:user/ci-bot"): "PASS",  # no password
        ("iam_customer_attached_policy_no_administrative_privileges", seeded["admin_policy_arn"]): "FAIL",
        ("iam_role_administratoraccess_policy", f"{iam}:role/cross-account-admin"): "FAIL",
        ("iam_support_role_created", "arn:aws:iam::aws:policy/AWSSupportAccess"): "FAIL",
        ("organizations_account_part_of_organizations", seeded["organization_arn"]): "PASS",
        ("cloudtrail_multi_region_enabled", seeded["trail_arn"]): "PASS",
        ("cloudtrail_log_file_validation_enabled", seeded["trail_arn"]): "PASS",
        ("cloudtrail_kms_encryption_enabled", seeded["trail_arn"]): "FAIL",
    }
    assert {key: found.get(key) for key in expected} == expected
    assert {check.split("_")[0] for check, _ in found} == set(PROWLER_SERVICES)

    _enable_root_mfa(server)
    after = _prowler(prowler, "after", "--check", "iam_root_mfa_enabled", "iam_root_hardware_mfa_enabled")
    assert after == {("iam_root_mfa_enabled", root): "PASS",
                     ("iam_root_hardware_mfa_enabled", f"{iam}:mfa"): "FAIL"}  # a virtual device


ROOT_USAGE_CHECK = "cloudwatch_log_metric_filter_root_usage"


def test_prowler_root_usage_check_passes_on_the_cis_chain(audited, tmp_path):
    """Without a metric filter and alarm on a trail's log group the CIS root-usage check fails; with the chain of
    tests/e2e/cis_chain.py (trail -> log group -> metric filter -> alarm -> SNS) it passes."""
    server, seeded = audited
    prowler = Tool("prowler", server, tmp_path)
    account = seeded["account_id"]
    before = _prowler(prowler, "before", "--check", ROOT_USAGE_CHECK)  # (MANUAL if a listing had failed)
    assert before == {(ROOT_USAGE_CHECK, f"arn:aws:logs:us-east-1:{account}:log-group"): "FAIL"}

    chain = root_usage_chain(server.client, account, "prowler")  # the log group's ARN as DescribeLogGroups gives it
    after = _prowler(prowler, "after", "--check", ROOT_USAGE_CHECK)
    assert after == {(ROOT_USAGE_CHECK, f"arn:aws:logs:us-east-1:{account}:log-group:{chain.group}:*"): "PASS"}


def _scoutsuite(scout: Tool, name: str) -> dict:
    """The services part of one ScoutSuite run's results (``--services iam cloudtrail``, every enabled region)."""
    report = scout.workdir / name
    scout.run("scout", "aws", "--services", "iam", "cloudtrail", "--no-browser", "--report-dir", str(report))
    results = report / "scoutsuite-results"
    text = next(results.glob("scoutsuite_results_aws-*.js")).read_text()
    for exceptions in results.glob("scoutsuite_exceptions_aws-*.js"):
        assert json.loads(exceptions.read_text().split("=", 1)[1]) == {}  # no API call failed
    return json.loads(text[text.index("{"):])["services"]


def _flagged(service: dict) -> dict[str, int]:
    return {finding: details["flagged_items"] for finding, details in service["findings"].items()}


def test_scoutsuite_iam_and_cloudtrail_findings_match_the_state(audited, tmp_path):
    server, seeded = audited
    scout = Tool("scoutsuite", server, tmp_path)
    services = _scoutsuite(scout, "before")
    iam, cloudtrail = _flagged(services["iam"]), _flagged(services["cloudtrail"])
    assert {finding: iam[finding] for finding in (
        "iam-root-account-no-mfa", "iam-root-account-no-hardware-mfa", "iam-root-account-with-active-keys",
        "iam-password-policy-minimum-length", "iam-user-without-mfa", "iam-managed-policy-allows-full-privileges",
        "iam-assume-role-lacks-external-id-and-mfa")} == {
        "iam-root-account-no-mfa": 1, "iam-root-account-no-hardware-mfa": 1, "iam-root-account-with-active-keys": 1,
        "iam-password-policy-minimum-length": 1, "iam-user-without-mfa": 1,  # console-alice
        "iam-managed-policy-allows-full-privileges": 2,  # AdministratorAccess and the seeded *:* policy
        "iam-assume-role-lacks-external-id-and-mfa": 1}  # cross-account-admin
    regions = services["cloudtrail"]["regions"]
    assert len(regions) == 17  # the enabled regions, from EC2 DescribeRegions
    assert all(region["trails_count"] == 1 for region in regions.values())  # the multi-region trail
    assert {finding: cloudtrail[finding] for finding in (
        "cloudtrail-not-configured", "cloudtrail-no-logging", "cloudtrail-no-log-file-validation",
        "cloudtrail-no-global-services-logging", "cloudtrail-no-encryption-with-kms")} == {
        "cloudtrail-not-configured": 0, "cloudtrail-no-logging": 0, "cloudtrail-no-log-file-validation": 0,
        "cloudtrail-no-global-services-logging": 0, "cloudtrail-no-encryption-with-kms": 1}

    _enable_root_mfa(server)
    after = _flagged(_scoutsuite(scout, "after")["iam"])
    assert (after["iam-root-account-no-mfa"], after["iam-root-account-no-hardware-mfa"]) == (0, 1)
