"""Two servers sharing one PostgreSQL database: IAM's invariants hold under concurrent requests (security finding 6),
and a write that loses a race to the other server answers as AWS does after the winner's write.

PostgreSQL runs READ COMMITTED, so a count-then-insert in Python alone lets two servers both pass a quota check or
let a child be created beside the deletion of its parent. Each round below races real clients on both servers.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from harness import drop_postgres_database, required_postgres_database
from harness import error_of, policy_document, start_server

ROUNDS = 6
THREADS = 6
NAMES = 60  # names raced for by _race_names, from THREADS_PER_SERVER threads on each server
THREADS_PER_SERVER = 3


@pytest.fixture(scope="module")
def servers():
    url = required_postgres_database()
    first = start_server(database_url=url)
    second = start_server(database_url=url)
    yield first, second
    first.close()
    second.close()
    drop_postgres_database(url)


def _race(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls at once (one thread each, released together); each result is a value or the ClientError."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except ClientError as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _errors(results: list[object]) -> list[tuple[str, int]]:
    return [(r.response["Error"]["Code"], r.response["ResponseMetadata"]["HTTPStatusCode"])
            for r in results if isinstance(r, ClientError)]


def _clients(servers, service: str) -> list:
    """THREADS clients, alternating between the two servers (made before the race: client creation is slow)."""
    return [servers[i % 2].client(service) for i in range(THREADS)]


def test_access_keys_per_user_stay_at_two(servers):
    iam = servers[0].client("iam")
    clients = _clients(servers, "iam")
    for round_ in range(ROUNDS):
        name = f"keys-{round_}"
        iam.create_user(UserName=name)
        results = _race([lambda c=c: c.create_access_key(UserName=name) for c in clients])
        keys = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
        assert len(keys) == 2, f"round {round_}: {len(keys)} keys"
        assert sum(not isinstance(r, ClientError) for r in results) == 2
        assert set(_errors(results)) == {("LimitExceeded", 409)}
        for key in keys:
            iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
        iam.delete_user(UserName=name)


def test_access_keys_of_the_root_user_stay_at_two(servers):
    iam = servers[0].client("iam")
    clients = _clients(servers, "iam")
    for round_ in range(ROUNDS):
        results = _race([lambda c=c: c.create_access_key() for c in clients])
        keys = iam.list_access_keys()["AccessKeyMetadata"]
        assert len(keys) == 2, f"round {round_}: {len(keys)} root keys"
        assert set(_errors(results)) == {("LimitExceeded", 409)}
        for result in results:
            if not isinstance(result, ClientError):
                iam.delete_access_key(AccessKeyId=result["AccessKey"]["AccessKeyId"])


def test_no_key_outlives_its_user(servers):
    """DeleteUser on one server, CreateAccessKey on the other: either the key exists and the user does too
    (DeleteConflict), or the user is gone and so is every key: a new user of that name has none."""
    iam = servers[0].client("iam")
    deleters = [servers[0].client("iam") for _ in range(THREADS // 2)]
    creators = [servers[1].client("iam") for _ in range(THREADS // 2)]
    for round_ in range(ROUNDS):
        name = f"doomed-{round_}"
        iam.create_user(UserName=name)
        calls = [lambda c=c: c.delete_user(UserName=name) for c in deleters]
        calls += [lambda c=c: c.create_access_key(UserName=name) for c in creators]
        results = _race(calls)
        assert not [e for e in _errors(results) if e[1] >= 500], _errors(results)
        created = [r["AccessKey"] for r in results if isinstance(r, dict) and "AccessKey" in r]
        deleted = any(isinstance(r, dict) and "AccessKey" not in r for r in results[:len(deleters)])
        if deleted:
            iam.create_user(UserName=name)
            assert iam.list_access_keys(UserName=name)["AccessKeyMetadata"] == [], f"round {round_}: orphan key"
            for key in created:
                assert error_of(servers[1].client_for(key, "sts").get_caller_identity)[0] == "InvalidClientTokenId"
            assert not created, f"round {round_}: a key was created for a deleted user"
        for key in created:
            assert servers[1].client_for(key, "sts").get_caller_identity()["Arn"].endswith(f":user/{name}")
            iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
        iam.delete_user(UserName=name)


def test_no_login_profile_or_attachment_outlives_its_user(servers):
    """DeleteUser on one server, CreateLoginProfile and AttachUserPolicy on the other: a user that is gone leaves
    neither a password nor an attachment behind (the policy lists no entity; a new user of the name has none)."""
    iam = servers[0].client("iam")
    document = policy_document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    policy = iam.create_policy(PolicyName="outlived", PolicyDocument=document)["Policy"]["Arn"]
    deleters = [servers[0].client("iam") for _ in range(2)]
    creators = [servers[1].client("iam") for _ in range(2)]
    for round_ in range(ROUNDS):
        name = f"short-lived-{round_}"
        iam.create_user(UserName=name)
        results = _race([
            *[lambda c=c: c.delete_user(UserName=name) for c in deleters],
            lambda: creators[0].create_login_profile(UserName=name, Password="Correct-Horse-7-Battery"),
            lambda: creators[1].attach_user_policy(UserName=name, PolicyArn=policy),
        ])
        assert not [e for e in _errors(results) if e[1] >= 500], _errors(results)
        deleted = any(isinstance(r, dict) for r in results[:2])
        if deleted:
            assert iam.list_entities_for_policy(PolicyArn=policy)["PolicyUsers"] == [], f"round {round_}"
            iam.create_user(UserName=name)
            assert error_of(iam.get_login_profile, UserName=name)[0] == "NoSuchEntity", f"round {round_}"
        else:
            if not isinstance(results[2], ClientError):
                iam.delete_login_profile(UserName=name)
            if not isinstance(results[3], ClientError):
                iam.detach_user_policy(UserName=name, PolicyArn=policy)
        iam.delete_user(UserName=name)


def test_names_are_unique_per_account(servers):
    clients = _clients(servers, "iam")
    for round_ in range(ROUNDS):
        name = f"same-{round_}"
        users = _race([lambda c=c: c.create_user(UserName=name) for c in clients])
        roles = _race([lambda c=c: c.create_role(RoleName=name, AssumeRolePolicyDocument=policy_document(
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
            for c in clients])
        groups = _race([lambda c=c: c.create_group(GroupName=name) for c in clients])
        for results in (users, roles, groups):
            assert sum(not isinstance(r, ClientError) for r in results) == 1
            assert _errors(results) == [("EntityAlreadyExists", 409)] * (THREADS - 1)


def test_five_versions_per_managed_policy(servers):
    iam = servers[0].client("iam")
    clients = _clients(servers, "iam")
    document = policy_document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    for round_ in range(ROUNDS):
        arn = iam.create_policy(PolicyName=f"versions-{round_}", PolicyDocument=document)["Policy"]["Arn"]
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=document)
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=document)
        results = _race([lambda c=c: c.create_policy_version(PolicyArn=arn, PolicyDocument=document)
                         for c in clients])
        assert len(iam.list_policy_versions(PolicyArn=arn)["Versions"]) == 5, f"round {round_}"
        assert set(_errors(results)) == {("LimitExceeded", 409)}


def test_ten_managed_policies_per_user(servers):
    iam = servers[0].client("iam")
    clients = _clients(servers, "iam")
    document = policy_document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    arns = [iam.create_policy(PolicyName=f"attachable-{i}", PolicyDocument=document)["Policy"]["Arn"]
            for i in range(8 + THREADS)]
    for round_ in range(ROUNDS):
        name = f"attached-{round_}"
        iam.create_user(UserName=name)
        for arn in arns[:8]:
            iam.attach_user_policy(UserName=name, PolicyArn=arn)
        results = _race([lambda c=c, a=a: c.attach_user_policy(UserName=name, PolicyArn=a)
                         for c, a in zip(clients, arns[8:])])
        attached = iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]
        assert len(attached) == 10, f"round {round_}: {len(attached)} attached"
        assert set(_errors(results)) == {("LimitExceeded", 409)}


def _race_puts(clients: list, bucket: str, key: str) -> None:
    """Every client puts ``body <n>`` to one key at once; none may fail."""
    results = _race([lambda c=c, n=n: c.put_object(Bucket=bucket, Key=key, Body=f"body {n}".encode())
                     for n, c in enumerate(clients)])
    assert _errors(results) == [], key


def test_concurrent_puts_of_one_key_last_writer_wins(servers):
    """PutObject of one key from both servers at once: every put succeeds (S3: the last writer wins), and the key
    ends with exactly one current version, one of the bodies sent (bench finding: a 500 UniqueViolation)."""
    servers[0].client("s3").create_bucket(Bucket="raced-puts")
    clients = _clients(servers, "s3")
    for round_ in range(ROUNDS):
        key = f"object-{round_}"
        _race_puts(clients, "raced-puts", key)
        body = servers[1].client("s3").get_object(Bucket="raced-puts", Key=key)["Body"].read().decode()
        assert body in {f"body {n}" for n in range(THREADS)}
        versions = servers[0].client("s3").list_object_versions(Bucket="raced-puts", Prefix=key)["Versions"]
        assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [("null", True)], f"round {round_}"


def test_concurrent_puts_and_deletes_on_a_versioned_bucket(servers):
    """Versioned bucket: racing puts each add a version, exactly one of them current; racing permanent deletes of
    one version all succeed (DeleteObject is idempotent) and remove it once."""
    s3 = servers[0].client("s3")
    s3.create_bucket(Bucket="raced-versions")
    s3.put_bucket_versioning(Bucket="raced-versions", VersioningConfiguration={"Status": "Enabled"})
    clients = _clients(servers, "s3")
    for round_ in range(ROUNDS):
        key = f"object-{round_}"
        _race_puts(clients, "raced-versions", key)
        versions = s3.list_object_versions(Bucket="raced-versions", Prefix=key)["Versions"]
        assert len(versions) == THREADS and sum(v["IsLatest"] for v in versions) == 1, f"round {round_}"
        doomed = versions[0]["VersionId"]
        results = _race([lambda c=c: c.delete_object(Bucket="raced-versions", Key=key, VersionId=doomed)
                         for c in clients])
        assert _errors(results) == [], f"round {round_}"
        left = s3.list_object_versions(Bucket="raced-versions", Prefix=key)["Versions"]
        assert len(left) == THREADS - 1 and sum(v["IsLatest"] for v in left) == 1, f"round {round_}"


def test_concurrent_puts_and_deletes_of_one_key(servers):
    """PutObject and DeleteObject of one key at once (unversioned bucket): none fails, and the key ends either
    deleted or holding one of the bodies, as its only (null) version."""
    servers[0].client("s3").create_bucket(Bucket="raced-deletes")
    clients = _clients(servers, "s3")
    for round_ in range(ROUNDS):
        key = f"object-{round_}"
        clients[0].put_object(Bucket="raced-deletes", Key=key, Body=b"first")
        results = _race([(lambda c=c, n=n: c.put_object(Bucket="raced-deletes", Key=key, Body=f"body {n}".encode()))
                         if n % 2 else (lambda c=c: c.delete_object(Bucket="raced-deletes", Key=key))
                         for n, c in enumerate(clients)])
        assert _errors(results) == [], f"round {round_}"
        versions = clients[1].list_object_versions(Bucket="raced-deletes", Prefix=key).get("Versions", [])
        assert [(v["VersionId"], v["IsLatest"]) for v in versions] in ([], [("null", True)]), f"round {round_}"


def _race_names(servers, work) -> list[str]:
    """Run ``work(client_of_service, index)`` for every name from THREADS_PER_SERVER threads per server, all in the
    same order (so that each name's calls meet); the 5xx answers met."""
    failures: list[str] = []

    def run(server) -> None:
        clients = {service: server.client(service, config=Config(retries={"max_attempts": 0}))
                   for service in ("sns", "events", "kms", "cloudwatch")}
        for index in range(NAMES):
            try:
                work(clients.__getitem__, index)
            except ClientError as error:
                if error.response["ResponseMetadata"]["HTTPStatusCode"] >= 500:
                    failures.append(f"{error.operation_name}: {error.response['Error']['Code']}")

    threads = [threading.Thread(target=run, args=(server,)) for server in servers for _ in range(THREADS_PER_SERVER)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def test_writes_that_lose_a_race_answer_as_aws(servers):
    """Calls that race for one name answer as AWS does after the winner's write: the loser's insert met the winner's
    row, or its update a row deleted meanwhile (it answered InternalFailure: a unique or foreign key violation, or
    the ORM's StaleDataError); the losing request runs again and sees the winner's write (Gateway._run)."""
    first = servers[0]

    def topics_and_rules(client, index):
        arn = client("sns").create_topic(Name=f"race-{index}")["TopicArn"]
        assert arn.endswith(f":race-{index}")
        client("events").put_rule(Name=f"race-{index}", EventPattern=json.dumps({"source": ["race"]}))

    assert _race_names(servers, topics_and_rules) == []
    sns, events = first.client("sns"), first.client("events")
    topics = [t["TopicArn"] for page in sns.get_paginator("list_topics").paginate() for t in page["Topics"]]
    assert sorted(topics) == sorted(f"arn:aws:sns:us-east-1:000000000000:race-{i}" for i in range(NAMES))
    assert len(events.list_rules(NamePrefix="race-")["Rules"]) == NAMES

    def targets_of_deleted_rules(client, index):
        events_client = client("events")
        try:
            events_client.put_targets(Rule=f"race-{index}", Targets=[{
                "Id": "t", "Arn": f"arn:aws:sns:us-east-1:000000000000:race-{index}"}])
            events_client.remove_targets(Rule=f"race-{index}", Ids=["t"])
            events_client.delete_rule(Name=f"race-{index}")
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                raise

    assert _race_names(servers, targets_of_deleted_rules) == []
    keys = [first.client("kms").create_key()["KeyMetadata"]["KeyId"] for _ in range(2)]

    def updates_of_deleted_rows(client, index):
        """An alias or alarm updated while another server deletes it."""
        kms, cloudwatch = client("kms"), client("cloudwatch")
        alias = f"alias/race-{index % 6}"
        for call in (lambda: kms.create_alias(AliasName=alias, TargetKeyId=keys[0]),
                     lambda: kms.update_alias(AliasName=alias, TargetKeyId=keys[index % 2]),
                     lambda: kms.delete_alias(AliasName=alias),
                     lambda: cloudwatch.put_metric_alarm(
                         AlarmName=f"race-{index % 6}", MetricName="m", Namespace="race", Statistic="Sum",
                         Period=60, EvaluationPeriods=1, Threshold=index, ComparisonOperator="GreaterThanThreshold"),
                     lambda: cloudwatch.delete_alarms(AlarmNames=[f"race-{index % 6}"])):
            try:
                call()
            except ClientError as error:
                if error.response["ResponseMetadata"]["HTTPStatusCode"] >= 500:
                    raise

    assert _race_names(servers, updates_of_deleted_rows) == []


DELETES = {  # service: (create one, delete it, the error AWS answers a delete of what is gone)
    "iam-user": ("iam", lambda c, n: c.create_user(UserName=n), lambda c, n: c.delete_user(UserName=n),
                 "NoSuchEntity"),
    "iam-role": ("iam", lambda c, n: c.create_role(RoleName=n, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]})),
                 lambda c, n: c.delete_role(RoleName=n), "NoSuchEntity"),
    "iam-group": ("iam", lambda c, n: c.create_group(GroupName=n), lambda c, n: c.delete_group(GroupName=n),
                  "NoSuchEntity"),
    "s3-bucket": ("s3", lambda c, n: c.create_bucket(Bucket=n), lambda c, n: c.delete_bucket(Bucket=n),
                  "NoSuchBucket"),
    "logs-group": ("logs", lambda c, n: c.create_log_group(logGroupName=n),
                   lambda c, n: c.delete_log_group(logGroupName=n), "ResourceNotFoundException"),
    "sqs-queue": ("sqs", lambda c, n: c.create_queue(QueueName=n),
                  lambda c, n: c.delete_queue(QueueUrl=c.get_queue_url(QueueName=n)["QueueUrl"]),
                  "AWS.SimpleQueueService.NonExistentQueue"),
    "iam-policy": ("iam", lambda c, n: c.create_policy(PolicyName=n, PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})),
                   lambda c, n: c.delete_policy(PolicyArn=f"arn:aws:iam::000000000000:policy/{n}"), "NoSuchEntity"),
    "log-stream": ("logs", lambda c, n: (c.create_log_group(logGroupName=n), c.create_log_stream(
        logGroupName=n, logStreamName=n)), lambda c, n: c.delete_log_stream(logGroupName=n, logStreamName=n),
                   "ResourceNotFoundException"),
    "kms-key": ("kms", lambda c, n: c.create_alias(AliasName=f"alias/{n}", TargetKeyId=c.create_key()[
        "KeyMetadata"]["KeyId"]),  # ScheduleKeyDeletion takes a key ID, not an alias: DescribeKey resolves it
                lambda c, n: c.schedule_key_deletion(KeyId=c.describe_key(KeyId=f"alias/{n}")["KeyMetadata"]["KeyId"]),
                "KMSInvalidStateException"),
    "kms-alias": ("kms", lambda c, n: c.create_alias(AliasName=f"alias/{n}", TargetKeyId=c.create_key()[
        "KeyMetadata"]["KeyId"]), lambda c, n: c.delete_alias(AliasName=f"alias/{n}"), "NotFoundException"),
}


@pytest.mark.parametrize("kind", sorted(DELETES))
def test_concurrent_deletes_of_one_resource_succeed_once(servers, kind):
    """Deletes of one resource from both servers at once: one succeeds, the others answer the service's not-found
    error, as on AWS (both servers read the row, the second DELETE matched none and answered success; two
    ScheduleKeyDeletion calls both saw the key enabled and both answered success)."""
    service, create, delete, missing = DELETES[kind]
    clients = _clients(servers, service)
    for round_ in range(ROUNDS):
        name = f"del-{kind}-{round_}"
        create(clients[0], name)
        results = _race([lambda client=client: delete(client, name) for client in clients])
        assert sum(not isinstance(r, ClientError) for r in results) == 1, (round_, _errors(results))
        assert {code for code, _ in _errors(results)} == {missing}


def _organization_root(server) -> str:
    """The root of the bootstrap account's organization (made by the first test that needs it)."""
    organizations = server.client("organizations")
    try:
        organizations.create_organization(FeatureSet="ALL")
    except ClientError as error:
        assert error.response["Error"]["Code"] == "AlreadyInOrganizationException"
    return organizations.list_roots()["Roots"][0]["Id"]


def test_concurrent_creates_of_one_ou_name_succeed_once(servers):
    """CreateOrganizationalUnit for one name under one parent from both servers at once: one OU, the others
    DuplicateOrganizationalUnitException (both servers found the name free and created two OUs of one name)."""
    organizations = servers[0].client("organizations")
    root = _organization_root(servers[0])
    clients = _clients(servers, "organizations")
    for round_ in range(ROUNDS):
        name = f"race-ou-{round_}"
        results = _race([lambda client=client: client.create_organizational_unit(ParentId=root, Name=name)
                         for client in clients])
        assert sum(not isinstance(r, ClientError) for r in results) == 1, (round_, _errors(results))
        assert {code for code, _ in _errors(results)} == {"DuplicateOrganizationalUnitException"}
    units = organizations.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]
    assert sorted(unit["Name"] for unit in units if unit["Name"].startswith("race-ou-")) == [
        f"race-ou-{i}" for i in range(ROUNDS)]


def test_policies_are_not_attached_to_what_another_server_deletes(servers):
    """AttachPolicy on one server while the other deletes the policy, or the OU it targets: either the attach wins
    (PolicyInUseException; the OU's deletion takes its attachments) or the deletion does (PolicyNotFoundException,
    TargetNotFoundException). Both answered success, and the attachment outlived the policy: ListPoliciesForTarget
    of the OU then failed with PolicyNotFoundException."""
    first, second = (server.client("organizations") for server in servers)
    root = _organization_root(servers[0])
    scp = policy_document({"Effect": "Allow", "Action": "*", "Resource": "*"})
    try:
        first.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    except ClientError as error:
        assert error.response["Error"]["Code"] == "PolicyTypeAlreadyEnabledException"
    for round_ in range(ROUNDS):
        unit = first.create_organizational_unit(ParentId=root, Name=f"attach-{round_}")["OrganizationalUnit"]["Id"]
        policy = first.create_policy(Name=f"attach-{round_}", Description="d", Type="SERVICE_CONTROL_POLICY",
                                     Content=scp)["Policy"]["PolicySummary"]["Id"]
        deleted, attached = _race([lambda: first.delete_policy(PolicyId=policy),
                                   lambda: second.attach_policy(PolicyId=policy, TargetId=unit)])
        outcome = [r.response["Error"]["Code"] if isinstance(r, ClientError) else "ok" for r in (deleted, attached)]
        assert outcome in (["ok", "PolicyNotFoundException"], ["PolicyInUseException", "ok"]), (round_, outcome)
        listed = [p["Id"] for p in first.list_policies_for_target(TargetId=unit, Filter="SERVICE_CONTROL_POLICY")[
            "Policies"]]
        assert (policy in listed) == (outcome[1] == "ok")
        kept = first.create_policy(Name=f"kept-{round_}", Description="d", Type="SERVICE_CONTROL_POLICY",
                                   Content=scp)["Policy"]["PolicySummary"]["Id"]
        _race([lambda: first.delete_organizational_unit(OrganizationalUnitId=unit),
               lambda: second.attach_policy(PolicyId=kept, TargetId=unit)])
        assert first.list_targets_for_policy(PolicyId=kept)["Targets"] == []


def test_no_subscription_outlives_its_topic(servers):
    """Subscribe on one server while the other deletes the topic: the subscription is refused (NotFound) or made
    before the deletion, which takes it; it was made after the deletion's and kept, listed by ListSubscriptions."""
    first, second = (server.client("sns") for server in servers)
    for round_ in range(ROUNDS):
        topic = first.create_topic(Name=f"outlived-{round_}")["TopicArn"]
        results = _race([lambda: first.delete_topic(TopicArn=topic), lambda: second.subscribe(
            TopicArn=topic, Protocol="sqs", Endpoint="arn:aws:sqs:us-east-1:000000000000:outlived")])
        assert {code for code, _ in _errors(results)} <= {"NotFound"}
        assert [s for s in first.list_subscriptions()["Subscriptions"] if s["TopicArn"] == topic] == []


def test_a_rule_keeps_five_targets_at_most(servers):
    """PutTargets of one new target each, from six clients on both servers: five are put, one is refused
    (LimitExceededException); every server counted the targets before the others' were put and six were kept."""
    events = servers[0].client("events")
    clients = _clients(servers, "events")
    for round_ in range(ROUNDS):
        rule = f"five-targets-{round_}"
        events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["race"]}))
        results = _race([lambda client=client, index=index: client.put_targets(Rule=rule, Targets=[{
            "Id": f"t{index}", "Arn": f"arn:aws:sns:us-east-1:000000000000:t{index}"}])
            for index, client in enumerate(clients)])
        assert _errors(results) == [("LimitExceededException", 400)], round_
        assert len(events.list_targets_by_rule(Rule=rule)["Targets"]) == 5


def _raced_sequence_numbers(clients: list, send: Callable[[object, str], dict]) -> list[int]:
    """The sequence numbers of ROUNDS rounds of ``send(client, message)`` from every client at once (each message
    its own), none refused."""
    numbers = []
    for round_ in range(ROUNDS):
        results = _race([lambda client=client, index=index: send(client, f"{round_}-{index}")
                         for index, client in enumerate(clients)])
        assert _errors(results) == []
        numbers += [int(result["SequenceNumber"]) for result in results]
    return numbers


def test_fifo_publishes_on_two_servers_get_distinct_sequence_numbers(servers):
    """Publishes to one FIFO topic from six clients on both servers: every message has its own sequence number
    (each server read the topic's last number before the other's publish moved it: 36 messages, 23 numbers)."""
    topic = servers[0].client("sns").create_topic(Name="sequence.fifo", Attributes={
        "FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
    numbers = _raced_sequence_numbers(_clients(servers, "sns"), lambda client, message: client.publish(
        TopicArn=topic, Message=message, MessageGroupId="g"))
    assert len(set(numbers)) == len(numbers) == ROUNDS * THREADS


def test_fifo_queue_sends_on_two_servers_are_numbered_and_deduplicated(servers):
    """SendMessage to one FIFO queue from six clients on both servers: every message has its own sequence number,
    and six sends of one body (content-based deduplication) store one message under one id (before: 36 messages
    got 21 numbers, and the six duplicates were stored twice under two ids)."""
    sqs = servers[0].client("sqs")
    url = sqs.create_queue(QueueName="sequence.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    clients = _clients(servers, "sqs")
    numbers = _raced_sequence_numbers(clients, lambda client, message: client.send_message(
        QueueUrl=url, MessageBody=message, MessageGroupId="g"))
    assert len(set(numbers)) == len(numbers) == ROUNDS * THREADS
    results = _race([lambda client=client: client.send_message(QueueUrl=url, MessageBody="once", MessageGroupId="g")
                     for client in clients])
    assert len({result["MessageId"] for result in results}) == 1
    count = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert int(count["ApproximateNumberOfMessages"]) == ROUNDS * THREADS + 1


def test_concurrent_create_accounts_with_one_email_create_one_account(servers):
    """CreateAccount with one email from six clients on both servers: one account; the other requests fail with
    EMAIL_ALREADY_EXISTS (each server looked the email up before the other's account existed: two accounts)."""
    _organization_root(servers[0])
    organizations = servers[0].client("organizations")
    clients = _clients(servers, "organizations")
    for round_ in range(ROUNDS):
        email = f"raced-{round_}@example.com"
        results = _race([lambda client=client, index=index: client.create_account(
            Email=email, AccountName=f"raced-{round_}-{index}") for index, client in enumerate(clients)])
        assert _errors(results) == []
        reasons = []
        for result in results:
            request = {"CreateAccountRequestId": result["CreateAccountStatus"]["Id"]}
            status = organizations.describe_create_account_status(**request)["CreateAccountStatus"]
            while status["State"] == "IN_PROGRESS":
                time.sleep(0.2)
                status = organizations.describe_create_account_status(**request)["CreateAccountStatus"]
            reasons.append(status.get("FailureReason", ""))
        assert sorted(reasons) == [""] + ["EMAIL_ALREADY_EXISTS"] * (THREADS - 1), round_
    pages = organizations.get_paginator("list_accounts").paginate()
    emails = [account["Email"] for page in pages for account in page["Accounts"]]
    assert all(emails.count(f"raced-{round_}@example.com") == 1 for round_ in range(ROUNDS))


def test_conditional_writes_of_one_key_on_two_servers_succeed_once(servers):
    """PutObject with If-None-Match: * (and then If-Match the key's ETag) from six clients on both servers: one
    write wins, the others answer 412 PreconditionFailed, as S3's conditional writes promise (each server checked
    the condition before the other's write: two or three writes succeeded)."""
    servers[0].client("s3").create_bucket(Bucket="conditional")
    clients = _clients(servers, "s3")
    for round_ in range(ROUNDS):
        key = f"key-{round_}"
        created = _race([lambda client=client, index=index: client.put_object(
            Bucket="conditional", Key=key, Body=f"{index}".encode(), IfNoneMatch="*")
            for index, client in enumerate(clients)])
        assert _errors(created) == [("PreconditionFailed", 412)] * (THREADS - 1), round_
        [etag] = [result["ETag"] for result in created if not isinstance(result, ClientError)]
        replaced = _race([lambda client=client, index=index: client.put_object(
            Bucket="conditional", Key=key, Body=f"again {index}".encode(), IfMatch=etag)
            for index, client in enumerate(clients)])
        assert _errors(replaced) == [("PreconditionFailed", 412)] * (THREADS - 1), round_


def test_a_multipart_upload_is_completed_or_aborted_not_both(servers):
    """CompleteMultipartUpload twice and AbortMultipartUpload at once on both servers: either the completions win
    (both answer the object; the abort NoSuchUpload) or the abort does (both completions NoSuchUpload, no object);
    the second completion answered InvalidPart, the parts gone under it."""
    s3 = servers[0].client("s3")
    s3.create_bucket(Bucket="completed")
    clients = _clients(servers, "s3")
    for round_ in range(ROUNDS):
        key = f"upload-{round_}"
        upload = s3.create_multipart_upload(Bucket="completed", Key=key)["UploadId"]
        part = s3.upload_part(Bucket="completed", Key=key, UploadId=upload, PartNumber=1, Body=b"x" * 10)["ETag"]
        outcome = [r.response["Error"]["Code"] if isinstance(r, ClientError) else "ok" for r in _race([
            lambda client=client: client.complete_multipart_upload(
                Bucket="completed", Key=key, UploadId=upload, MultipartUpload={"Parts": [{"PartNumber": 1,
                                                                                           "ETag": part}]})
            for client in clients[:2]] + [lambda: clients[2].abort_multipart_upload(
                Bucket="completed", Key=key, UploadId=upload)])]
        assert outcome in (["ok", "ok", "NoSuchUpload"], ["NoSuchUpload", "NoSuchUpload", "ok"]), (round_, outcome)
        objects = s3.list_objects_v2(Bucket="completed", Prefix=key).get("Contents", [])
        assert len(objects) == (outcome[0] == "ok")
