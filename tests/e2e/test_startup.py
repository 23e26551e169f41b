"""Starting the server: the port serves at once, early requests are answered by the real pipeline, a store that
cannot be opened ends the process with status 1."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import boto3
from botocore.config import Config

from harness import free_port


def _serve(tmp_path, *args: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [sys.executable, "-m", "rootplane.cli", "serve", "--port", str(port), "--data-dir", str(tmp_path), *args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env), port


def test_a_request_sent_while_starting_is_answered_by_the_real_pipeline(tmp_path):
    process, port = _serve(tmp_path)
    try:
        sts = boto3.client("sts", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test",
                           config=Config(retries={"mode": "standard", "max_attempts": 50}, connect_timeout=1))
        identity = sts.get_caller_identity()  # sent as soon as the port accepts, before health says "ok"
        assert identity["Arn"] == "arn:aws:iam::000000000000:root"
        health_status = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_rootplane/health", timeout=5) as answer:
                    health_status = answer.status
                    break
            except urllib.error.HTTPError as error:  # 503 "starting" is allowed only before the build ends
                assert error.code == 503
                time.sleep(0.05)
        assert health_status == 200
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0


def test_a_store_that_cannot_be_opened_ends_the_server_with_status_1(tmp_path):
    process, port = _serve(tmp_path, "--database-url", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    try:
        output, _ = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 1
    assert b"could not start" in output
