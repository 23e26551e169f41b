"""The AWS SDK for JavaScript v3 works against rootplane unchanged (Node.js; packages pinned in tests/js)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parents[1] / "js"


@pytest.fixture(scope="module")
def node_modules() -> Path:
    """Install the pinned SDK packages once, and again when one is added (npm's cache makes reruns fast)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js is not installed")
    packages = json.loads((JS / "package.json").read_text())["dependencies"]
    if not all((JS / "node_modules" / name).exists() for name in packages):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=JS, check=True,
                       capture_output=True, timeout=600)
    return JS / "node_modules"


def test_every_service_through_the_javascript_sdk(server, node_modules):
    """Every served service (SNS delivery to SQS included), each answer checked for its value in smoke.mjs."""
    result = subprocess.run(["node", str(JS / "smoke.mjs"), server.endpoint], cwd=JS, capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    checks = (JS / "smoke.mjs").read_text().count('check("')
    assert checks >= 30 and result.stdout.count("OK  ") == checks and "FAIL" not in result.stdout, result.stdout


def test_aws_endpoint_url_alone_points_the_javascript_sdk_at_rootplane(server, node_modules):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=server.endpoint, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_REGION="us-east-1")
    result = subprocess.run(["node", str(JS / "endpoint_env.mjs")], cwd=JS, capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "arn:aws:iam::000000000000:root"
