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
is as large as a busy account's 90 days. Each round starts a server on each store, one after the other (the order
alternating from round to round; each first signed answer timed alone), keeps both running, loads each in turn with
GetCallerIdentity, and, once the servers and the machine are quiet (the loads' records written, the WAL
checkpointed), times the lookups alternating between the two servers call by call, so that they measure the
history's size, not what the load left behind nor what else the machine did meanwhile. A ratio is the median of the
rounds' own ratios, with their spread.
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
from servers import RunningServer, settle, start_rootplane  # noqa: E402
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


class _Lookup:
    """One connection to a server replaying one signed LookupEvents request (a page of 50; ``fields``: more of the
    request, e.g. a time range or NextToken)."""

    def __init__(self, endpoint: str, attribute: dict | None, **fields) -> None:
        self.attribute, self.fields = attribute, fields
        body = json.dumps({"MaxResults": 50, **({"LookupAttributes": [attribute]} if attribute else {}),
                           **fields}).encode()
        headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target":
                   "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"}
        self.path, self.headers, self.body, self.method = sign_requests(
            endpoint, "cloudtrail", [("POST", "/", body, headers)])[0]
        parts = urlsplit(endpoint)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)

    def call(self) -> tuple[float, dict]:
        """Seconds one call took, and its answer."""
        started = time.perf_counter()
        self.connection.request(self.method, self.path, body=self.body, headers=self.headers)
        response = self.connection.getresponse()
        answer = response.read()
        seconds = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"LookupEvents answered {response.status}: {answer[:200]!r}")
        parsed = json.loads(answer)
        if not parsed["Events"]:
            raise RuntimeError(f"LookupEvents found no events for {self.attribute} {self.fields}")
        return seconds, parsed


def _lookup(endpoint: str, attribute: dict | None, calls: int = 30, **fields) -> tuple[float, dict]:
    """Median milliseconds of one LookupEvents call, one connection, sequential; and the last answer."""
    lookup = _Lookup(endpoint, attribute, **fields)
    answers = [lookup.call() for _ in range(calls)]
    return 1000 * statistics.median(seconds for seconds, _ in answers), answers[-1][1]


def _paired_lookup_ms(endpoints: dict[str, str], attribute: dict | None, calls: int = 30) -> dict[str, float]:
    """Median milliseconds of one LookupEvents call on each server, the servers' calls alternating one by one (the
    first server changing from call to call), so that what else the machine does meanwhile weighs on both alike."""
    lookups = {name: _Lookup(endpoint, attribute) for name, endpoint in endpoints.items()}
    times: dict[str, list[float]] = {name: [] for name in lookups}
    names = list(lookups)
    for index in range(calls):
        for name in names[index % len(names):] + names[:index % len(names)]:
            times[name].append(lookups[name].call()[0])
    return {name: 1000 * statistics.median(values) for name, values in times.items()}


def _every_lookup_ms(endpoint: str) -> dict[str, float]:
    """The other LookupAttributes (values every history holds), a five-day time range and a second page."""
    attributes = {"EventId": str(uuid.UUID(int=501)), "EventName": "AssumeRoot", "EventSource": "iam.amazonaws.com",
                  "AccessKeyId": "AKIAEXAMPLE", "ReadOnly": "false", "ResourceType": "AWS::IAM::User",
                  "ResourceName": "user0007"}
    figures = {f"LookupEvents_by_{key}_ms": _lookup(endpoint, {"AttributeKey": key, "AttributeValue": value})[0]
               for key, value in attributes.items()}
    now = time.time()
    figures["LookupEvents_time_range_ms"] = _lookup(endpoint, None, StartTime=now - 10 * 86400,
                                                    EndTime=now - 5 * 86400)[0]
    token = _lookup(endpoint, None, 1)[1]["NextToken"]
    figures["LookupEvents_second_page_ms"] = _lookup(endpoint, None, NextToken=token)[0]
    return figures


def _round(stores: dict[str, BenchStore], seconds: float, every_lookup: bool) -> dict[str, dict[str, float]]:
    """One round on every store (in the order given): each server started alone (its first signed answer timed),
    then, all of them running, each one's GetCallerIdentity load, and the lookups once every server and the machine
    are quiet (the load's records written, the WAL checkpointed), alternating between the servers call by call."""
    servers: dict[str, RunningServer] = {}
    try:
        for name, store in stores.items():
            servers[name] = start_rootplane(store=store)
        processes = [server.process for server in servers.values()]
        figures: dict[str, dict[str, float]] = {}
        for name, server in servers.items():
            settle(processes, machine=True)
            identity = sign_query_requests(server.endpoint, "sts", ["Action=GetCallerIdentity&Version=2011-06-15"])
            figures[name] = {"ready_s": server.ready_seconds,
                             "GetCallerIdentity_rps": throughput(server.endpoint, identity, workers=4,
                                                                 seconds=seconds).rate}
        settle(processes, machine=True)
        endpoints = {name: server.endpoint for name, server in servers.items()}
        for metric, attribute in (("LookupEvents_ms", None), ("LookupEvents_by_user_ms",
                                                              {"AttributeKey": "Username", "AttributeValue": "user0007"})):
            for name, value in _paired_lookup_ms(endpoints, attribute).items():
                figures[name][metric] = value
        if every_lookup:
            for name, server in servers.items():
                figures[name].update(_every_lookup_ms(server.endpoint))
        return figures
    finally:
        for server in servers.values():
            server.stop()


def _spread(values: list[float]) -> dict[str, float]:
    return {"value": statistics.median(values), "min": min(values), "max": max(values)}


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
        stores = {"empty": empty, "full": full}
        rounds: dict[str, dict[str, list[float]]] = {"empty": {}, "full": {}, "ratio": {}}
        for number in range(options.rounds):  # the order alternates from round to round
            order = list(stores) if number % 2 == 0 else list(stores)[::-1]
            figures = _round({name: stores[name] for name in order}, options.seconds, options.every_lookup)
            for metric in figures["empty"]:
                for name in stores:
                    rounds[name].setdefault(metric, []).append(figures[name][metric])
                if figures["empty"][metric]:
                    rounds["ratio"].setdefault(metric, []).append(figures["full"][metric] / figures["empty"][metric])
        result = {"records": options.records, "baseline": options.baseline, "fill_seconds": fill_seconds,
                  "store": empty.name, **{name: {metric: _spread(values) for metric, values in metrics.items()}
                                          for name, metrics in rounds.items()}}
    finally:
        empty.remove()
        full.remove()
    if options.json:
        print(json.dumps(result))
        return
    for metric in result["empty"]:
        a, b = result["empty"][metric]["value"], result["full"][metric]["value"]
        ratio = result["ratio"].get(metric, {}).get("value", float("nan"))
        print(f"{metric:<34}{a:>12.3f}{b:>12.3f}{ratio:>8.2f}")


if __name__ == "__main__":
    main()
