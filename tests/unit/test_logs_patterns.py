"""CloudWatch Logs filter patterns: AWS's documented cases (Filter pattern syntax for metric filters, subscription
filters and filter log events), invalid patterns, linear time, and the metric data of metric filters."""

from __future__ import annotations

import datetime as _dt
import json
import time

import pytest

from rootplane.services.logs.metrics import datums
from rootplane.services.logs.patterns import InvalidPattern, compile_pattern
from rootplane.services.logs.tables import MetricFilterRow

# AWS's JSON example event.
JSON_EVENT = json.dumps({
    "eventType": "UpdateTrail", "sourceIPAddress": "111.111.111.111", "arrayKey": ["value", "another value"],
    "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}], "SomeObject": None, "ThisFlag": True,
    "cluster.name": "c",
    "user": {"id": 1, "email": "John.Doe@example.com"}, "users": [{"id": 2, "email": "John.Doe@example.com"}],
    "actions": ["GET", "PUT", "DELETE"], "bandwidth": 80, "latency": 40.5, "refreshRate": 10,
})
# AWS's term examples.
TERM_EVENTS = ["[ERROR 400] BAD REQUEST", "[ERROR 401] UNAUTHORIZED REQUEST", "[ERROR 419] MISSING ARGUMENTS",
               "[ERROR 420] INVALID ARGUMENTS"]
# AWS's space-delimited example (Apache common log).
APACHE = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534'
# AWS's space-delimited example of matching terms in order.
W_EVENTS = ["INFO 09/25/2014 12:00:00 GET /service/resource/67 1200",
            "INFO 09/25/2014 12:00:01 POST /service/resource/67/part/111 1310",
            "WARNING 09/25/2014 12:00:02 Invalid user request", "ERROR 09/25/2014 12:00:02 Failed to process request"]
CIS_ROOT = ('{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
            '$.eventType != "AwsServiceEvent" }')

CASES = [
    # (pattern, event, matches)
    ('{ $.eventType = "UpdateTrail" }', JSON_EVENT, True),
    ('{ $.eventType = "Update*" }', JSON_EVENT, True),
    # a JSON string's "*" is a wildcard at its start or end only: "Ev*ent will only match the actual string Ev*ent"
    ('{ $.eventType = "*Trail" }', JSON_EVENT, True),
    ('{ $.eventType = *date* }', JSON_EVENT, True),
    ('{ $.eventType = "Up*Trail" }', JSON_EVENT, False),
    ('{ $.a = "Ev*ent" }', json.dumps({"a": "Ev*ent"}), True),
    ('{ $.a = "Ev*ent" }', json.dumps({"a": "Event"}), False),
    ('{ $.eventType = "CreateTrail" }', JSON_EVENT, False),
    ("{ $.sourceIPAddress != 123.123.* }", JSON_EVENT, True),
    ("{ $.sourceIPAddress != 111.111.* }", JSON_EVENT, False),
    ('{ $.arrayKey[0] = "value" }', JSON_EVENT, True),
    ('{ $.arrayKey[1] = "value" }', JSON_EVENT, False),
    ("{ $.objectList[1].id = 2 }", JSON_EVENT, True),
    ("{ $.SomeObject IS NULL }", JSON_EVENT, True),
    # wildcard selectors (any array element or object field) and bracket notation for a key with a period
    ("{ $.arrayKey[*] = %val.{2}% }", JSON_EVENT, True),
    ('{ $.arrayKey[*] = "another value" }', JSON_EVENT, True),
    ('{ $.arrayKey[*] = "third value" }', JSON_EVENT, False),
    ("{ $.* = %111\\.111\\.111\\.1[0-9]{1,2}% }", JSON_EVENT, True),
    ("{ $.objectList[*].id = 2 }", JSON_EVENT, True),
    ("{ $.objectList[*].id > 2 }", JSON_EVENT, False),
    ("{ $.user.* = 1 }", JSON_EVENT, True),
    ("{ $.* IS NULL }", JSON_EVENT, True),
    ("{ $.objectList[*].missing NOT EXISTS }", JSON_EVENT, True),
    ("{ $.objectList[*].name NOT EXISTS }", JSON_EVENT, False),
    ("{ $.['cluster.name'] = \"c\" }", JSON_EVENT, True),
    ("{ $.['cluster.name'] = \"d\" }", JSON_EVENT, False),
    ("{ $.cluster.name = \"c\" }", JSON_EVENT, False),
    ("{ $.SomeOtherObject NOT EXISTS }", JSON_EVENT, True),
    ("{ $.SomeObject NOT EXISTS }", JSON_EVENT, False),
    # a selector that points to an array or object never matches
    ('{ $.arrayKey != "x" }', JSON_EVENT, False),
    ("{ $.user != 5 }", JSON_EVENT, False),
    ("{ $.objectList = * }", JSON_EVENT, False),
    ("{ $.ThisFlag IS TRUE }", JSON_EVENT, True),
    ("{ $.ThisFlag IS FALSE }", JSON_EVENT, False),
    ('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', JSON_EVENT, True),
    ('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', JSON_EVENT, False),
    ('{ $.user.email = "John.Doe@example.com" || $.actions[2] = "GET" }', JSON_EVENT, True),
    ('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[0] = "GET" }', JSON_EVENT, True),
    ("{ $.bandwidth > 75 }", JSON_EVENT, True),
    ("{ $.latency < 50 }", JSON_EVENT, True),
    ("{ $.latency >= 40.5 && $.latency <= 40.5 }", JSON_EVENT, True),
    ("{ $.refreshRate = 10 }", JSON_EVENT, True),
    ("{ $.refreshRate != 10 }", JSON_EVENT, False),
    ("{ $.bandwidth > 75 }", "not json at all", False),
    # A wildcard matches a number's text: the CDK's FilterPattern.exists('$.latency') is { $.latency = "*" }, used
    # with metricValue $.latency (aws-cdk-lib.aws_logs.JsonPattern).
    ('{ $.bandwidth = "*" }', JSON_EVENT, True),
    ("{ $.latency = * }", JSON_EVENT, True),
    ("{ $.bandwidth = 8* }", JSON_EVENT, True),
    ("{ $.bandwidth = 9* }", JSON_EVENT, False),
    ("{ $.bandwidth != 8* }", JSON_EVENT, False),
    ('{ $.SomeObject = "*" }', JSON_EVENT, False),
    (CIS_ROOT, json.dumps({"userIdentity": {"type": "Root"}, "eventType": "AwsApiCall"}), True),
    (CIS_ROOT, json.dumps({"userIdentity": {"type": "Root", "invokedBy": "config.amazonaws.com"},
                           "eventType": "AwsApiCall"}), False),
    (CIS_ROOT, json.dumps({"userIdentity": {"type": "Root"}, "eventType": "AwsServiceEvent"}), False),
    (CIS_ROOT, json.dumps({"userIdentity": {"type": "IAMUser"}, "eventType": "AwsApiCall"}), False),
    # CIS AWS Foundations Benchmark monitoring filters (as Prowler and Security Hub expect them).
    ("{ ($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }",
     json.dumps({"eventSource": "kms.amazonaws.com", "eventName": "ScheduleKeyDeletion"}), True),
    ("{ ($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }",
     json.dumps({"eventSource": "kms.amazonaws.com", "eventName": "Encrypt"}), False),
    ('{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && '
     '($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }',
     json.dumps({"errorCode": "AccessDenied", "sourceIPAddress": "192.0.2.1", "eventName": "GetObject"}), True),
    ('{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != "Yes") && '
     '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
     json.dumps({"eventName": "ConsoleLogin", "additionalEventData": {"MFAUsed": "No"},
                 "userIdentity": {"type": "IAMUser"}, "responseElements": {"ConsoleLogin": "Success"}}), True),
    ("{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || "
     "($.eventName = StartLogging) || ($.eventName = StopLogging) }", json.dumps({"eventName": "StopLogging"}), True),
    ("ERROR", TERM_EVENTS[0], True),
    ("ERROR ARGUMENTS", TERM_EVENTS[0], False),
    ("ERROR ARGUMENTS", TERM_EVENTS[2], True),
    ("?ERROR ?ARGUMENTS", TERM_EVENTS[1], True),
    ("?NOTHING ?ARGUMENTS", TERM_EVENTS[1], False),
    # "?" terms combined with other terms are ignored: ?ERROR ?ARGUMENTS REQUEST matches every event with REQUEST
    ("?ERROR ?ARGUMENTS REQUEST", "[INFO] REQUEST FAILED", True),
    ("?ERROR ?ARGUMENTS REQUEST", "[ERROR] 400 BAD ARGUMENTS", False),
    ("?ERROR ?ARGUMENTS -DEBUG", "[INFO] REQUEST FAILED", True),
    ("ERROR -ARGUMENTS", TERM_EVENTS[1], True),
    ("ERROR -ARGUMENTS", TERM_EVENTS[3], False),
    ('"INVALID ARGUMENTS"', TERM_EVENTS[3], True),
    ('"INVALID ARGUMENTS"', TERM_EVENTS[2], False),
    ('"user@example.com" ERROR_CODE', "ERROR_CODE 7 for user@example.com", True),
    ("error", TERM_EVENTS[0], False),  # terms are case-sensitive
    ("", TERM_EVENTS[0], True),
    ('" "', "no-spaces-here", True),  # "Match everything"
    ('" "', "", True),
    ("[ip, user, username, timestamp, request, status_code, bytes]", APACHE, True),
    ("[ip, user, username, timestamp, request =*.gif*, status_code = 4*, bytes]", APACHE, True),
    ("[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]", APACHE, False),
    ("[ip, user, username, timestamp, request, status_code = 404 || status_code = 410, bytes]", APACHE, True),
    ("[ip, user, username, timestamp, request, status_code, bytes > 1000]", APACHE, True),
    ("[ip, user, username, timestamp, request, status_code, bytes < 1000]", APACHE, False),
    ("[ip, user, username, timestamp, request, status_code != 404, bytes]", APACHE, False),
    ("[..., status_code = 404, bytes]", APACHE, True),
    ("[ip = 127.0.0.1, ...]", APACHE, True),
    ("[ip, ..., status_code = 404, ...]", APACHE, True),
    # Without "...", the last field holds the rest of the line (the "blank indicator" of AWS's w1/w2 examples)
    ("[ip, user]", APACHE, True),
    ("[ip, user, username, timestamp, request, status_code, bytes, more]", APACHE, False),
    ("[w1=ERROR, w2]", W_EVENTS[3], True),
    ("[w1=ERROR, w2]", W_EVENTS[2], False),
    ("[w1=ERROR]", W_EVENTS[3], False),
    ("[w1=ERROR || w1=WARNING, w2]", W_EVENTS[2], True),
    ("[w1!=ERROR && w1!=WARNING, w2]", W_EVENTS[0], True),
    ("[w1!=ERROR && w1!=WARNING, w2]", W_EVENTS[3], False),
    ("[logLevel, date, time, method, url=%/service/resource/[0-9]+$%, response_time]", W_EVENTS[0], True),
    ("[logLevel, date, time, method, url=%/service/resource/[0-9]+$%, response_time]", W_EVENTS[1], False),
    ("[logLevel, date, time, method, url=%/service/resource/[0-9]+/part/[0-9]+$%, response_time]", W_EVENTS[1], True),
    ("[logLevel, date, time, method, url=%/service/resource/[0-9]+/part/[0-9]+$%, response_time]", W_EVENTS[3],
     False),
    # Regular expressions: standalone, as JSON property values and as space-delimited fields.
    ("%AUTHORIZED%", TERM_EVENTS[1], True),
    ("%^\\[ERROR\\s4[01]\\d\\]%", TERM_EVENTS[0], True),
    ("%^\\[ERROR\\s4[01]\\d\\]%", TERM_EVENTS[3], False),
    ("%MISSING|INVALID%", TERM_EVENTS[2], True),
    ("{ $.eventType = %^Update% }", JSON_EVENT, True),
    ("{ $.eventType = %^Create% }", JSON_EVENT, False),
    ("{ $.sourceIPAddress != %^10\\.% }", JSON_EVENT, True),
    ("{ $.bandwidth = %^8\\d$% }", JSON_EVENT, True),  # numbers are searched as their JSON text
    ("{ $.ThisFlag = %true% }", JSON_EVENT, False),
    ("{ $.user.email = %@example\\.com$% && $.eventType = %Trail% }", JSON_EVENT, True),
    ("[ip, user, username, timestamp, request = %\\.gif%, status_code = %^4\\d{2}$%, bytes]", APACHE, True),
    ("[ip, user, username, timestamp, request, status_code = %^5%, bytes]", APACHE, False),
    ("[ip = %^127\\.%, ..., status_code = %^4% || status_code = 500, bytes]", APACHE, True),
]


@pytest.mark.parametrize(("pattern", "event", "expected"), CASES, ids=[f"{i}" for i in range(len(CASES))])
def test_documented_cases(pattern, event, expected):
    assert compile_pattern(pattern).matches(event) is expected


@pytest.mark.parametrize("pattern", [
    "{ $.a = }", '{ $.a > "x" }', "{ a = 1 }", "{ $.a = 1", "{}", "{ $.a = 1 && }", "{ ($.a = 1 }",
    "{ $.a NOT 1 }", "{ $.a IS MAYBE }", "[a,, b]", "[a = ]", "[a, a]", "[a b]", "a && b", '"unclosed',
    "{ $.a EXISTS }", "{ $.a IS NOT NULL }",  # "The variables IS NOT and EXISTS currently aren't supported."
    # terms with characters other than letters, digits and "_" must be quoted
    "email@example.com", "ERROR:", "-10.0.0.1", "?a/b", "ERROR user@example.com", "ERROR %abc%",
    # a field's conditions name that field only (AWS answers "Invalid filter pattern":
    # awsdocs/amazon-cloudwatch-logs-user-guide#21)
    "[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]",
    # regular expressions outside AWS's subset, or past its quota of two in a JSON or space-delimited pattern
    "%something!%", "%(ERROR|WARN)%", "%ERROR 4%", "%%", "{ $.a = %x(y)% }", "{ $.a > %1% }",
    "{ $.a = %a% && $.b = %b% && $.c = %c% }", "[a = %a%, b = %b%, c = %c%]",
    # not in AWS's documented syntax (FilterAndPatternSyntax has no IN)
    '{ $.eventName IN ["ConsoleLogin", "GetSessionToken"] }', "{ $.a NOT IN [1] }",
    # at most one wildcard selector in a property selector, three in a filter pattern
    "{ $.a[*].* = 1 }", "{ $.*[*] = 1 }",
    "{ $.a[*] = 1 && $.b[*] = 1 && $.c[*] = 1 && $.d[*] = 1 }",
    "[ip, user, ..., status IN [400, 404]]",
])
def test_invalid_patterns(pattern):
    with pytest.raises(InvalidPattern):
        compile_pattern(pattern)


def test_patterns_with_regular_expressions_are_marked():
    assert compile_pattern("%ERROR%").has_regex and compile_pattern("{ $.a = %b% }").has_regex
    assert not compile_pattern("ERROR").has_regex and not compile_pattern("[a, b = 50%]").has_regex
    assert compile_pattern("[a, b = 50%]").matches("x 50%")


def test_extracted_fields():
    match = compile_pattern("[ip, user, username, timestamp, request, status_code, bytes]").match(APACHE)
    assert match.fields["$request"] == "GET /apache_pb.gif HTTP/1.0"
    assert match.fields["$timestamp"] == "10/Oct/2000:13:25:15 -0700"
    assert compile_pattern("[w1=ERROR, w2]").match(W_EVENTS[3] + "  ").fields == {
        "$w1": "ERROR", "$w2": "09/25/2014 12:00:02 Failed to process request"}
    assert compile_pattern("[ip, user, rest]").match(APACHE).fields["$rest"] == APACHE.split(" ", 2)[2]
    # the fields "..." stands for are extracted by position (AWS's example: "$1" ... "$4", "$7")
    assert compile_pattern("[..., request=*.gif*, status_code=4*, bytes]").match(APACHE).fields == {
        "$1": "127.0.0.1", "$2": "-", "$3": "frank", "$4": "10/Oct/2000:13:25:15 -0700",
        "$request": "GET /apache_pb.gif HTTP/1.0", "$status_code": "404", "$bytes": "1534"}
    assert compile_pattern("[ip, ..., bytes]").match("a b c d").fields == {"$ip": "a", "$2": "b", "$3": "c",
                                                                            "$bytes": "d"}
    # a trailing comma stands for one more, unnamed field (AWS's example [..., request=*.html*, status_code=4*,])
    assert compile_pattern("[..., request=*.gif*, status_code=4*,]").match(APACHE).fields == {
        "$1": "127.0.0.1", "$2": "-", "$3": "frank", "$4": "10/Oct/2000:13:25:15 -0700",
        "$request": "GET /apache_pb.gif HTTP/1.0", "$status_code": "404", "$7": "1534"}
    assert compile_pattern("[a, b,]").match("x y z w").fields == {"$a": "x", "$b": "y", "$3": "z w"}
    assert compile_pattern("{ $.bandwidth > 75 }").match(JSON_EVENT).fields == {"$.bandwidth": 80}


def test_matching_is_linear():
    """Patterns that make a backtracking matcher explode finish at once (generous bound: a loaded CI machine)."""
    text = "a" * 200_000
    star = compile_pattern("[m = " + "*a" * 30 + "*b]")  # space-delimited values keep every "*" a wildcard
    fields = compile_pattern("[" + ", ".join(f"..., x{i} = a" for i in range(10)) + ", ..., y = b]")
    started = time.monotonic()
    assert not star.matches(text)
    assert not fields.matches(" ".join(["a"] * 2_000))
    assert time.monotonic() - started < 5


def _filter(pattern: str, **transformation) -> MetricFilterRow:
    return MetricFilterRow(name="f", pattern=pattern, transformations_json=json.dumps([transformation]))


def test_metric_data_of_metric_filters():
    at = int(_dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc).timestamp() * 1000)
    root = json.dumps({"userIdentity": {"type": "Root"}, "eventType": "AwsApiCall"})
    user = json.dumps({"userIdentity": {"type": "IAMUser"}, "eventType": "AwsApiCall"})
    cis = _filter(CIS_ROOT, metricName="RootAccountUsageCount", metricNamespace="CISBenchmark", metricValue="1",
                  unit="Count")
    data = datums([cis], [(at, root), (at + 1, user), (at + 2, root), (at + 60_000, root)])
    assert data == {"CISBenchmark": [
        {"MetricName": "RootAccountUsageCount", "Unit": "Count",
         "Timestamp": _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc),
         "StatisticValues": {"SampleCount": 2.0, "Sum": 2.0, "Minimum": 1.0, "Maximum": 1.0}},
        {"MetricName": "RootAccountUsageCount", "Value": 1.0, "Unit": "Count",
         "Timestamp": _dt.datetime(2026, 1, 1, 0, 1, tzinfo=_dt.timezone.utc)}]}

    # the default value is emitted for every event the pattern does not match, in its minute (MetricTransformation:
    # "The value to emit when a filter pattern does not match a log event")
    with_default = _filter(CIS_ROOT, metricName="Root", metricNamespace="N", metricValue="1", defaultValue=0)
    assert datums([with_default], [(at, user), (at + 5, user), (at + 60_000, root), (at + 60_001, user)])["N"] == [
        {"MetricName": "Root", "Timestamp": _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc),
         "StatisticValues": {"SampleCount": 2.0, "Sum": 0.0, "Minimum": 0.0, "Maximum": 0.0}},
        {"MetricName": "Root", "Timestamp": _dt.datetime(2026, 1, 1, 0, 1, tzinfo=_dt.timezone.utc),
         "StatisticValues": {"SampleCount": 2.0, "Sum": 1.0, "Minimum": 0.0, "Maximum": 1.0}}]

    latency_doc = _filter("{ $.latency = * }", metricName="myMetric", metricNamespace="N", metricValue="$.latency")
    assert datums([latency_doc], [(at, json.dumps({"latency": 50, "requestType": "GET"}))])["N"][0]["Value"] == 50.0

    latency = _filter("{ $.latency > 0 }", metricName="Latency", metricNamespace="App", metricValue="$.latency",
                      dimensions={"Api": "$.api"})
    data = datums([latency], [(at, json.dumps({"latency": 12.5, "api": "get"})), (at, json.dumps({"latency": 3}))])
    assert data["App"] == [{"MetricName": "Latency", "Value": 12.5, "Dimensions": [{"Name": "Api", "Value": "get"}],
                            "Timestamp": _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)}]

    size = _filter("[ip, user, ..., status=4*, bytes]", metricName="Bytes", metricNamespace="Web",
                   metricValue="$bytes", dimensions={"Status": "$status"})
    assert datums([size], [(at, "1.2.3.4 bob GET / 404 12")])["Web"][0]["Value"] == 12.0
    # a numeric identifier names a field by position, named or not (AWS's Apache example: metricValue $7 with
    # [ip, id, user, timestamp, request, status_code, size])
    seventh = _filter("[ip, id, user, timestamp, request, status_code, size]", metricName="Bytes",
                      metricNamespace="Web", metricValue="$7")
    assert datums([seventh], [(at, APACHE)])["Web"][0]["Value"] == 1534.0
    third = _filter("[ip, user, ..., status=4*, bytes]", metricName="Third", metricNamespace="Web", metricValue="$3")
    assert datums([third], [(at, "1.2.3.4 bob 7 / 404 12")])["Web"][0]["Value"] == 7.0
