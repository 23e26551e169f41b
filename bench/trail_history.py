"""CloudTrail Event history at scale: start-up, GetCallerIdentity req/s and LookupEvents latency with N stored records
against a history of one page or so (target: within 10%).

    .venv/bin/python bench/trail_history.py [--records 1000000] [--baseline 1000] [--seconds 3] [--rounds 3]
                                            [--workers 1|2|4] [--json] [--every-lookup]

``--workers 1`` measures the SQLite store (one process); more measures ``rootplane serve --workers N`` on a fresh
PostgreSQL database per history (bench/stores.py), dropped afterwards.

The baseline holds ``--baseline`` records of the same shape (an empty history would answer the Username lookup with
nothing, which is no comparison), spread over fewer users (at most 500, at least 50 records each) so the Username lookup
answers a full page of 50 in both stores and the comparison is of the lookup, not of the answer's size.

The records are written straight into a stopped store through the recorder's own insert (plain.put_events), spread
over the last 80 days of the bootstrap account in us-east-1 (the account every lookup below reads), so the history
is as large as a busy account's 90 days. Each round restarts the server on each store. The lookups start once the
server and the machine are quiet after the GetCallerIdentity load (its records written, the WAL checkpointed), so they
measure the history's size, not what the load left behind.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).parent))

from loadgen import sign_query_requests, sign_requests, throughput  # noqa: E402
from servers import settle, start_rootplane  # noqa: E402
from stores import BenchStore  # noqa: E402

ACCOUNT = "000000000000"
_NAMES = ("CreateUser", "GetUser", "ListUsers", "AssumeRoot", "PutBucketPolicy", "DeleteAccessKey", "ListAccounts")


def _prefill(store: BenchStore, count: int) -> float:
    """Write ``count`` records into ``store`` (then settled: ``BenchStore.settle_written``); returns the seconds the
    writes took."""
    from rootplane.server import build_gateway
    from rootplane.services.cloudtrail import plain

    gateway = build_gateway(store.config())
    now = dt.datetime.now(dt.timezone.utc)
    started = time.perf_counter()
    step = dt.timedelta(days=80) / max(count, 1)
    users = max(1, min(500, count // 50))
    for first in range(0, count, 20000):
        batch = []
        for index in range(first, min(count, first + 20000)):
            name = _NAMES[index % len(_NAMES)]
            event_id = str(uuid.UUID(int=index + 1))
            when = now - dt.timedelta(days=80) + step * index
            user = f"user{index % users:04d}"
            record = {
                "eventVersion": "1.10", "userIdentity": {
                    "type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": f"arn:aws:iam::{ACCOUNT}:user/{user}",
                    "accountId": ACCOUNT, "accessKeyId": "AKIAEXAMPLE", "userName": user},
                "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "eventSource": "iam.amazonaws.com",
                "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": "127.0.0.1",
                "userAgent": "Boto3/1.44.8 md/Botocore#1.44.8 ua/2.1 os/linux", "requestParameters": {
                    "userName": user}, "responseElements": None, "requestID": event_id, "eventID": event_id,
                "readOnly": name.startswith(("Get", "List")), "eventType": "AwsApiCall", "managementEvent": True,
                "recipientAccountId": ACCOUNT, "eventCategory": "Management"}
            resources = (("AWS::IAM::User", user),)
            batch.append(plain.NewEvent(
                event_id=event_id, account_id=ACCOUNT, region="us-east-1", event_time=when, event_name=name,
                event_source="iam.amazonaws.com", read_only=record["readOnly"], username=user,
                access_key_id="AKIAEXAMPLE", resources_json=json.dumps(resources),
                record=json.dumps(record, separators=(",", ":")), deciding_statement=None, resources=resources))
        with gateway.store.transaction() as session:
            plain.put_events(session.connection(), batch)
    seconds = time.perf_counter() - started
    gateway.store.dispose()
    store.settle_written()
    return seconds


def _lookup(endpoint: str, attribute: dict | None, calls: int = 30, **fields) -> tuple[float, dict]:
    """Median milliseconds of one LookupEvents call (a page of 50; ``fields``: more of the request, e.g. a time
    range or NextToken), one connection, sequential; and the last answer."""
    body = json.dumps({"MaxResults": 50, **({"LookupAttributes": [attribute]} if attribute else {}), **fields}).encode()
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target":
               "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"}
    path, signed, payload, method = sign_requests(endpoint, "cloudtrail", [("POST", "/", body, headers)])[0]
    parts = urlsplit(endpoint)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        connection.request(method, path, body=payload, headers=signed)
        response = connection.getresponse()
        answer = response.read()
        times.append(time.perf_counter() - started)
        if response.status != 200:
            raise RuntimeError(f"LookupEvents answered {response.status}: {answer[:200]!r}")
        if not json.loads(answer)["Events"]:
            raise RuntimeError(f"LookupEvents found no events for {attribute} {fields}")
    return 1000 * statistics.median(times), json.loads(answer)


def _lookup_ms(endpoint: str, attribute: dict | None, calls: int = 30) -> float:
    """Median milliseconds of one LookupEvents call (first page of 50), one connection, sequential."""
    return _lookup(endpoint, attribute, calls)[0]


def _every_lookup_ms(endpoint: str) -> dict[str, float]:
    """The other LookupAttributes (values every history holds), a five-day time range and a second page."""
    attributes = {"EventId": str(uuid.UUID(int=501)), "EventName": "AssumeRoot", "EventSource": "iam.amazonaws.com",
                  "AccessKeyId": "AKIAEXAMPLE", "ReadOnly": "false", "ResourceType": "AWS::IAM::User",
                  "ResourceName": "user0007"}
    figures = {f"LookupEvents_by_{key}_ms": _lookup_ms(endpoint, {"AttributeKey": key, "AttributeValue": value})
               for key, value in attributes.items()}
    now = time.time()
    figures["LookupEvents_time_range_ms"] = _lookup(endpoint, None, StartTime=now - 10 * 86400,
                                                    EndTime=now - 5 * 86400)[0]
    token = _lookup(endpoint, None, 1)[1]["NextToken"]
    figures["LookupEvents_second_page_ms"] = _lookup(endpoint, None, NextToken=token)[0]
    return figures


def _measure(store: BenchStore, seconds: float, every_lookup: bool) -> dict[str, float]:
    server = start_rootplane(store=store)
    try:
        identity = sign_query_requests(server.endpoint, "sts", ["Action=GetCallerIdentity&Version=2011-06-15"])
        rate = throughput(server.endpoint, identity, workers=4, seconds=seconds).rate
        settle([server.process], machine=True)  # the load's records written and checkpointed before the lookups
        return {"ready_s": server.ready_seconds, "GetCallerIdentity_rps": rate,
                "LookupEvents_ms": _lookup_ms(server.endpoint, None),
                "LookupEvents_by_user_ms": _lookup_ms(server.endpoint,
                                                      {"AttributeKey": "Username", "AttributeValue": "user0007"}),
                **(_every_lookup_ms(server.endpoint) if every_lookup else {})}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="1: SQLite; more: PostgreSQL with that many workers")
    parser.add_argument("--json", action="store_true", help="print one JSON object (for run.py)")
    parser.add_argument("--every-lookup", action="store_true",
                        help="also every other LookupAttribute, a time range and a second page")
    options = parser.parse_args()
    empty, full = BenchStore(options.workers), BenchStore(options.workers)
    try:
        _prefill(empty, options.baseline)
        fill_seconds = _prefill(full, options.records)
        print(f"{options.records} records written in {fill_seconds:.1f} s", file=sys.stderr)
        rounds: dict[str, dict[str, list[float]]] = {"empty": {}, "full": {}}
        for _ in range(options.rounds):
            for name, store in (("empty", empty), ("full", full)):
                for metric, value in _measure(store, options.seconds, options.every_lookup).items():
                    rounds[name].setdefault(metric, []).append(value)
        result = {"records": options.records, "baseline": options.baseline, "fill_seconds": fill_seconds,
                  "store": empty.name, **{
            name: {metric: {"value": statistics.median(values), "min": min(values), "max": max(values)}
                   for metric, values in metrics.items()} for name, metrics in rounds.items()}}
    finally:
        empty.remove()
        full.remove()
    if options.json:
        print(json.dumps(result))
        return
    for metric in result["empty"]:
        a, b = result["empty"][metric]["value"], result["full"][metric]["value"]
        print(f"{metric:<34}{a:>12.3f}{b:>12.3f}{b / a if a else float('nan'):>8.2f}")


if __name__ == "__main__":
    main()
