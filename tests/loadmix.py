"""A bounded mixed load (IAM, Organizations, S3, SQS, AssumeRoot) over one or more servers sharing a store, a ledger
of every acknowledged write, and the check that afterwards each one is present and every invariant holds.

Used by the reliability tests (tests/e2e/test_reliability_*.py, test_rolling_upgrade.py). Client threads alternate
between the servers, so a write acknowledged by one server is read back through another at once ("read your writes"
across servers).
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from harness import Server

__all__ = ["World", "Ledger", "prepare", "run_load", "verify", "SHARED_USERS", "MANAGED_POLICIES"]

AUDIT_TASK = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
SHARED_USERS = 3
MANAGED_POLICIES = 12  # more than the 10 a user may have attached
DOCUMENT = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
# The refusals an invariant answers when the load runs into it (expected, not failures).
QUOTA_REFUSALS = {"LimitExceeded", "ConstraintViolationException", "EntityAlreadyExists",
                  "AlreadyInOrganizationException", "ConcurrentModificationException"}
# One attempt per call ("standard" mode counts the first; the legacy mode's max_attempts=1 allowed a retry that hid
# a connection the server dropped): every dropped connection and every 503 reaches the ledger.
_CLIENT_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30,
                        s3={"addressing_style": "path"})


@dataclass
class World:
    """What the load works on, made before it starts."""

    admin: dict
    target: str
    bucket: str
    queue_url: str
    policy_arn: str
    managed: list[str]
    shared_users: list[str]
    organization_creations: int


@dataclass
class Ledger:
    """Every write the servers acknowledged, and everything that went wrong."""

    users: set[str] = field(default_factory=set)
    keys: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    versions: set[str] = field(default_factory=set)
    attached: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    objects: dict[str, bytes] = field(default_factory=dict)
    messages: set[str] = field(default_factory=set)
    accounts: set[str] = field(default_factory=set)
    root_sessions: int = 0
    operations: int = 0
    refusals: int = 0
    unavailable: int = 0  # ServiceUnavailable answers (only tolerated by fault tests)
    broken: int = 0  # refused or reset connections, timeouts (only tolerated by fault tests)
    broken_errors: list[str] = field(default_factory=list)  # what broke them, for the report
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, what: str) -> None:
        with self.lock:
            self.failures.append(what)


_SESSION = boto3.session.Session()  # one session: service models are loaded once, not per client
_SESSION_LOCK = threading.Lock()  # creating clients from one session is not thread-safe (using them is)


def _client(server: Server, service: str, credentials: dict | None = None):
    credentials = credentials or {"AccessKeyId": "test", "SecretAccessKey": "test"}
    with _SESSION_LOCK:
        return _SESSION.client(service, endpoint_url=server.endpoint, region_name="us-east-1", config=_CLIENT_CONFIG,
                               aws_access_key_id=credentials["AccessKeyId"],
                               aws_secret_access_key=credentials["SecretAccessKey"],
                               aws_session_token=credentials.get("SessionToken"))


def prepare(servers: list[Server], threads: int = 8) -> World:
    """An organization (created by racing threads on every server: exactly one may win), a member account trusted
    for root sessions, an admin user, a bucket, a queue, shared users and managed policies."""
    first = servers[0]
    barrier = threading.Barrier(threads)
    wins: list[str] = []

    def create_organization(server: Server) -> None:
        orgs = _client(server, "organizations")
        barrier.wait()
        try:
            wins.append(orgs.create_organization(FeatureSet="ALL")["Organization"]["Id"])
        except ClientError as error:
            assert error.response["Error"]["Code"] == "AlreadyInOrganizationException", error.response

    racers = [threading.Thread(target=create_organization, args=(servers[i % len(servers)],)) for i in range(threads)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(60)
    iam = _client(first, "iam")
    iam.create_user(UserName="load-admin")
    iam.attach_user_policy(UserName="load-admin", PolicyArn=ADMIN_POLICY)
    admin = iam.create_access_key(UserName="load-admin")["AccessKey"]
    orgs = _client(first, "organizations")
    status = orgs.create_account(Email="load-target@example.com", AccountName="load-target")["CreateAccountStatus"]
    deadline = time.monotonic() + 30
    while status["State"] == "IN_PROGRESS" and time.monotonic() < deadline:
        time.sleep(0.05)
        status = orgs.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED", status
    orgs.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    admin_iam = _client(first, "iam", admin)
    admin_iam.enable_organizations_root_credentials_management()
    admin_iam.enable_organizations_root_sessions()
    shared = [f"shared-{i}" for i in range(SHARED_USERS)]
    for name in shared:
        iam.create_user(UserName=name)
    managed = [iam.create_policy(PolicyName=f"managed-{i}", PolicyDocument=DOCUMENT)["Policy"]["Arn"]
               for i in range(MANAGED_POLICIES)]
    policy_arn = iam.create_policy(PolicyName="versioned", PolicyDocument=DOCUMENT)["Policy"]["Arn"]
    bucket = f"load-{uuid.uuid4().hex[:8]}"
    _client(first, "s3").create_bucket(Bucket=bucket)
    queue_url = _client(first, "sqs").create_queue(QueueName="load")["QueueUrl"]
    return World(admin, status["AccountId"], bucket, queue_url, policy_arn, managed, shared, len(wins))


class _Worker:
    """One client thread: its own clients on every server, cycling through the mix."""

    def __init__(self, index: int, servers: list[Server], world: World, ledger: Ledger, clients: list[dict],
                 prefix: str) -> None:
        self.index = index
        self.prefix = prefix
        self.world = world
        self.ledger = ledger
        self.clients = clients
        self.servers = servers
        self.count = 0

    def client(self, service: str, shift: int = 0):
        """Writes and reads alternate between the servers."""
        return self.clients[(self.count + shift) % len(self.clients)][service]

    def name(self) -> str:
        return f"{self.prefix}{self.index}-{self.count}"

    # -- the mix: writes record what was acknowledged, reads check it through another server ------------------
    def create_user(self) -> None:
        name = self.name()
        self.client("iam").create_user(UserName=name)
        with self.ledger.lock:
            self.ledger.users.add(name)
        self.client("iam", 1).get_user(UserName=name)  # the next request to another server sees it

    def create_key(self) -> None:
        user = self.world.shared_users[self.count % SHARED_USERS]
        key = self.client("iam").create_access_key(UserName=user)["AccessKey"]["AccessKeyId"]
        with self.ledger.lock:
            self.ledger.keys[user].add(key)

    def policy_version(self) -> None:
        version = self.client("iam").create_policy_version(PolicyArn=self.world.policy_arn, PolicyDocument=DOCUMENT)
        with self.ledger.lock:
            self.ledger.versions.add(version["PolicyVersion"]["VersionId"])

    def attach(self) -> None:
        user = self.world.shared_users[self.count % SHARED_USERS]
        policy = self.world.managed[(self.count // SHARED_USERS + self.index) % MANAGED_POLICIES]
        self.client("iam").attach_user_policy(UserName=user, PolicyArn=policy)
        with self.ledger.lock:
            self.ledger.attached[user].add(policy)

    def put_object(self) -> None:
        key, body = self.name(), uuid.uuid4().bytes * 4
        self.client("s3").put_object(Bucket=self.world.bucket, Key=key, Body=body)
        with self.ledger.lock:
            self.ledger.objects[key] = body
        read = self.client("s3", 1).get_object(Bucket=self.world.bucket, Key=key)["Body"].read()
        if read != body:
            self.ledger.note(f"object {key} read back differently through another server")

    def send_message(self) -> None:
        body = self.name()
        self.client("sqs").send_message(QueueUrl=self.world.queue_url, MessageBody=body)
        with self.ledger.lock:
            self.ledger.messages.add(body)

    def create_account(self) -> None:
        status = self.client("organizations").create_account(
            Email=f"{self.name()}@example.com", AccountName=self.name())["CreateAccountStatus"]
        with self.ledger.lock:
            self.ledger.accounts.add(status["Id"])

    def assume_root(self) -> None:
        credentials = self.client("admin_sts").assume_root(TargetPrincipal=self.world.target,
                                                            TaskPolicyArn={"arn": AUDIT_TASK})["Credentials"]
        server = self.servers[(self.count + 1) % len(self.servers)]
        arn = _client(server, "sts", credentials).get_caller_identity()["Arn"]
        if arn != f"arn:aws:iam::{self.world.target}:root":
            self.ledger.note(f"a root session of {self.world.target} is {arn} on another server")
        with self.ledger.lock:
            self.ledger.root_sessions += 1

    def read(self) -> None:
        self.client("iam").list_users(MaxItems=20)
        self.client("organizations").describe_organization()

    MIX = ("create_user", "assume_root", "put_object", "create_key", "send_message", "attach", "policy_version",
           "create_account", "read")

    def run(self, stop_at: float, stop: threading.Event, tolerate_unavailable: bool) -> None:
        for step in itertools.cycle(self.MIX):
            if time.monotonic() >= stop_at or stop.is_set():
                return
            self.count += 1
            try:
                getattr(self, step)()
            except ClientError as error:
                code = error.response["Error"]["Code"]
                status = error.response["ResponseMetadata"]["HTTPStatusCode"]
                if code in QUOTA_REFUSALS and status < 500:
                    with self.ledger.lock:
                        self.ledger.refusals += 1
                elif tolerate_unavailable and (code, status) == ("ServiceUnavailable", 503):
                    with self.ledger.lock:
                        self.ledger.unavailable += 1
                else:
                    self.ledger.note(f"{step}: {code} ({status}) {error.response['Error'].get('Message', '')}")
            except BotoCoreError as error:  # connection refused or reset: a server was killed
                if not tolerate_unavailable:
                    self.ledger.note(f"{step}: {error.__class__.__name__}: {error}")
                with self.ledger.lock:
                    self.ledger.broken += 1
                    self.ledger.broken_errors.append(f"{step}: {error.__class__.__name__}: {error}")
                time.sleep(0.05)  # the server is restarting: do not spin
            with self.ledger.lock:
                self.ledger.operations += 1


def run_load(servers: list[Server], world: World, seconds: float, threads: int = 8,
             tolerate_unavailable: bool = False, ledger: Ledger | None = None, prefix: str = "w",
             until: threading.Event | None = None) -> Ledger:
    """``threads`` client threads per server for ``seconds`` (or until ``until`` is set); the ledger of what was
    acknowledged. Loads that run at once, or one after another, on one ledger each need their own name ``prefix``
    (the names of the users, objects and messages they write)."""
    ledger = ledger or Ledger()
    until = until or threading.Event()
    clients = [{name: _client(server, name) for name in ("iam", "s3", "sqs", "organizations")}
               | {"admin_sts": _client(server, "sts", world.admin)} for server in servers]  # thread-safe, shared
    workers = [_Worker(index, servers, world, ledger, clients, prefix) for index in range(threads * len(servers))]
    stop_at = time.monotonic() + seconds
    running = [threading.Thread(target=worker.run, args=(stop_at, until, tolerate_unavailable))
               for worker in workers]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join(seconds + 120)
        assert not thread.is_alive(), "a client thread hangs"
    return ledger


def _all(call, key: str, token: str, next_token: str, **params) -> list:
    items, page = [], call(**params)
    items += page[key]
    while page.get(next_token):
        page = call(**params, **{token: page[next_token]})
        items += page[key]
    return items


def _matches(acknowledged: set, stored: set, exact: bool) -> bool:
    return acknowledged == stored if exact else acknowledged <= stored


def verify(server: Server, world: World, ledger: Ledger, exact: bool = True) -> None:
    """Every acknowledged write is present and every invariant holds (read through ``server``).

    ``exact``: no request was cut off, so what is stored is exactly what was acknowledged; after faults a write may
    have committed without its answer reaching the client, so only "acknowledged ⊆ stored" holds."""
    assert ledger.failures == [], ledger.failures[:20]
    iam, s3, sqs, orgs = (_client(server, name) for name in ("iam", "s3", "sqs", "organizations"))
    assert world.organization_creations == 1, "exactly one CreateOrganization of the race succeeds"
    users = _all(iam.list_users, "Users", "Marker", "Marker")
    names = [user["UserName"].lower() for user in users]
    assert len(names) == len(set(names)), "user names are unique"
    missing = ledger.users - {user["UserName"] for user in users}
    assert not missing, f"acknowledged users lost: {sorted(missing)[:10]}"
    for user in world.shared_users:
        keys = {key["AccessKeyId"] for key in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]}
        assert len(keys) <= 2 and _matches(ledger.keys[user], keys, exact), (user, keys, ledger.keys[user])
        attached = {p["PolicyArn"] for p in _all(iam.list_attached_user_policies, "AttachedPolicies", "Marker",
                                                 "Marker", UserName=user)}
        assert len(attached) <= 10 and _matches(ledger.attached[user], attached, exact), (user, attached)
    versions = {v["VersionId"] for v in iam.list_policy_versions(PolicyArn=world.policy_arn)["Versions"]}
    assert len(versions) <= 5 and ledger.versions <= versions, (versions, ledger.versions)
    stored = {o["Key"] for o in _all(s3.list_objects_v2, "Contents", "ContinuationToken", "NextContinuationToken",
                                     Bucket=world.bucket)} if ledger.objects else set()
    assert set(ledger.objects) <= stored, f"acknowledged objects lost: {sorted(set(ledger.objects) - stored)[:10]}"
    for key in list(ledger.objects)[:: max(1, len(ledger.objects) // 20)]:
        assert s3.get_object(Bucket=world.bucket, Key=key)["Body"].read() == ledger.objects[key]
    received: set[str] = set()
    deadline = time.monotonic() + 60
    while not ledger.messages <= received and time.monotonic() < deadline:
        batch = sqs.receive_message(QueueUrl=world.queue_url, MaxNumberOfMessages=10, VisibilityTimeout=600)
        messages = batch.get("Messages", [])
        if not messages:
            break
        received |= {message["Body"] for message in messages}
    assert ledger.messages <= received, f"acknowledged messages lost: {sorted(ledger.messages - received)[:10]}"
    accounts = _all(orgs.list_accounts, "Accounts", "NextToken", "NextToken")
    organization = orgs.describe_organization()["Organization"]["Id"]
    assert len(accounts) <= 10, f"{len(accounts)} accounts in an organization whose quota is 10"
    for account in accounts:
        assert account["Arn"].split("/")[1] == organization  # every account is in the one organization
