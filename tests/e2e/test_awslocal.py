"""``awslocal`` (PyPI awscli-local, LocalStack's wrapper of the AWS CLI) works against rootplane unchanged.

awslocal points the AWS CLI at ``LOCALSTACK_HOST`` (default ``localhost:4566``, rootplane's default port) and uses
``test``/``test`` when no credentials are set: rootplane's bootstrap root key.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from localstack_client import config as localstack_config

from rootplane.core.config import ServerConfig

BIN = Path(sys.executable).parent


def _awslocal(server, *args: str) -> dict:
    """Run awslocal with only LOCALSTACK_HOST naming the server (no credentials, region or endpoint given)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LOCALSTACK_"))}
    env.update(LOCALSTACK_HOST=f"127.0.0.1:{server.port}", PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_PAGER="")
    result = subprocess.run([shutil.which("awslocal", path=str(BIN)) or "awslocal", *args, "--output", "json"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else {}


def test_awslocal_default_endpoint_is_rootplanes_default_port():
    endpoint = localstack_config.get_service_endpoints()["iam"]
    assert endpoint in ("http://localhost:4566", "http://localhost.localstack.cloud:4566")
    assert ServerConfig().port == 4566


def test_awslocal_drives_the_bootstrap_account(server, unique):
    identity = _awslocal(server, "sts", "get-caller-identity")
    assert (identity["Account"], identity["Arn"]) == ("000000000000", "arn:aws:iam::000000000000:root")
    user = _awslocal(server, "iam", "create-user", "--user-name", f"local-{unique}")["User"]
    assert user["Arn"] == f"arn:aws:iam::000000000000:user/local-{unique}"
    _awslocal(server, "s3api", "create-bucket", "--bucket", f"local-{unique}")
    names = [bucket["Name"] for bucket in _awslocal(server, "s3api", "list-buckets")["Buckets"]]
    assert f"local-{unique}" in names
    queue = _awslocal(server, "sqs", "create-queue", "--queue-name", f"local-{unique}")["QueueUrl"]
    assert queue.endswith(f"/000000000000/local-{unique}")
    topic = _awslocal(server, "sns", "create-topic", "--name", f"local-{unique}")["TopicArn"]
    assert topic == f"arn:aws:sns:us-east-1:000000000000:local-{unique}"
