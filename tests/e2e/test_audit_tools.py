"""Third-party audit tools, stock and pinned (tests/e2e/tool_venvs.py), run against a seeded organization
(tests/e2e/audit_seed.py): their root and IAM findings must match the state. docs/audit-tools.md records what each
reported. The tools install from PyPI on first use (cached under .tools-venvs/); without an index they skip, except
in CI, where they must run. One module, so ``--dist loadfile`` runs them all in one worker."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from audit_seed import ADMIN_POLICY, seed_audited_organization, tool_environment
from docs_cli import enable_root_mfa_in_console
from harness import start_server
from tool_venvs import ToolUnavailable, tool_venv

TOOL_TIMEOUT = 900  # seconds: a tool that hangs fails the test instead of the whole run


def _bin(tool: str) -> Path:
    try:
        return tool_venv(tool)
    except ToolUnavailable as unavailable:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} must install in CI: {unavailable}")
        pytest.skip(f"{tool} cannot be installed here (no package index?): {unavailable}")


@pytest.fixture(scope="module")
def audited():
    """A server of its own (root MFA is switched on mid-module) seeded with the audited organization."""
    running = start_server()
    seeded = seed_audited_organization(running)
    yield running, seeded
    running.close()


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
