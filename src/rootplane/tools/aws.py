"""One connection to AWS (or rootplane): boto3 clients, AssumeRoot sessions and readable errors."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

import boto3
import botocore.credentials
import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound

__all__ = ["Connection", "RootSession", "TASK_POLICIES", "AwsProblem", "describe_error", "error_code"]

_TASK_PREFIX = "arn:aws:iam::aws:policy/root-task/"
#: The root-task policies by short name (AWS's documented managed policies).
TASK_POLICIES = {name: _TASK_PREFIX + name for name in (
    "IAMAuditRootUserCredentials", "IAMCreateRootUserPassword", "IAMDeleteRootUserCredentials",
    "S3UnlockBucketPolicy", "SQSUnlockQueuePolicy")}
SESSION_SECONDS = 900


class AwsProblem(Exception):
    """A failure the user can act on (no credentials, access denied, unreachable endpoint): exit status 2."""


def error_code(error: Exception) -> str:
    """The AWS error code of a ClientError ('' for anything else)."""
    return error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else ""


def describe_error(error: Exception) -> str:
    """One readable line for an AWS or connection error."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        operation = getattr(error, "operation_name", "")
        return f"{operation}: {details.get('Code', 'Error')}: {details.get('Message', '')}".strip()
    if isinstance(error, NoCredentialsError):
        return "no AWS credentials found (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use --profile)"
    if isinstance(error, ProfileNotFound):
        return str(error)
    if isinstance(error, BotoCoreError):
        return str(error)
    return f"{type(error).__name__}: {error}"


class _ThreadCredentials(botocore.credentials.Credentials):
    """Credentials chosen per thread: one client serves every member account's session concurrently.

    Creating a client costs ~10 ms of CPU; an organization-wide audit would otherwise spend most of its time
    building one client per account.
    """

    def __init__(self) -> None:  # no super().__init__: there is no key of its own to normalize
        self._local = threading.local()
        self.method = "assume-root"

    @contextmanager
    def using(self, credentials: dict[str, Any]) -> Iterator[None]:
        previous = getattr(self._local, "frozen", None)
        self._local.frozen = botocore.credentials.ReadOnlyCredentials(
            credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials.get("SessionToken"))
        try:
            yield
        finally:
            self._local.frozen = previous

    def get_frozen_credentials(self) -> botocore.credentials.ReadOnlyCredentials:
        frozen = getattr(self._local, "frozen", None)
        if frozen is None:
            raise NoCredentialsError()
        return frozen

    access_key = property(lambda self: self.get_frozen_credentials().access_key)
    secret_key = property(lambda self: self.get_frozen_credentials().secret_key)
    token = property(lambda self: self.get_frozen_credentials().token)


class _FixedProvider(botocore.credentials.CredentialProvider):
    METHOD = "rootplane-session"

    def __init__(self, credentials: botocore.credentials.Credentials) -> None:
        self._credentials = credentials

    def load(self) -> botocore.credentials.Credentials:
        return self._credentials


@dataclass
class Connection:
    """Where to talk (endpoint, region, profile) and how hard (concurrency, retries)."""

    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None
    credentials: dict[str, str] | None = None  # an explicit AccessKeyId/SecretAccessKey instead of the chain
    max_workers: int = 16
    max_attempts: int = 8
    _session: boto3.session.Session | None = field(default=None, init=False, repr=False)
    _clients: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    _session_credentials: _ThreadCredentials | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def config(self) -> Config:
        """Retries with back-off on throttling (botocore's standard mode), a connection pool per worker."""
        addressing = "path" if self.endpoint_url else "auto"  # a local endpoint has no per-bucket host names
        return Config(retries={"mode": "standard", "max_attempts": self.max_attempts},
                      max_pool_connections=max(10, self.max_workers + 2), s3={"addressing_style": addressing})

    @property
    def session(self) -> boto3.session.Session:
        if self._session is None:
            keys = {}
            if self.credentials:
                keys = {"aws_access_key_id": self.credentials["AccessKeyId"],
                        "aws_secret_access_key": self.credentials["SecretAccessKey"],
                        "aws_session_token": self.credentials.get("SessionToken")}
            try:
                session = boto3.session.Session(profile_name=self.profile, region_name=self.region, **keys)
                if session.region_name is None:  # AssumeRoot is regional; AWS's docs use us-east-1
                    session = boto3.session.Session(profile_name=self.profile, region_name="us-east-1", **keys)
            except ProfileNotFound as error:
                raise AwsProblem(describe_error(error)) from error
            self._session = session
        return self._session

    def client(self, service: str) -> Any:
        """A client signed with the caller's own credentials (the standard chain or --profile)."""
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self.session.client(service, endpoint_url=self.endpoint_url,
                                                             config=self.config)
            return self._clients[service]

    def root_client(self, service: str) -> Any:
        """A client signed with whichever root session the current thread entered (see ``as_root``)."""
        key = f"root:{service}"
        with self._lock:
            if key not in self._clients:
                if self._session_credentials is None:
                    self._session_credentials = _ThreadCredentials()
                core = botocore.session.Session()
                resolver = botocore.credentials.CredentialResolver([_FixedProvider(self._session_credentials)])
                core.register_component("credential_provider", resolver)
                self._clients[key] = boto3.session.Session(botocore_session=core, region_name=self.session.region_name
                                                           ).client(service, endpoint_url=self.endpoint_url,
                                                                    config=self.config)
            return self._clients[key]

    def assume_root(self, account_id: str, task: str) -> dict[str, Any]:
        """``sts:AssumeRoot`` on a member account with one of the root-task policies (short name or ARN)."""
        arn = TASK_POLICIES.get(task, task)
        return self.client("sts").assume_root(TargetPrincipal=account_id, TaskPolicyArn={"arn": arn},
                                              DurationSeconds=SESSION_SECONDS)["Credentials"]

    @contextmanager
    def as_root(self, account_id: str, task: str) -> Iterator["RootSession"]:
        """Run calls in this thread as the member's root user, through an AssumeRoot session for ``task``."""
        credentials = self.assume_root(account_id, task)
        self.root_client("iam")  # creates the per-thread credentials every root client signs with
        with self._session_credentials.using(credentials):
            yield RootSession(self)


@dataclass(frozen=True)
class RootSession:
    """The clients of one AssumeRoot session (valid inside ``Connection.as_root``, in its thread)."""

    connection: Connection

    def client(self, service: str) -> Any:
        return self.connection.root_client(service)
