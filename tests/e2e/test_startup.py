"""Starting the server: the port serves at once, early requests are answered by the real pipeline, a store that
cannot be opened ends the process with status 1, and start-up stays quick and small (issue #19)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError

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


# Issue #19's bounds, with room for a loaded 2-core CI machine. The server's own CPU time up to its first answer is
# the steady measure (wall time there moves with the other processes): about 0.25 s now (a tenth more before the
# garbage collector paused during the build, 0.42 s before the ORM, the alarm evaluator and the policy engine left the
# start path, 1.1 to 1.3 s before the console, the SNS key, pyOpenSSL and botocore's Loader did). Resident memory
# barely moves with the load: about 55 MiB at the first answer and 62 MiB idle, once the audit writer has stored that
# answer's record (63 to 64 before the CBOR library and watchfiles left the start path, 65 to 67 before that, 95 to
# 100 before tables were mapped on first use).
FIRST_ANSWER_CPU_SECONDS = 0.8
FIRST_ANSWER_SECONDS = 3.0
IDLE_RSS_MIB = 75


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) / 1024


def _first_signed_answer(data_dir: Path) -> tuple[float, float, float]:
    """From process start to a signed GetCallerIdentity answered: wall seconds, the server's CPU seconds, and its RSS
    (MiB) once idle."""
    port = free_port()
    sts = boto3.client("sts", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test",
                       config=Config(retries={"total_max_attempts": 1}, connect_timeout=1, read_timeout=30))
    command = [sys.executable, "-m", "rootplane.cli", "serve", "--port", str(port), "--data-dir", str(data_dir)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        while True:
            try:
                sts.get_caller_identity()
                break
            except EndpointConnectionError:
                assert process.poll() is None and time.perf_counter() - started < 60
                time.sleep(0.005)
        answered, cpu = time.perf_counter() - started, _cpu_seconds(process.pid)
        time.sleep(0.5)  # idle: nothing is loaded in the background after the first answer
        return answered, cpu, _rss_mib(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_first_signed_answer_comes_soon_after_start_and_the_idle_server_is_small(tmp_path):
    fresh = [_first_signed_answer(tmp_path / f"store-{attempt}") for attempt in range(3)]
    restarted = [_first_signed_answer(tmp_path / "store-0") for _ in range(2)]
    for starts in (fresh, restarted):  # the best of several: a loaded machine stalls single starts
        assert min(wall for wall, _, _ in starts) < FIRST_ANSWER_SECONDS, starts
        assert min(cpu for _, cpu, _ in starts) < FIRST_ANSWER_CPU_SECONDS, starts
    assert max(rss for _, _, rss in fresh + restarted) < IDLE_RSS_MIB, fresh + restarted
