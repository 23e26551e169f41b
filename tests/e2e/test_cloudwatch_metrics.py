"""CloudWatch metrics through real clients: PutMetricData's rules, statistics, GetMetricData, ListMetrics, and the
three wire forms (awsJson 1.0 as botocore sends it, Smithy RPC v2 CBOR as other SDKs do, query as older ones do)."""

from __future__ import annotations

import datetime as dt
import json
import math

import botocore.model
import pytest
from harness import error_of, raw_request

NOW = dt.datetime.now(dt.timezone.utc)


def iam_user_key_of(server, name: str) -> dict:
    return server.client("iam").create_access_key(UserName=name)["AccessKey"]


def _window() -> dict:
    now = dt.datetime.now(dt.timezone.utc)
    return {"StartTime": now - dt.timedelta(hours=1), "EndTime": now + dt.timedelta(hours=1)}


@pytest.fixture
def cbor_client(server, monkeypatch):
    """A boto3 CloudWatch client that speaks Smithy RPC v2 CBOR (botocore's pick when it ranks CBOR first)."""
    monkeypatch.setattr(botocore.model, "PRIORITY_ORDERED_SUPPORTED_PROTOCOLS", ("smithy-rpc-v2-cbor", "json"))
    client = server.client("cloudwatch")
    assert client.meta.service_model.resolved_protocol == "smithy-rpc-v2-cbor"
    return client


def test_put_then_read_statistics_and_metric_data(server, unique):
    cw = server.client("cloudwatch")
    namespace, dimensions = f"App/{unique}", [{"Name": "Stage", "Value": "prod"}, {"Name": "Api", "Value": "orders"}]
    cw.put_metric_data(Namespace=namespace, MetricData=[
        {"MetricName": "Latency", "Dimensions": dimensions, "Value": 10.0, "Unit": "Milliseconds"},
        {"MetricName": "Latency", "Dimensions": list(reversed(dimensions)), "Values": [20.0, 40.0], "Counts": [1, 2],
         "Unit": "Milliseconds"},
        {"MetricName": "Latency", "Dimensions": dimensions, "StatisticValues":
         {"SampleCount": 2, "Sum": 6.0, "Minimum": 1.0, "Maximum": 5.0}, "Unit": "Milliseconds"},
    ])
    stats = cw.get_metric_statistics(Namespace=namespace, MetricName="Latency", Dimensions=dimensions, Period=3600,
                                     Statistics=["SampleCount", "Sum", "Minimum", "Maximum", "Average"], **_window())
    total = sum(point["Sum"] for point in stats["Datapoints"])
    count = sum(point["SampleCount"] for point in stats["Datapoints"])
    assert stats["Label"] == "Latency"
    assert (count, total) == (6.0, 10.0 + 20.0 + 80.0 + 6.0)
    assert min(point["Minimum"] for point in stats["Datapoints"]) == 1.0
    assert max(point["Maximum"] for point in stats["Datapoints"]) == 40.0
    assert {point["Unit"] for point in stats["Datapoints"]} == {"Milliseconds"}
    other = cw.get_metric_statistics(Namespace=namespace, MetricName="Latency", Period=60, Statistics=["Sum"],
                                     **_window())
    assert other["Datapoints"] == []  # no dimensions: another metric
    data = cw.get_metric_data(MetricDataQueries=[
        {"Id": "total", "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": "Latency",
                                                  "Dimensions": dimensions}, "Period": 3600, "Stat": "Sum"}},
        {"Id": "hidden", "ReturnData": False, "MetricStat": {
            "Metric": {"Namespace": namespace, "MetricName": "Latency", "Dimensions": dimensions},
            "Period": 60, "Stat": "Maximum"}}], **_window())
    [result] = data["MetricDataResults"]
    assert (result["Id"], result["Label"], result["StatusCode"], sum(result["Values"])) == \
        ("total", "Latency", "Complete", total)


def test_put_metric_data_follows_aws_rules(server, unique):
    cw = server.client("cloudwatch")
    code, message, _ = error_of(cw.put_metric_data, Namespace="AWS/EC2", MetricData=[{"MetricName": "m", "Value": 1}])
    assert (code, message) == ("InvalidParameterValue", "The value AWS/EC2 for parameter Namespace is invalid.")
    code, message, _ = error_of(cw.put_metric_data, Namespace=unique, MetricData=[
        {"MetricName": "m", "Value": 1, "StatisticValues": {"SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1}}])
    assert code == "InvalidParameterCombination" and "mutually exclusive" in message
    code, message, _ = error_of(cw.put_metric_data, Namespace=unique, MetricData=[
        {"MetricName": "m", "Values": [1, 2], "Counts": [1]}])
    assert code == "InvalidParameterValue" and "must be of the same size" in message
    code, *_ = error_of(cw.put_metric_data, Namespace=unique,
                       MetricData=[{"MetricName": f"m{i}", "Value": 1} for i in range(1001)])
    assert code == "InvalidParameterValue"
    code, *_ = error_of(cw.put_metric_data, Namespace=unique, MetricData=[
        {"MetricName": "m", "Value": 1, "Dimensions": [{"Name": f"d{i}", "Value": "v"} for i in range(31)]}])
    assert code == "ValidationError"
    code, message, _ = error_of(cw.put_metric_data, Namespace=unique, MetricData=[
        {"MetricName": "m", "Value": 1, "Timestamp": NOW - dt.timedelta(days=15)}])
    assert code == "InvalidParameterValue" and "past two weeks" in message
    # nothing of a refused request is stored
    assert cw.list_metrics(Namespace=unique)["Metrics"] == []


def test_put_metric_data_storage_resolution_is_1_or_60(server, unique):
    """AWS's MetricDatum reference: valid StorageResolution values are 1 and 60 (AWS answers others with
    "The parameter MetricData.member.N.StorageResolution must be a value in the set [ 1, 60 ].")."""
    cw = server.client("cloudwatch")
    for resolution in (1, 60):
        cw.put_metric_data(Namespace=unique, MetricData=[{"MetricName": "m", "Value": 1,
                                                           "StorageResolution": resolution}])
    assert error_of(cw.put_metric_data, Namespace=unique, MetricData=[
        {"MetricName": "m", "Value": 1}, {"MetricName": "n", "Value": 1, "StorageResolution": 300}]) == (
        "InvalidParameterValue", "The parameter MetricData.member.2.StorageResolution must be a value in the set "
        "[ 1, 60 ].", 400)
    assert [metric["MetricName"] for metric in cw.list_metrics(Namespace=unique)["Metrics"]] == ["m"]


def test_get_metric_data_query_ids_start_with_a_lowercase_letter(server, unique):
    """AWS's MetricDataQuery reference: an Id's characters are letters, numbers and underscore, the first a lowercase
    letter; AWS's ValidationError names each wrong Id with the pattern (as quoted in influxdata/telegraf#5420)."""
    cw = server.client("cloudwatch")
    stat = {"Metric": {"Namespace": unique, "MetricName": "m"}, "Period": 60, "Stat": "Sum"}
    queries = [{"Id": query_id, "MetricStat": stat} for query_id in ("m_1", "M1", "5xx", "ok")]
    code, message, status = error_of(cw.get_metric_data, MetricDataQueries=queries, **_window())
    assert (code, status) == ("ValidationError", 400)
    assert message.split("\n") == [
        f"The value {query_id} for parameter MetricDataQueries.member.{number}.Id is not matching the expected "
        "pattern ^[a-z][a-zA-Z0-9_]*$." for number, query_id in ((2, "M1"), (3, "5xx"))]
    results = cw.get_metric_data(MetricDataQueries=[queries[0], queries[3]], **_window())["MetricDataResults"]
    assert [result["Id"] for result in results] == ["m_1", "ok"]


def test_list_metrics_filters_and_pages(server, unique):
    cw = server.client("cloudwatch")
    namespace = f"List/{unique}"
    data = [{"MetricName": f"m{i:03d}", "Value": 1.0, "Dimensions": [{"Name": "Host", "Value": f"h{i % 2}"}]}
            for i in range(520)]
    cw.put_metric_data(Namespace=namespace, MetricData=data[:500])
    cw.put_metric_data(Namespace=namespace, MetricData=data[500:])
    first = cw.list_metrics(Namespace=namespace)
    assert len(first["Metrics"]) == 500 and "NextToken" in first
    second = cw.list_metrics(Namespace=namespace, NextToken=first["NextToken"])
    assert len(second["Metrics"]) == 20 and "NextToken" not in second
    names = {m["MetricName"] for m in first["Metrics"] + second["Metrics"]}
    assert len(names) == 520
    host1 = cw.get_paginator("list_metrics").paginate(Namespace=namespace, Dimensions=[{"Name": "Host", "Value": "h1"}])
    assert sum(len(page["Metrics"]) for page in host1) == 260
    by_name = cw.list_metrics(Namespace=namespace, MetricName="m007", Dimensions=[{"Name": "Host"}])["Metrics"]
    assert by_name == [{"Namespace": namespace, "MetricName": "m007", "Dimensions": [{"Name": "Host", "Value": "h1"}]}]
    assert cw.list_metrics(Namespace=namespace, RecentlyActive="PT3H", MetricName="m001")["Metrics"]
    assert error_of(cw.list_metrics, NextToken="not-a-token")[0] == "InvalidNextToken"


def test_get_metric_statistics_limits(server, unique):
    cw = server.client("cloudwatch")
    window = _window()
    code, message, _ = error_of(cw.get_metric_statistics, Namespace=unique, MetricName="m", Period=60,
                             Statistics=["Sum"], StartTime=window["StartTime"],
                             EndTime=window["StartTime"] + dt.timedelta(days=2))
    assert code == "InvalidParameterCombination" and "exceeds the limit of 1,440" in message
    code, *_ = error_of(cw.get_metric_statistics, Namespace=unique, MetricName="m", Period=61, Statistics=["Sum"],
                       **window)
    assert code == "InvalidParameterValue"
    code, *_ = error_of(cw.get_metric_statistics, Namespace=unique, MetricName="m", Period=60, Statistics=["Sum"],
                       StartTime=window["EndTime"], EndTime=window["StartTime"])
    assert code == "InvalidParameterValue"
    code, message, _ = error_of(cw.get_metric_data, MetricDataQueries=[{"Id": "e", "Expression": "SUM(METRICS())"}],
                             **window)
    assert code == "InvalidParameterValue" and "expressions" in message


def test_smithy_rpc_v2_cbor_client(server, unique, cbor_client):
    namespace = f"Cbor/{unique}"
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=250000)
    cbor_client.put_metric_data(Namespace=namespace, MetricData=[
        {"MetricName": "m", "Value": 2.5, "Timestamp": stamp}, {"MetricName": "m", "Values": [math.pi]}])
    stats = cbor_client.get_metric_statistics(Namespace=namespace, MetricName="m", Period=3600,
                                              Statistics=["Sum", "SampleCount"], **_window())
    assert sum(p["Sum"] for p in stats["Datapoints"]) == pytest.approx(2.5 + math.pi)
    assert all(p["Timestamp"].tzinfo is not None for p in stats["Datapoints"])
    code, message, _ = error_of(cbor_client.put_metric_data, Namespace="AWS/X", MetricData=[{"MetricName": "m",
                                                                                         "Value": 1}])
    assert (code, message) == ("InvalidParameterValue", "The value AWS/X for parameter Namespace is invalid.")
    assert error_of(cbor_client.describe_alarms, AlarmNames=["a"], AlarmNamePrefix="a")[0] == \
        "InvalidParameterCombination"


def test_unsigned_and_unknown_cbor_requests(server):
    headers = {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"}
    response = raw_request(server, None, path="/service/GraniteServiceVersion20100801/operation/ListMetrics",
                           body=b"\xa0", headers=headers)
    assert response.status == 403
    assert response.headers.get("smithy-protocol") == "rpc-v2-cbor"


def test_query_form_still_answers(server, unique):
    """CloudWatch's query API (Action=...&Version=2010-08-01), as SDKs from before the JSON/CBOR move send it."""
    server.client("cloudwatch").put_metric_data(Namespace=f"Q/{unique}", MetricData=[{"MetricName": "m", "Value": 1}])
    form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    body = f"Action=ListMetrics&Version=2010-08-01&Namespace=Q%2F{unique}".encode()
    answer = raw_request(server, "monitoring", body=body, headers=form)
    assert answer.status == 200
    assert "<ListMetricsResponse" in answer.text and f"<Namespace>Q/{unique}</Namespace>" in answer.text
    refused = raw_request(server, "monitoring", headers=form,
                          body=b"Action=PutMetricData&Version=2010-08-01&Namespace=AWS%2FX&"
                               b"MetricData.member.1.MetricName=m&MetricData.member.1.Value=1")
    assert refused.status == 400 and "<Code>InvalidParameterValue</Code>" in refused.text


def test_put_metric_data_is_authorized_with_the_namespace_key(server, unique):
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "cloudwatch:PutMetricData",
                                                       "Resource": "*", "Condition": {"StringEquals": {
                                                           "cloudwatch:namespace": f"Allowed/{unique}"}}}]}
    server.client("iam").create_user(UserName=f"metrics-{unique}")
    server.client("iam").put_user_policy(UserName=f"metrics-{unique}", PolicyName="metrics",
                                         PolicyDocument=json.dumps(policy))
    cw = server.client_for(iam_user_key_of(server, f"metrics-{unique}"), "cloudwatch")
    cw.put_metric_data(Namespace=f"Allowed/{unique}", MetricData=[{"MetricName": "m", "Value": 1}])
    code, message, _ = error_of(cw.put_metric_data, Namespace=f"Other/{unique}",
                             MetricData=[{"MetricName": "m", "Value": 1}])
    assert code == "AccessDenied" and "cloudwatch:PutMetricData" in message
    assert error_of(cw.list_metrics)[0] == "AccessDenied"


def test_cloudtrail_records_cloudwatch_calls_as_monitoring(server, unique):
    """CloudTrail names CloudWatch ``monitoring.amazonaws.com``; EventBridge matches it as ``aws.cloudwatch``."""
    events, sqs = server.client("events"), server.client("sqs")
    url = sqs.create_queue(QueueName=f"cw-events-{unique}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule = events.put_rule(Name=f"cw-{unique}", EventPattern=json.dumps(
        {"source": ["aws.cloudwatch"], "detail": {"eventName": ["PutMetricData"]}}))["RuleArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
         "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": rule}}}]})})
    events.put_targets(Rule=f"cw-{unique}", Targets=[{"Id": "q", "Arn": queue_arn}])
    server.client("cloudwatch").put_metric_data(Namespace=f"Trail/{unique}", MetricData=[{"MetricName": "m",
                                                                                          "Value": 1}])
    found = server.client("cloudtrail").lookup_events(LookupAttributes=[
        {"AttributeKey": "EventSource", "AttributeValue": "monitoring.amazonaws.com"}])["Events"]
    assert any(json.loads(e["CloudTrailEvent"])["requestParameters"]["namespace"] == f"Trail/{unique}"
               for e in found if e["EventName"] == "PutMetricData")
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5).get("Messages", [])
    assert messages and json.loads(messages[0]["Body"])["source"] == "aws.cloudwatch"
