"""Two servers on one PostgreSQL database, their write transactions side by side: calls that race for one name
answer as AWS does after the winner's write (the loser's insert met the winner's row, or its update a row deleted
meanwhile: it answered InternalFailure, a unique or foreign key violation or the ORM's StaleDataError). The losing request runs again and sees the winner's row (Gateway._run)."""

from __future__ import annotations

import json
import threading

from botocore.config import Config
from botocore.exceptions import ClientError
from harness import drop_postgres_database, required_postgres_database, start_server

NAMES = 60
THREADS_PER_SERVER = 3


def _race(servers, work) -> list[str]:
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


def test_creates_racing_across_servers_answer_as_aws():
    url = required_postgres_database()
    first = start_server(database_url=url)
    try:
        second = start_server(database_url=url)
        try:
            def topics_and_rules(client, index):
                arn = client("sns").create_topic(Name=f"race-{index}")["TopicArn"]
                assert arn.endswith(f":race-{index}")
                client("events").put_rule(Name=f"race-{index}", EventPattern=json.dumps({"source": ["race"]}))

            assert _race((first, second), topics_and_rules) == []
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

            assert _race((first, second), targets_of_deleted_rules) == []
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

            assert _race((first, second), updates_of_deleted_rows) == []
        finally:
            second.close()
    finally:
        first.close()
        drop_postgres_database(url)
