"""Start a real rootplane server on a free port and drive it with boto3 and the AWS CLI (no mocks)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

__all__ = ["Server", "start_server", "free_port", "raw_request", "RawResponse", "error_of", "policy_document", "iam_user_key", "BOOT_ACCOUNT",
           "BOOT_KEY_ID", "reference_data", "POSTGRES_URL",
           "postgres_database", "required_postgres_database", "drop_postgres_database"]

BOOT_ACCOUNT = "000000000000"
#: The real id of the bootstrap root key that ``test``/``test`` signs for (gateway/bootstrap.py: derived from the
#: account id and ``test``, the same on every server with the default configuration).
BOOT_KEY_ID = "AKIADAOG5W6QXWSH7O2G"
DATA = Path(__file__).parent / "data"  # reference data the tests replay (each folder has its source and licence)


def reference_data(*parts: str) -> Path:
    """A file or folder under tests/data; missing reference data fails the test run instead of testing less."""
    path = DATA.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"reference data missing from the repository: {path}")
    return path


POSTGRES_URL = os.environ.get("ROOTPLANE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
_CLIENT_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, s3={"addressing_style": "path"})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running server process and helpers to talk to it."""

    port: int
    data_dir: str
    process: subprocess.Popen
    database_url: str | None = None
    args: tuple[str, ...] = ()
    log_path: str = ""
    owns_data_dir: bool = True
    ca_bundle: str | None = None  # the certificate an HTTPS server (--tls-cert) serves; None: plain HTTP
    source_dir: str | None = None  # runs the rootplane package found there (an older version's src) if set
    _sessions: dict = field(default_factory=dict)

    @property
    def endpoint(self) -> str:
        return f"{'https' if self.ca_bundle else 'http'}://127.0.0.1:{self.port}"

    def _ssl_context(self):
        import ssl

        return ssl.create_default_context(cafile=self.ca_bundle) if self.ca_bundle else None

    def client(self, service: str, access_key: str = "test", secret_key: str = "test", token: str | None = None,
               region: str = "us-east-1", **kwargs):
        """A boto3 client signed with the given credentials (bootstrap root by default)."""
        session = boto3.session.Session(
            aws_access_key_id=access_key, aws_secret_access_key=secret_key, aws_session_token=token,
            region_name=region,
        )
        if self.ca_bundle:
            kwargs.setdefault("verify", self.ca_bundle)
        return session.client(service, endpoint_url=self.endpoint, config=kwargs.pop("config", _CLIENT_CONFIG), **kwargs)

    def client_for(self, credentials: dict, service: str, region: str = "us-east-1", **kwargs):
        """A client from an STS ``Credentials`` dict or an IAM ``AccessKey`` dict."""
        return self.client(
            service, credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials.get("SessionToken"),
            region=region, **kwargs,
        )

    def cli(self, *args: str, access_key: str = "test", secret_key: str = "test", token: str | None = None,
            region: str = "us-east-1", check: bool = True, every_client: bool = False) -> subprocess.CompletedProcess:
        """Run the AWS CLI against the server; ``--output json`` is added. ``every_client``: the clients a command
        makes on its own (``cloudtrail validate-logs``'s S3 client) are sent to the server too (AWS_ENDPOINT_URL)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID=access_key, AWS_SECRET_ACCESS_KEY=secret_key, AWS_DEFAULT_REGION=region,
                   AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_PAGER="")
        if token:
            env["AWS_SESSION_TOKEN"] = token
        if every_client:
            env["AWS_ENDPOINT_URL"] = self.endpoint
            if self.ca_bundle:
                env["AWS_CA_BUNDLE"] = self.ca_bundle
        aws = shutil.which("aws", path=str(Path(sys.executable).parent)) or "aws"
        tls = ("--ca-bundle", self.ca_bundle) if self.ca_bundle else ()
        result = subprocess.run([aws, "--endpoint-url", self.endpoint, *tls, "--output", "json", *args],
                                env=env, capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result

    def cli_json(self, *args: str, **kwargs) -> dict:
        out = self.cli(*args, **kwargs).stdout
        return json.loads(out) if out.strip() else {}

    def get_json(self, path: str):
        with urllib.request.urlopen(self.endpoint + path, timeout=10, context=self._ssl_context()) as response:
            return json.loads(response.read())

    def advance_clock(self, seconds: float) -> None:
        """Move the server's business clock (needs a server started with --time-travel)."""
        body = json.dumps({"advance": seconds}).encode()
        request = urllib.request.Request(self.endpoint + "/_rootplane/clock", data=body, method="POST")
        with urllib.request.urlopen(request, timeout=10, context=self._ssl_context()) as response:
            response.read()

    def _post_internal(self, path: str) -> dict:
        request = urllib.request.Request(self.endpoint + path, data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=30, context=self._ssl_context()) as response:
            return json.loads(response.read())

    def snapshot(self, name: str) -> None:
        """Save the whole state on the server under ``name`` (/_rootplane/snapshot)."""
        self._post_internal(f"/_rootplane/snapshot?name={name}")

    def restore(self, name: str) -> None:
        """Put back the state saved under ``name``: each test of a module can start from the same state."""
        self._post_internal(f"/_rootplane/restore?name={name}")

    def stop(self, kill: bool = False) -> None:
        if self.process.poll() is None:
            self.process.kill() if kill else self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def restart(self, kill: bool = False) -> None:
        """Stop (SIGTERM, or SIGKILL with kill=True) and start again on the same port and store."""
        self.stop(kill=kill)
        fresh = start_server(data_dir=self.data_dir, database_url=self.database_url, args=self.args, port=self.port,
                             ca_bundle=self.ca_bundle, source_dir=self.source_dir)
        self.process, self.log_path = fresh.process, fresh.log_path

    def close(self) -> None:
        self.stop()
        if self.owns_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def log(self) -> str:
        return Path(self.log_path).read_text(errors="replace") if self.log_path else ""


def start_server(data_dir: str | None = None, database_url: str | None = None, args: tuple[str, ...] = (),
                 port: int | None = None, timeout: float = 120.0, ca_bundle: str | None = None,
                 healthy: bool = True, source_dir: str | None = None) -> Server:
    """Start ``rootplane serve`` as a subprocess and wait until /_rootplane/health answers "ok" (``healthy=False``:
    or "initializing", while ``--init`` scripts still run).

    ``ca_bundle``: the server serves HTTPS (``args`` hold its --tls-cert/--tls-key); clients trust this certificate.
    ``source_dir``: run the ``rootplane`` package in this directory (e.g. an older version's ``src``, put first on
    ``PYTHONPATH``) with this virtualenv, instead of the installed one."""
    owns = data_dir is None
    data_dir = data_dir or tempfile.mkdtemp(prefix="rootplane-test-")
    port = port or free_port()
    command = [sys.executable, "-m", "rootplane.cli", "serve", "--port", str(port), "--data-dir", data_dir, *args]
    if database_url:
        command += ["--database-url", database_url]
    log_path = os.path.join(data_dir, f"server-{port}-{time.time_ns()}.log")
    log_file = open(log_path, "w")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    if source_dir:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (source_dir, env.get("PYTHONPATH"))))
    process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, env=env)
    server = Server(port, data_dir, process, database_url, args, log_path, owns, ca_bundle, source_dir)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log_text = server.log()
            server.close()  # the data directory it made goes too
            raise RuntimeError(f"server exited early:\n{log_text}")
        try:
            server.get_json("/_rootplane/health")
            return server
        except urllib.error.HTTPError as error:  # 503 while starting, or while --init scripts run
            if not healthy and json.loads(error.read() or b"{}").get("status") == "initializing":
                return server
            time.sleep(0.05)
        except OSError:
            time.sleep(0.05)
    server.stop(kill=True)
    log_text = server.log()
    server.close()
    raise RuntimeError(f"server did not start within {timeout}s:\n{log_text}")


@dataclass
class RawResponse:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def raw_request(server: Server, service: str | None, method: str = "POST", path: str = "/", body: bytes = b"",
                headers: dict | None = None, access_key: str = "test", secret_key: str = "test",
                token: str | None = None, region: str = "us-east-1", signed_at=None) -> RawResponse:
    """Send a hand-made request, SigV4-signed with botocore's signer unless ``service`` is None.

    ``signed_at`` (a naive UTC datetime) signs as if at that moment (clock-skew tests).
    """
    import datetime as _dt
    import urllib.error
    import urllib.request
    from unittest import mock

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = server.endpoint + path
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    if service is not None:
        signer = SigV4Auth(Credentials(access_key, secret_key, token), service, region)
        if signed_at is None:
            signer.add_auth(request)
        else:
            fake = mock.Mock(wraps=_dt.datetime)
            fake.utcnow.return_value = signed_at
            fake.now.return_value = signed_at.replace(tzinfo=_dt.timezone.utc)
            with mock.patch("botocore.auth.datetime.datetime", fake):
                signer.add_auth(request)
    prepared = request.prepare()
    http_request = urllib.request.Request(prepared.url, data=prepared.body or None, method=method,
                                          headers=dict(prepared.headers.items()))
    try:
        with urllib.request.urlopen(http_request, timeout=30, context=server._ssl_context()) as response:
            return RawResponse(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        return RawResponse(error.code, dict(error.headers.items()), error.read())


def error_of(call, *args, **kwargs) -> tuple[str, str, int]:
    """Run a boto3 call that must fail: its (code, message, HTTP status)."""
    from botocore.exceptions import ClientError

    try:
        call(*args, **kwargs)
    except ClientError as error:
        body = error.response
        return body["Error"]["Code"], body["Error"].get("Message", ""), body["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError(f"{getattr(call, '__name__', call)} succeeded, an error was expected")


def new_bucket(s3, unique: str, name: str) -> str:
    """Create the bucket ``<name>-<unique>`` and return its name."""
    bucket = f"{name}-{unique}"
    s3.create_bucket(Bucket=bucket)
    return bucket


def policy_document(*statements: dict) -> str:
    """A policy document (JSON text) with these statements."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def iam_user_key(server: Server, name: str, managed_policy_arn: str | None = None) -> dict:
    """Create an IAM user in the bootstrap account (optionally with a managed policy) and return its access key."""
    iam = server.client("iam")
    iam.create_user(UserName=name)
    if managed_policy_arn:
        iam.attach_user_policy(UserName=name, PolicyArn=managed_policy_arn)
    return iam.create_access_key(UserName=name)["AccessKey"]


def required_postgres_database() -> str:
    """A fresh PostgreSQL database's URL for a test that needs one: the test fails in CI (which must run the
    PostgreSQL store tests) and is skipped elsewhere when PostgreSQL is unreachable."""
    url = postgres_database()
    if url is None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL} but CI must run the PostgreSQL store tests")
        pytest.skip("PostgreSQL not reachable")
    return url


def postgres_database() -> str | None:
    """Create a fresh PostgreSQL database for one test and return its URL; None when PostgreSQL is unreachable."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover
        return None
    admin_url = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    name = f"rootplane_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return None
    base = POSTGRES_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def drop_postgres_database(url: str) -> None:
    import psycopg

    admin_url = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_CLOUDTRAIL_FILL = (
    "INSERT INTO cloudtrail_events (event_id, account_id, region, event_time, event_name, event_source, read_only, "
    "username, access_key_id, resources, record) SELECT lpad(to_hex(i), 36, '0'), '000000000000', 'us-east-1', "
    "now() - make_interval(secs => i), 'GetUser', 'iam.amazonaws.com', true, 'user' || (i % 20), 'AKIA', '[]', '{}' "
    "FROM generate_series(:first, :first + :rows - 1) i")


def fill_cloudtrail_history(store, rows: int, first: int = 1) -> None:
    """Insert ``rows`` CloudTrail records (ids from ``first``, users user0..user19) straight into a PostgreSQL store,
    then close its connections: their backends report the tables' change counters as they exit."""
    from sqlalchemy import text

    with store.engine.begin() as connection:
        connection.execute(text(_CLOUDTRAIL_FILL), {"rows": rows, "first": first})
    store.engine.dispose()


def wait_until_analyzed(store, table: str, seconds: float) -> None:
    """Wait until PostgreSQL has analyzed ``table`` of ``store`` (fails the test after ``seconds``)."""
    from sqlalchemy import text

    deadline = time.monotonic() + seconds
    with store.engine.connect() as connection:
        while not connection.scalar(text("SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables "
                                         "WHERE relname = :table"), {"table": table}):
            assert time.monotonic() < deadline, f"{table} was not analyzed within {seconds:g} s"
            time.sleep(0.2)
            connection.rollback()


@contextlib.contextmanager
def sqlite_store(directory, metadata):
    """A SQLite store in ``directory`` with every table of ``metadata`` created; disposed afterwards."""
    from rootplane.store.engine import Store

    store = Store(f"sqlite:///{directory}/store.db", metadata)
    metadata.create_all(store.engine)
    try:
        yield store
    finally:
        store.dispose()


def sqs_query(server: Server, form: dict[str, str]) -> str:
    """An SQS call in the legacy query protocol (form-encoded, SigV4 as the bootstrap root): the XML answered."""
    import urllib.parse

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    body = urllib.parse.urlencode({**form, "Version": "2012-11-05"})
    request = AWSRequest(method="POST", url=f"{server.endpoint}/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials("test", "test"), "sqs", "us-east-1").add_auth(request)
    prepared = urllib.request.Request(request.url, data=body.encode(), method="POST",
                                      headers=dict(request.headers.items()))
    with urllib.request.urlopen(prepared, timeout=10) as response:
        return response.read().decode()
