"""CloudWatch Logs end to end: log groups (retention, tags, paging), streams, PutLogEvents' batch rules,
GetLogEvents' tokens, FilterLogEvents, metric filters, IAM authorization, and one AWS CLI call."""

from __future__ import annotations

import json
import time

import pytest

from harness import BOOT_ACCOUNT, error_of, policy_document

DAY_MS = 86_400_000


def _now_ms() -> int:
    return int(time.time() * 1000)


@pytest.fixture
def logs(server):
    return server.client("logs")


@pytest.fixture
def group(logs, unique):
    name = f"/test/{unique}"
    logs.create_log_group(logGroupName=name)
    return name


def test_log_group_life_cycle(logs, unique):
    name = f"/app/{unique}"
    logs.create_log_group(logGroupName=name, kmsKeyId=f"arn:aws:kms:us-east-1:{BOOT_ACCOUNT}:key/k1",
                          tags={"team": "ops"})
    assert error_of(logs.create_log_group, logGroupName=name) == (
        "ResourceAlreadyExistsException", "The specified log group already exists", 400)
    found = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    assert len(found) == 1
    arn = f"arn:aws:logs:us-east-1:{BOOT_ACCOUNT}:log-group:{name}"
    assert found[0]["arn"] == f"{arn}:*" and found[0]["logGroupArn"] == arn
    assert found[0]["kmsKeyId"].endswith("key/k1") and found[0]["metricFilterCount"] == 0
    assert "retentionInDays" not in found[0]

    logs.put_retention_policy(logGroupName=name, retentionInDays=30)
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["retentionInDays"] == 30
    code, message, status = error_of(logs.put_retention_policy, logGroupName=name, retentionInDays=2)
    assert (code, status) == ("InvalidParameterException", 400) and "retentionInDays" in message
    logs.delete_retention_policy(logGroupName=name)
    assert "retentionInDays" not in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]

    logs.tag_resource(resourceArn=arn, tags={"env": "test"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "ops", "env": "test"}
    logs.untag_resource(resourceArn=arn, tagKeys=["team"])
    logs.tag_log_group(logGroupName=name, tags={"legacy": "yes"})
    assert logs.list_tags_log_group(logGroupName=name)["tags"] == {"env": "test", "legacy": "yes"}
    assert error_of(logs.tag_resource, resourceArn=arn, tags={f"k{i}": "v" for i in range(50)})[0] == \
        "TooManyTagsException"

    logs.delete_log_group(logGroupName=name)
    assert error_of(logs.delete_log_group, logGroupName=name) == (
        "ResourceNotFoundException", "The specified log group does not exist.", 400)
    assert error_of(logs.create_log_group, logGroupName="bad name!")[0] == "InvalidParameterException"


def test_describe_log_groups_pages_and_patterns(logs, unique):
    names = [f"/page/{unique}/g{i:02d}" for i in range(5)]
    for name in names:
        logs.create_log_group(logGroupName=name)
    seen, token = [], None
    while True:
        page = logs.describe_log_groups(logGroupNamePrefix=f"/page/{unique}/", limit=2,
                                        **({"nextToken": token} if token else {}))
        seen += [group["logGroupName"] for group in page["logGroups"]]
        token = page.get("nextToken")
        if not token:
            break
    assert seen == names
    matched = logs.describe_log_groups(logGroupNamePattern=f"{unique}/g03")["logGroups"]
    assert [group["logGroupName"] for group in matched] == [names[3]]
    assert error_of(logs.describe_log_groups, logGroupNamePrefix="/a", logGroupNamePattern="b")[0] == \
        "InvalidParameterException"
    assert error_of(logs.describe_log_groups, nextToken="not-a-token")[0] == "InvalidParameterException"


def test_describe_log_groups_name_pattern_is_case_sensitive_and_shows_three_members(logs, unique):
    """AWS's DescribeLogGroups reference: logGroupNamePattern is a case-sensitive substring search, and with it only
    arn, creationTime and logGroupName are included in the response."""
    name = f"/pattern/{unique}/DataLogs"
    logs.create_log_group(logGroupName=name)
    logs.put_retention_policy(logGroupName=name, retentionInDays=7)
    [found] = logs.describe_log_groups(logGroupNamePattern=f"{unique}/DataLogs")["logGroups"]
    assert found == {"logGroupName": name, "creationTime": found["creationTime"],
                     "arn": f"arn:aws:logs:us-east-1:{BOOT_ACCOUNT}:log-group:{name}:*"}
    assert logs.describe_log_groups(logGroupNamePattern=f"{unique}/datalogs")["logGroups"] == []
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["retentionInDays"] == 7


def test_streams_and_events(logs, group):
    logs.create_log_stream(logGroupName=group, logStreamName="s1")
    assert error_of(logs.create_log_stream, logGroupName=group, logStreamName="s1") == (
        "ResourceAlreadyExistsException", "The specified log stream already exists", 400)
    assert error_of(logs.put_log_events, logGroupName=group, logStreamName="nope",
                    logEvents=[{"timestamp": _now_ms(), "message": "x"}]) == (
        "ResourceNotFoundException", "The specified log stream does not exist.", 400)
    base = _now_ms() - 60_000
    events = [{"timestamp": base + i, "message": f"line {i}"} for i in range(25)]
    result = logs.put_log_events(logGroupName=group, logStreamName="s1", logEvents=events,
                                 sequenceToken="ignored-token")
    assert "rejectedLogEventsInfo" not in result and result["nextSequenceToken"]

    stream = logs.describe_log_streams(logGroupName=group)["logStreams"][0]
    assert (stream["firstEventTimestamp"], stream["lastEventTimestamp"]) == (base, base + 24)
    assert stream["arn"].endswith(f":log-group:{group}:log-stream:s1")

    # Default: the latest events, oldest first; then backwards and forwards with AWS-shaped tokens.
    latest = logs.get_log_events(logGroupName=group, logStreamName="s1", limit=10)
    assert [e["message"] for e in latest["events"]] == [f"line {i}" for i in range(15, 25)]
    assert latest["nextForwardToken"].startswith("f/") and latest["nextBackwardToken"].startswith("b/")
    assert len(latest["nextForwardToken"]) == 58
    earlier = logs.get_log_events(logGroupName=group, logStreamName="s1", limit=10,
                                  nextToken=latest["nextBackwardToken"])
    assert [e["message"] for e in earlier["events"]] == [f"line {i}" for i in range(5, 15)]
    head = logs.get_log_events(logGroupName=group, logStreamName="s1", limit=10, startFromHead=True)
    assert [e["message"] for e in head["events"]] == [f"line {i}" for i in range(10)]
    after = logs.get_log_events(logGroupName=group, logStreamName="s1", nextToken=latest["nextForwardToken"])
    assert after["events"] == [] and after["nextForwardToken"] == latest["nextForwardToken"]
    windowed = logs.get_log_events(logGroupName=group, logStreamName="s1", startTime=base + 3, endTime=base + 5,
                                   startFromHead=True)
    assert [e["message"] for e in windowed["events"]] == ["line 3", "line 4", "line 5"]
    for token in ("x/1", "f/" + "9" * 56):
        assert error_of(logs.get_log_events, logGroupName=group, logStreamName="s1", nextToken=token)[0] == \
            "InvalidParameterException"
    huge = 2 ** 63 - 1  # past any stored position: an empty answer, not a database overflow
    assert logs.get_log_events(logGroupName=group, logStreamName="s1", startTime=huge, endTime=huge)["events"] == []

    by_time = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime", descending=True)
    assert by_time["logStreams"][0]["logStreamName"] == "s1"
    assert error_of(logs.describe_log_streams, logGroupName=group, orderBy="LastEventTime",
                    logStreamNamePrefix="s")[0] == "InvalidParameterException"
    logs.delete_log_stream(logGroupName=group, logStreamName="s1")
    assert logs.describe_log_streams(logGroupName=group)["logStreams"] == []


def test_put_log_events_batch_rules(logs, group):
    logs.create_log_stream(logGroupName=group, logStreamName="rules")
    now = _now_ms()

    def put(events):
        return logs.put_log_events(logGroupName=group, logStreamName="rules", logEvents=events)

    assert error_of(put, [{"timestamp": now, "message": "b"}, {"timestamp": now - 1, "message": "a"}]) == (
        "InvalidParameterException",
        "Log events in a single PutLogEvents request must be in chronological order.", 400)
    assert error_of(put, [{"timestamp": now - DAY_MS - 1, "message": "a"}, {"timestamp": now, "message": "b"}])[0] \
        == "InvalidParameterException"
    # 1,048,576 bytes with 26 bytes per event: this batch is one byte over.
    size = 1_048_576 - 26 * 4
    big = [{"timestamp": now, "message": "x" * (size // 4)} for _ in range(3)]
    big.append({"timestamp": now, "message": "x" * (size - 3 * (size // 4) + 1)})
    code, message, _ = error_of(put, big)
    assert code == "InvalidParameterException" and "1048576" in message
    big[-1]["message"] = big[-1]["message"][:-1]
    assert "rejectedLogEventsInfo" not in put(big)

    old = now - 15 * DAY_MS
    result = put([{"timestamp": old, "message": "old"}, {"timestamp": old + 1000, "message": "old too"},
                  {"timestamp": old + 2000, "message": "kept?"}])
    assert result["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 2}
    result = put([{"timestamp": now, "message": "fine"}, {"timestamp": now + 3 * 3_600_000, "message": "future"}])
    assert result["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 1}
    logs.put_retention_policy(logGroupName=group, retentionInDays=1)
    result = put([{"timestamp": now - DAY_MS - 60_000, "message": "expired"},
                  {"timestamp": now - 120_000, "message": "fresh"}])
    assert result["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 0}
    stored = logs.filter_log_events(logGroupName=group, filterPattern="-xxxxxxxx")["events"]
    assert [e["message"] for e in stored] == ["fresh", "fine"]


def test_put_log_events_span_counts_only_valid_events(logs, group):
    """AWS's PutLogEvents reference: for valid events (within 14 days in the past to 2 hours in future) the span of a
    batch cannot exceed 24 hours; events outside that window are rejected while the others are stored."""
    logs.create_log_stream(logGroupName=group, logStreamName="span")
    now = _now_ms()

    def put(events):
        return logs.put_log_events(logGroupName=group, logStreamName="span", logEvents=events)

    result = put([{"timestamp": now - 20 * DAY_MS, "message": "too old"}, {"timestamp": now, "message": "now"}])
    assert result["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 0}
    result = put([{"timestamp": now - 23 * 3_600_000, "message": "yesterday"},
                  {"timestamp": now + 3 * 3_600_000, "message": "too new"}])
    assert result["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 1}
    stored = logs.get_log_events(logGroupName=group, logStreamName="span", startFromHead=True)["events"]
    assert [event["message"] for event in stored] == ["yesterday", "now"]
    assert error_of(put, [{"timestamp": now - 25 * 3_600_000, "message": "a"}, {"timestamp": now, "message": "b"}]) \
        == ("InvalidParameterException",
            "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.", 400)


def test_filter_log_events(logs, group):
    base = _now_ms() - 100_000
    for stream in ("app-1", "app-2", "other"):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    logs.put_log_events(logGroupName=group, logStreamName="app-1", logEvents=[
        {"timestamp": base + i * 2, "message": f"ERROR job {i}" if i % 2 else f"INFO job {i}"} for i in range(10)])
    logs.put_log_events(logGroupName=group, logStreamName="app-2", logEvents=[
        {"timestamp": base + i * 2 + 1, "message": json.dumps({"level": "ERROR", "n": i})} for i in range(4)])
    logs.put_log_events(logGroupName=group, logStreamName="other", logEvents=[
        {"timestamp": base, "message": "ERROR elsewhere"}])

    errors = logs.filter_log_events(logGroupName=group, filterPattern="ERROR job")["events"]
    assert [e["message"] for e in errors] == [f"ERROR job {i}" for i in (1, 3, 5, 7, 9)]
    assert all(e["logStreamName"] == "app-1" and e["eventId"] for e in errors)
    json_hits = logs.filter_log_events(logGroupName=group, filterPattern='{ $.level = "ERROR" && $.n >= 2 }')
    assert [json.loads(e["message"])["n"] for e in json_hits["events"]] == [2, 3]
    prefixed = logs.filter_log_events(logGroupName=group, logStreamNamePrefix="app", filterPattern="?elsewhere ?ERROR")
    assert {e["logStreamName"] for e in prefixed["events"]} == {"app-1", "app-2"}
    named = logs.filter_log_events(logGroupName=group, logStreamNames=["other"])["events"]
    assert [e["message"] for e in named] == ["ERROR elsewhere"]
    windowed = logs.filter_log_events(logGroupName=group, startTime=base + 4, endTime=base + 6,
                                      logStreamNames=["app-1"])["events"]
    assert [e["message"] for e in windowed] == ["INFO job 2", "ERROR job 3"]

    pages, token = [], None
    while True:
        page = logs.filter_log_events(logGroupName=group, limit=4, **({"nextToken": token} if token else {}))
        pages.append(len(page["events"]))
        token = page.get("nextToken")
        if not token:
            break
    assert sum(pages) == 15 and max(pages) == 4
    assert error_of(logs.filter_log_events, logGroupName=group, filterPattern="{ $.a = ") == (
        "InvalidParameterException", "Invalid filter pattern", 400)
    # a term with characters other than letters, digits and "_" must be quoted
    assert error_of(logs.filter_log_events, logGroupName=group, filterPattern="email@example.com") == (
        "InvalidParameterException", "Invalid filter pattern", 400)
    assert logs.filter_log_events(logGroupName=group, filterPattern='"job 3"')["events"][0]["message"] == "ERROR job 3"
    assert error_of(logs.filter_log_events, logGroupName=group, logStreamNames=["a"], logStreamNamePrefix="a")[0] \
        == "InvalidParameterException"


def test_filter_log_events_newest_first(logs, group):
    """startFromHead=false returns the newest events first, and its nextToken keeps that direction; it is refused
    with a startTime before 2024 (botocore's FilterLogEvents model: startFromHead)."""
    base = _now_ms() - 100_000
    logs.create_log_stream(logGroupName=group, logStreamName="a")
    logs.create_log_stream(logGroupName=group, logStreamName="b")
    for stream, offset in (("a", 0), ("b", 1)):
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
            {"timestamp": base + i * 2 + offset, "message": f"event {i * 2 + offset}"} for i in range(3)])
    newest = logs.filter_log_events(logGroupName=group, startFromHead=False)["events"]
    assert [e["message"] for e in newest] == [f"event {i}" for i in range(5, -1, -1)]
    assert [e["message"] for e in logs.filter_log_events(logGroupName=group, startFromHead=True)["events"]] == [
        f"event {i}" for i in range(6)]

    pages, token = [], None
    while True:
        more = {"nextToken": token, "startFromHead": True} if token else {"startFromHead": False}  # token decides
        page = logs.filter_log_events(logGroupName=group, filterPattern="event", limit=4, **more)
        pages.append([e["message"] for e in page["events"]])
        token = page.get("nextToken")
        if not token:
            break
    assert pages == [["event 5", "event 4", "event 3", "event 2"], ["event 1", "event 0"]]

    assert error_of(logs.filter_log_events, logGroupName=group, startFromHead=False,
                    startTime=1_700_000_000_000)[::2] == ("InvalidParameterException", 400)
    assert len(logs.filter_log_events(logGroupName=group, startFromHead=False, startTime=1_704_067_200_000)[
        "events"]) == 6


def test_filter_log_events_pages_hold_at_most_1_mb(logs, group):
    """A FilterLogEvents page holds up to 1 MB of log events (FilterLogEvents API reference); the rest follow."""
    logs.create_log_stream(logGroupName=group, logStreamName="big")
    base = _now_ms() - 10_000
    logs.put_log_events(logGroupName=group, logStreamName="big", logEvents=[
        {"timestamp": base, "message": f"{i}" + "x" * 199_999} for i in range(3)])
    logs.put_log_events(logGroupName=group, logStreamName="big", logEvents=[
        {"timestamp": base + 1, "message": f"{i}" + "y" * 199_999} for i in range(3, 6)])
    pages, token = [], None
    while True:
        page = logs.filter_log_events(logGroupName=group, **({"nextToken": token} if token else {}))
        pages.append([e["message"][0] for e in page["events"]])
        token = page.get("nextToken")
        if not token:
            break
    assert pages == [["0", "1", "2", "3", "4"], ["5"]]


def test_metric_filters(logs, group):
    cis = '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }'
    logs.put_metric_filter(logGroupName=group, filterName="root-usage", filterPattern=cis, metricTransformations=[
        {"metricName": "RootAccountUsageCount", "metricNamespace": "CISBenchmark", "metricValue": "1",
         "defaultValue": 0}])
    logs.put_metric_filter(logGroupName=group, filterName="latency", filterPattern="{ $.latency > 0 }",
                           metricTransformations=[{"metricName": "Latency", "metricNamespace": "App",
                                                   "metricValue": "$.latency", "unit": "Milliseconds",
                                                   "dimensions": {"Api": "$.api"}}])
    found = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
    assert [f["filterName"] for f in found] == ["latency", "root-usage"]
    assert found[1]["filterPattern"] == cis and found[1]["logGroupName"] == group
    # "If you omit [unit], the unit is set as None" (MetricTransformation)
    assert found[1]["metricTransformations"] == [{
        "metricName": "RootAccountUsageCount", "metricNamespace": "CISBenchmark", "metricValue": "1",
        "defaultValue": 0.0, "unit": "None"}]
    assert found[0]["metricTransformations"][0]["unit"] == "Milliseconds"
    assert [f["applyOnTransformedLogs"] for f in found] == [False, False]  # MetricFilter.applyOnTransformedLogs
    logs.put_metric_filter(logGroupName=group, filterName="latency", filterPattern="{ $.latency > 0 }",
                           metricTransformations=[{"metricName": "Latency", "metricNamespace": "App",
                                                   "metricValue": "$.latency"}], applyOnTransformedLogs=True)
    assert logs.describe_metric_filters(logGroupName=group, filterNamePrefix="latency")["metricFilters"][0][
        "applyOnTransformedLogs"] is True
    by_metric = logs.describe_metric_filters(metricName="Latency", metricNamespace="App")["metricFilters"]
    assert [f["filterName"] for f in by_metric if f["logGroupName"] == group] == ["latency"]
    prefixed = logs.describe_metric_filters(logGroupName=group, filterNamePrefix="root")["metricFilters"]
    assert [f["filterName"] for f in prefixed] == ["root-usage"]
    ignored = logs.describe_metric_filters(filterNamePrefix="root")["metricFilters"]  # only with logGroupName
    assert {"latency", "root-usage"} <= {f["filterName"] for f in ignored if f["logGroupName"] == group}
    assert error_of(logs.describe_metric_filters, metricName="Latency")[0] == "InvalidParameterException"
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["metricFilterCount"] == 2

    assert error_of(logs.put_metric_filter, logGroupName=group, filterName="bad", filterPattern="{ $.a = ",
                    metricTransformations=[{"metricName": "m", "metricNamespace": "n", "metricValue": "1"}]) == (
        "InvalidParameterException", "Invalid metric filter pattern", 400)
    assert error_of(logs.put_metric_filter, logGroupName=group, filterName="dims", filterPattern="ERROR",
                    metricTransformations=[{"metricName": "m", "metricNamespace": "n", "metricValue": "1",
                                            "dimensions": {"a": "$.a"}}]) == (
        "InvalidParameterException", "The specified filter pattern does not support dimensions", 400)

    root = json.dumps({"userIdentity": {"type": "Root"}, "eventType": "AwsApiCall"})
    by_service = json.dumps({"userIdentity": {"type": "Root", "invokedBy": "s3.amazonaws.com"},
                             "eventType": "AwsApiCall"})
    tested = logs.test_metric_filter(filterPattern=cis, logEventMessages=[root, by_service, "plain"])["matches"]
    assert tested == [{"eventNumber": 1, "eventMessage": root, "extractedValues": {}}]  # only space-delimited extract
    delimited = logs.test_metric_filter(filterPattern="[ip, user, ..., status=4*, size]",
                                        logEventMessages=["1.2.3.4 bob GET / 404 12", "1.2.3.4 bob GET / 200 12"])
    assert delimited["matches"] == [{"eventNumber": 1, "eventMessage": "1.2.3.4 bob GET / 404 12", "extractedValues": {
        "$ip": "1.2.3.4", "$user": "bob", "$3": "GET", "$4": "/", "$status": "404", "$size": "12"}}]
    logs.put_metric_filter(logGroupName=group, filterName="third-field", filterPattern="[ip, user, ..., status=4*]",
                           metricTransformations=[{"metricName": "m", "metricNamespace": "n", "metricValue": "$3"}])

    logs.delete_metric_filter(logGroupName=group, filterName="latency")
    assert error_of(logs.delete_metric_filter, logGroupName=group, filterName="latency") == (
        "ResourceNotFoundException", "The specified metric filter does not exist.", 400)


def test_regular_expressions_in_filter_patterns(logs, group):
    """``%...%`` standalone, in JSON and in space-delimited patterns, through TestMetricFilter, FilterLogEvents and
    PutMetricFilter; AWS's unsupported constructs and quotas answer InvalidParameterException /
    LimitExceededException."""
    messages = ["[ERROR 401] UNAUTHORIZED REQUEST", "[SUCCESS 200] AUTHORIZED REQUEST",
                json.dumps({"eventName": "ConsoleLogin", "sourceIPAddress": "192.0.2.10"}),
                json.dumps({"eventName": "GetSessionToken", "sourceIPAddress": "10.0.0.1"}),
                "10.0.0.1 - bob [05/Dec/2026:09:00:00 +0000] GET 404 12", "10.0.0.2 - ann - GET 503 0"]

    def tested(pattern: str) -> list[int]:
        return [m["eventNumber"] for m in logs.test_metric_filter(filterPattern=pattern,
                                                                  logEventMessages=messages)["matches"]]

    assert tested("%AUTHORIZED%") == [1, 2]
    assert tested("%^\\[SUCCESS\\s2\\d\\d\\]%") == [2]
    assert tested("{ $.eventName = %^Console|Token$% && $.sourceIPAddress != %^10\\.% }") == [3]
    assert tested("[ip, user, username, ..., status = %^4\\d{2}$%, bytes]") == [5]

    base = _now_ms() - 10_000
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[
        {"timestamp": base + i, "message": message} for i, message in enumerate(messages)])
    found = logs.filter_log_events(logGroupName=group, filterPattern="[ip = %^10\\.0\\.0\\.%, ..., status = %^5%, "
                                                                     "bytes]")["events"]
    assert [e["message"] for e in found] == [messages[5]]

    for bad in ("%something!%", "%(ERROR|WARN)%", "%ERROR 4%", "{ $.a = %a% && $.b = %b% && $.c = %c% }"):
        assert error_of(logs.test_metric_filter, filterPattern=bad, logEventMessages=messages) == (
            "InvalidParameterException", "Invalid metric filter pattern", 400), bad
        assert error_of(logs.filter_log_events, logGroupName=group, filterPattern=bad) == (
            "InvalidParameterException", "Invalid filter pattern", 400), bad

    transformation = [{"metricName": "m", "metricNamespace": "n", "metricValue": "1"}]
    for index in range(5):
        logs.put_metric_filter(logGroupName=group, filterName=f"re-{index}", filterPattern=f"%ERROR{index}%",
                               metricTransformations=transformation)
    assert error_of(logs.put_metric_filter, logGroupName=group, filterName="re-5", filterPattern="%ERROR5%",
                    metricTransformations=transformation)[::2] == ("LimitExceededException", 400)
    logs.put_metric_filter(logGroupName=group, filterName="re-0", filterPattern="%ERROR%",  # replacing one
                           metricTransformations=transformation)
    logs.put_metric_filter(logGroupName=group, filterName="plain", filterPattern="ERROR5",
                           metricTransformations=transformation)


def test_documented_json_selectors_through_test_metric_filter(logs):
    """AWS's JSON examples (FilterAndPatternSyntax): wildcard selectors, a key with a period, and the quotas."""
    event = json.dumps({"eventType": "UpdateTrail", "sourceIPAddress": "111.111.111.111",
                        "arrayKey": ["value", "another value"], "SomeObject": None, "cluster.name": "c"})

    def matched(pattern: str) -> bool:
        return bool(logs.test_metric_filter(filterPattern=pattern, logEventMessages=[event])["matches"])

    assert matched("{ $.arrayKey[*] = %val.{2}% }")
    assert matched("{ $.* = %111\\.111\\.111\\.1[0-9]{1,2}% }")
    assert matched("{ $.['cluster.name'] = \"c\" }")
    assert not matched("{ $.arrayKey != \"x\" }")  # an array is never matched
    for refused in ("{ $.arrayKey[*].* = 1 }", "{ $.a[*] = 1 && $.b[*] = 1 && $.c[*] = 1 && $.d[*] = 1 }",
                    "{ $.eventType EXISTS }"):
        assert error_of(logs.test_metric_filter, filterPattern=refused, logEventMessages=[event]) == (
            "InvalidParameterException", "Invalid metric filter pattern", 400), refused


def test_iam_authorization(server, logs, group, unique):
    iam = server.client("iam")
    user = f"logs-reader-{unique}"
    iam.create_user(UserName=user)
    arn = f"arn:aws:logs:us-east-1:{BOOT_ACCOUNT}:log-group:{group}:*"
    iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": ["logs:DescribeLogStreams", "logs:CreateLogStream"], "Resource": arn}))
    reader = server.client_for(iam.create_access_key(UserName=user)["AccessKey"], "logs")
    reader.create_log_stream(logGroupName=group, logStreamName="mine")
    assert [s["logStreamName"] for s in reader.describe_log_streams(logGroupName=group)["logStreams"]] == ["mine"]
    code, message, status = error_of(reader.put_log_events, logGroupName=group, logStreamName="mine",
                                     logEvents=[{"timestamp": _now_ms(), "message": "x"}])
    assert (code, status) == ("AccessDeniedException", 400)
    assert f"logs:PutLogEvents on resource: arn:aws:logs:us-east-1:{BOOT_ACCOUNT}:log-group:{group}:log-stream:mine" \
        in message
    assert error_of(reader.delete_log_group, logGroupName=group)[0] == "AccessDeniedException"


def test_aws_cli(server, group):
    server.cli("logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", "cli")
    server.cli("logs", "put-log-events", "--log-group-name", group, "--log-stream-name", "cli",
               "--log-events", f"timestamp={_now_ms()},message=hello-from-cli")
    found = server.cli_json("logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "hello")
    assert [e["message"] for e in found["events"]] == ["hello-from-cli"]


def _metric_sum(server, namespace: str, name: str, dimensions=()) -> float:
    import datetime as dt

    now = dt.datetime.now(dt.timezone.utc)
    points = server.client("cloudwatch").get_metric_statistics(
        Namespace=namespace, MetricName=name, Dimensions=list(dimensions), Period=3600, Statistics=["Sum"],
        StartTime=now - dt.timedelta(hours=2), EndTime=now + dt.timedelta(hours=1))["Datapoints"]
    return sum(point["Sum"] for point in points)


def test_metric_filters_feed_cloudwatch(server, logs, group, unique):
    namespace = f"Logs/{unique}"
    logs.put_metric_filter(logGroupName=group, filterName="errors", filterPattern="ERROR", metricTransformations=[
        {"metricName": "Errors", "metricNamespace": namespace, "metricValue": "1", "unit": "Count"}])
    logs.put_metric_filter(logGroupName=group, filterName="bytes", filterPattern="[ip, user, status=5*, size]",
                           metricTransformations=[{"metricName": "Bytes", "metricNamespace": namespace,
                                                   "metricValue": "$size", "dimensions": {"Status": "$status"}}])
    logs.create_log_stream(logGroupName=group, logStreamName="web")
    now = _now_ms()
    logs.put_log_events(logGroupName=group, logStreamName="web", logEvents=[
        {"timestamp": now, "message": "ERROR one"}, {"timestamp": now, "message": "1.2.3.4 bob 503 100"},
        {"timestamp": now + 1, "message": "fine"}, {"timestamp": now + 2, "message": "ERROR two"},
        {"timestamp": now + 3, "message": "1.2.3.4 eve 502 23"}, {"timestamp": now + 4, "message": "5.6.7.8 al 200 7"}])
    assert _metric_sum(server, namespace, "Errors") == 2.0
    assert _metric_sum(server, namespace, "Bytes", [{"Name": "Status", "Value": "503"}]) == 100.0
    assert _metric_sum(server, namespace, "Bytes", [{"Name": "Status", "Value": "502"}]) == 23.0


def test_deletion_protection(logs, unique):
    name = f"/protected/{unique}"
    logs.create_log_group(logGroupName=name, deletionProtectionEnabled=True)
    logs.create_log_stream(logGroupName=name, logStreamName="s")
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["deletionProtectionEnabled"] is True
    assert error_of(logs.delete_log_group, logGroupName=name)[0] == "ValidationException"
    assert error_of(logs.delete_log_stream, logGroupName=name, logStreamName="s")[0] == "ValidationException"
    logs.put_log_group_deletion_protection(logGroupIdentifier=name, deletionProtectionEnabled=False)
    logs.delete_log_group(logGroupName=name)
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] == []


def test_describe_log_streams_pages_in_either_order(logs, group):
    base = _now_ms() - 50_000
    for index, name in enumerate(["c", "a", "e", "b", "d"]):
        logs.create_log_stream(logGroupName=group, logStreamName=name)
        logs.put_log_events(logGroupName=group, logStreamName=name,
                            logEvents=[{"timestamp": base + index * 1000, "message": name}])

    def pages(**kwargs):
        names, token = [], None
        while True:
            page = logs.describe_log_streams(logGroupName=group, limit=2, **kwargs,
                                             **({"nextToken": token} if token else {}))
            names += [stream["logStreamName"] for stream in page["logStreams"]]
            token = page.get("nextToken")
            if not token:
                return names
    assert pages() == ["a", "b", "c", "d", "e"]
    assert pages(descending=True) == ["e", "d", "c", "b", "a"]
    assert pages(orderBy="LastEventTime") == ["c", "a", "e", "b", "d"]
    assert pages(orderBy="LastEventTime", descending=True) == ["d", "b", "e", "a", "c"]
    assert pages(logStreamNamePrefix="d") == ["d"]


def test_every_group_pages_with_its_metric_filters_counted(store_server):
    """DescribeLogGroups without a filter reads each page in one prepared statement that counts the filters
    (issue #19), on SQLite and PostgreSQL; with a filter, as before."""
    logs = store_server.client("logs")
    names = [f"/all/g{index}" for index in range(3)]
    for name in names:
        logs.create_log_group(logGroupName=name)
    logs.put_retention_policy(logGroupName=names[1], retentionInDays=30)
    for filter_name in ("a", "b"):
        logs.put_metric_filter(logGroupName=names[1], filterName=filter_name, filterPattern="ERROR",
                               metricTransformations=[{"metricName": filter_name, "metricNamespace": "n",
                                                       "metricValue": "1"}])
    first = logs.describe_log_groups(limit=2)
    second = logs.describe_log_groups(limit=2, nextToken=first["nextToken"])
    groups = first["logGroups"] + second["logGroups"]
    assert "nextToken" not in second and [group["logGroupName"] for group in groups] == names
    assert [group["metricFilterCount"] for group in groups] == [0, 2, 0]
    assert groups[1]["retentionInDays"] == 30 and "retentionInDays" not in groups[0]
    assert groups[0]["arn"] == f"{groups[0]['logGroupArn']}:*" and groups[0]["storedBytes"] == 0
    assert groups[0]["logGroupClass"] == "STANDARD" and groups[0]["deletionProtectionEnabled"] is False
    assert logs.describe_log_groups(logGroupNamePrefix="/all/g1")["logGroups"] == [groups[1]]


def test_documented_cli_metric_filter_examples(server, logs, group, unique):
    """AWS's CLI examples "Count log events" (--filter-pattern " ") and "Count HTTP 404 codes"
    (CountingLogEventsExample, Counting404Responses), then the metrics they publish."""
    namespace = f"Docs/{unique}"
    server.cli("logs", "put-metric-filter", "--log-group-name", group, "--filter-name", "EventCount",
               "--filter-pattern", " ", "--metric-transformations",
               f"metricName=MyAppEventCount,metricNamespace={namespace},metricValue=1,defaultValue=0")
    server.cli("logs", "put-metric-filter", "--log-group-name", group, "--filter-name", "HTTP404Errors",
               "--filter-pattern", "[ip, id, user, timestamp, request, status_code=404, size]",
               "--metric-transformations", f"metricName=ApacheNotFoundErrorCount,metricNamespace={namespace},"
                                           "metricValue=1")
    server.cli("logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", "hostname")
    now = _now_ms()
    server.cli("logs", "put-log-events", "--log-group-name", group, "--log-stream-name", "hostname", "--log-events",
               f'timestamp={now},message="127.0.0.1 - bob [10/Oct/2000:13:55:36 -0700] \\"GET /apache_pb.gif '
               f'HTTP/1.0\\" 404 2326"',
               f'timestamp={now + 1},message="127.0.0.1 - bob [10/Oct/2000:13:55:36 -0700] \\"GET /apache_pb2.gif '
               f'HTTP/1.0\\" 200 2326"',
               f"timestamp={now + 2},message=Test-event-1")
    assert _metric_sum(server, namespace, "MyAppEventCount") == 3.0
    assert _metric_sum(server, namespace, "ApacheNotFoundErrorCount") == 1.0


def test_at_most_100_metric_filters_per_log_group(logs, group):
    """Metric filters: 100 per log group, a quota that cannot be changed (CloudWatch Logs quotas); replacing one
    of them still works."""
    transformation = [{"metricName": "m", "metricNamespace": "n", "metricValue": "1"}]
    for index in range(100):
        logs.put_metric_filter(logGroupName=group, filterName=f"f{index:03d}", filterPattern="ERROR",
                               metricTransformations=transformation)
    assert error_of(logs.put_metric_filter, logGroupName=group, filterName="f100", filterPattern="ERROR",
                    metricTransformations=transformation)[::2] == ("LimitExceededException", 400)
    logs.put_metric_filter(logGroupName=group, filterName="f000", filterPattern="WARN",
                           metricTransformations=transformation)
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["metricFilterCount"] == 100
