"""What each server is asked: pre-signed requests per scenario, set up through boto3 where a scenario needs state.

A scenario a server cannot set up (the peer lacks the API) is reported as such instead of measured.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from urllib.parse import quote

import boto3
from botocore.config import Config

from iam_scale import seed_rootplane_users
from loadgen import sign_query_requests, sign_requests, throughput
from servers import STARTERS, RunningServer, start_rootplane
from stores import ROOTPLANES, BenchStore

__all__ = ["throughput_scenarios", "scale_scenarios", "server_with_users", "SKIPPED"]

IAM = "Version=2010-05-08"
STS = "Version=2011-06-15"
AUDIT_TASK = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
SKIPPED: dict[tuple[str, str], str] = {}  # (server, scenario) -> why it was not measured


def _client(endpoint: str, service: str, key: str = "test", secret: str = "test"):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 2}))


def _admin(endpoint: str, prefix: str, policy: dict) -> tuple[str, str]:
    """An IAM user with an inline policy and an access key: (key id, secret)."""
    iam = _client(endpoint, "iam")
    iam.create_user(UserName=prefix)
    iam.put_user_policy(UserName=prefix, PolicyName="bench", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=prefix)["AccessKey"]
    time.sleep(0.1)
    return key["AccessKeyId"], key["SecretAccessKey"]


def _assume_root(endpoint: str, prefix: str) -> list:
    """An organization with one member and root sessions on; AssumeRoot signed by an administrator."""
    organizations = _client(endpoint, "organizations")
    organizations.create_organization(FeatureSet="ALL")
    status = organizations.create_account(Email=f"{prefix}@example.com", AccountName=prefix)["CreateAccountStatus"]
    for _ in range(100):
        if status["State"] != "IN_PROGRESS":
            break
        time.sleep(0.1)
        status = organizations.describe_create_account_status(CreateAccountRequestId=status["Id"])[
            "CreateAccountStatus"]
    member = status["AccountId"]
    organizations.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    iam = _client(endpoint, "iam")
    iam.enable_organizations_root_credentials_management()
    iam.enable_organizations_root_sessions()
    key, secret = _admin(endpoint, f"{prefix}-root-admin", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRoot", "Resource": "*"}]})
    body = f"Action=AssumeRoot&{STS}&TargetPrincipal={member}&TaskPolicyArn.arn={quote(AUDIT_TASK, safe='')}"
    return sign_query_requests(endpoint, "sts", [body], key, secret)


def _put_object(endpoint: str, prefix: str) -> list:
    """PutObject of 1 KiB by an IAM user whose policy allows s3:PutObject on the bucket (the authorizer decides)."""
    bucket = f"{prefix}-bucket"
    _client(endpoint, "s3").create_bucket(Bucket=bucket)
    key, secret = _admin(endpoint, f"{prefix}-writer", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]})
    body = b"x" * 1024
    return sign_requests(endpoint, "s3", [("PUT", f"/{bucket}/object-{i}", body, {"Content-Type": "text/plain"})
                                          for i in range(200)], key, secret)


def _checked(name: str, scenario: str, endpoint: str, build) -> list | None:
    """The scenario's requests when the server can set it up and answers the first one 200; else None."""
    import http.client
    from urllib.parse import urlsplit

    try:
        requests = build()
        parts = urlsplit(endpoint)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        path, headers, body = requests[0][:3]
        connection.request(requests[0][3] if len(requests[0]) > 3 else "POST", path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {answer[:160]!r}")
        return requests
    except Exception as error:  # noqa: BLE001 - reported in the table
        SKIPPED[(name, scenario)] = str(error).splitlines()[0][:90]
        print(f"  {name} {scenario}: not measured ({SKIPPED[(name, scenario)]})", file=sys.stderr)
        return None


def throughput_scenarios(endpoint: str, name: str) -> dict[str, tuple[list | None, bool]]:
    """scenario -> (pre-signed requests or None when not supported, repeat_each)."""
    prefix = f"bench{uuid.uuid4().hex[:6]}"
    identity = sign_query_requests(endpoint, "sts", [f"Action=GetCallerIdentity&{STS}"])
    if name == "bare":
        return {"GetCallerIdentity": (identity, True)}
    create = [f"Action=CreateUser&{IAM}&UserName={prefix}-{i}" for i in range(4000)]
    _client(endpoint, "iam").create_user(UserName=f"{prefix}-get")
    return {
        "GetCallerIdentity": (identity, True),
        "CreateUser": (sign_query_requests(endpoint, "iam", create), False),
        "GetUser": (sign_query_requests(endpoint, "iam", [f"Action=GetUser&{IAM}&UserName={prefix}-get"]), True),
        "AssumeRoot": (_checked(name, "AssumeRoot", endpoint, lambda: _assume_root(endpoint, prefix)), True),
        "S3 PutObject (authorized)": (_checked(name, "S3 PutObject (authorized)", endpoint,
                                               lambda: _put_object(endpoint, prefix)), True),
    }


def scale_scenarios(endpoint: str, users: int) -> dict[str, tuple[list, bool]]:
    """scenario -> (pre-signed requests, repeat_each), as ``throughput_scenarios``."""
    middle = f"user{users // 2:07d}"
    return {
        "ListUsers (page of 100)": (sign_query_requests(endpoint, "iam", [f"Action=ListUsers&{IAM}&MaxItems=100"]),
                                    True),
        "GetUser (10k users)": (sign_query_requests(endpoint, "iam", [f"Action=GetUser&{IAM}&UserName={middle}"]),
                                True),
    }


def server_with_users(name: str, users: int) -> RunningServer:
    """A running server holding ``users`` IAM users (rootplane: seeded into its store; peers: CreateUser calls)."""
    if name in ROOTPLANES:
        store = BenchStore(ROOTPLANES[name])
        try:  # past AWS's 5,000-user quota, which rootplane enforces
            seed_rootplane_users(store.data_dir, 0, users, store.database_url)
            store.settle_written()
            server = start_rootplane(store=store)
        except BaseException:
            store.remove()
            raise
        server.store = store  # removed on stop
        return server
    server = STARTERS[name]()
    bodies = [f"Action=CreateUser&{IAM}&UserName=user{i:07d}" for i in range(users)]
    errors = throughput(server.endpoint, sign_query_requests(server.endpoint, "iam", bodies), workers=4,
                        seconds=900, repeat_each=False).errors
    if errors:
        server.stop()
        raise RuntimeError(f"{errors} CreateUser calls failed")
    return server
