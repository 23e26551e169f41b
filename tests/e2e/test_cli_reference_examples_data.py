"""The AWS CLI command reference's Examples (docs.aws.amazon.com/cli/latest/reference/<service>/<command>.html) for
the data and detection services, replayed with the CLI: each test cites its page and checks the documented output."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from docs_cli import BOOT_KEY, Cli


@pytest.fixture(scope="module")
def cli(server) -> Cli:
    return Cli(server, BOOT_KEY)


def test_support_describe_services_general_info(cli):
    """support/describe-services.html, "To list AWS services and service categories"."""
    services = cli.json("support", "describe-services", "--service-code-list", "general-info")["services"]
    assert services == [{"code": "general-info", "name": "General Info and Getting Started", "categories": [
        {"code": "charges", "name": "How Will I Be Charged?"},
        {"code": "gdpr-queries", "name": "Data Privacy Query"},
        {"code": "reserved-instances", "name": "Reserved Instances"},
        {"code": "resource", "name": "Where is my Resource?"},
        {"code": "using-aws", "name": "Using AWS & Services"},
        {"code": "free-tier", "name": "Free Tier"},
        {"code": "security-and-compliance", "name": "Security & Compliance"},
        {"code": "account-structure", "name": "Account Structure"}]}]


def test_support_describe_cases_without_communications(cli):
    """support/describe-cases.html, "To describe a case": submittedBy is the account's e-mail address (the API
    reference's CaseDetails), no recentCommunications with --no-include-communications, no cc list is []."""
    case_id = cli.json("support", "create-case", "--category-code", "using-aws", "--communication-body",
                       "I want to learn more about an AWS service.", "--issue-type", "technical", "--language", "en",
                       "--service-code", "general-info", "--severity-code", "low", "--subject",
                       "Question about my account")["caseId"]
    display_id = cli.text("support", "describe-cases", "--case-id-list", case_id, "--query", "cases[0].displayId")
    cases = cli.json("support", "describe-cases", "--display-id", display_id, "--after-time",
                     "2020-03-23T21:31:47.774Z", "--include-resolved-cases", "--language", "en",
                     "--no-include-communications", "--max-item", "1")["cases"]
    assert [sorted(case) for case in cases] == [sorted(
        ["status", "ccEmailAddresses", "timeCreated", "caseId", "severityCode", "language", "categoryCode",
         "serviceCode", "submittedBy", "displayId", "subject"])]
    assert (cases[0]["caseId"], cases[0]["submittedBy"], cases[0]["ccEmailAddresses"], cases[0]["status"]) == \
        (case_id, "root@example.com", [], "opened")


def test_sns_publish_text_message_to_phone_number(server, cli):
    """sns/publish.html, "send a quick SMS/text message": a MessageId, the SMS kept in the outbox; a number not in
    E.164 form is refused (Publish API reference, PhoneNumber)."""
    published = cli.json("sns", "publish", "--phone-number", "+12012022034", "--message",
                         " This is bob. My phone's dead. I'll be home soon.")
    assert list(published) == ["MessageId"] and re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}",
                                                               published["MessageId"])
    sms = server.get_json("/_rootplane/outbox?to=%2B12012022034")
    assert [message["body"] for message in sms] == [" This is bob. My phone's dead. I'll be home soon."]
    error = cli.error("sns", "publish", "--phone-number", "not-a-number", "--message", "hi")
    assert (error.code, error.message) == ("InvalidParameter",
                                           "Invalid parameter: PhoneNumber Reason: not-a-number is not valid to "
                                           "publish to")


def test_s3api_listings_write_times_with_milliseconds(cli, tmp_path):
    """s3api/list-object-versions.html and list-objects.html: the CLI prints S3's XML times as sent, always with
    milliseconds ("LastModified": "2015-11-10T00:57:03.000Z"), as the S3 API reference's ListObjectVersions example
    response shows them."""
    cli.json("s3api", "create-bucket", "--bucket", "clidata-times")
    cli.json("s3api", "put-bucket-versioning", "--bucket", "clidata-times", "--versioning-configuration",
             "Status=Enabled")
    body = tmp_path / "index.html"
    body.write_text("<html></html>")
    cli.json("s3api", "put-object", "--bucket", "clidata-times", "--key", "index.html", "--body", str(body))
    cli.json("s3api", "delete-object", "--bucket", "clidata-times", "--key", "index.html")
    versions = cli.json("s3api", "list-object-versions", "--bucket", "clidata-times")
    times = [entry["LastModified"] for entry in versions["Versions"] + versions["DeleteMarkers"]]
    cli.json("s3api", "put-object", "--bucket", "clidata-times", "--key", "index.html", "--body", str(body))
    times += [cli.text("s3api", command, "--bucket", "clidata-times", "--query", "Contents[0].LastModified")
              for command in ("list-objects", "list-objects-v2")]
    assert len(times) == 4 and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", t) for t in times), times


def test_cloudwatch_get_metric_statistics_periods_start_at_start_time(cli):
    """cloudwatch/get-metric-statistics.html: with --start-time 2014-02-18T23:18:00 and --period 3600 the datapoints
    are stamped 23:18, 00:18, ...: periods follow one another from the start time, rounded down to the minute (the
    API reference's StartTime)."""
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    start = now - dt.timedelta(minutes=90, seconds=25)
    metric = ("--namespace", "ClidataTest/EC2", "--metric-name", "CPUUtilization", "--dimensions",
              "Name=InstanceId,Value=i-0c986c72")
    for minutes_ago, value in ((80, 0.33), (30, 99.67)):
        cli.run("cloudwatch", "put-metric-data", *metric[:4], "--unit", "Percent", "--value", str(value),
                "--dimensions", "InstanceId=i-0c986c72", "--timestamp",
                (now - dt.timedelta(minutes=minutes_ago)).isoformat())
    stats = cli.json("cloudwatch", "get-metric-statistics", *metric, "--start-time", start.isoformat(),
                     "--end-time", now.isoformat(), "--period", "3600", "--statistics", "Maximum")
    first = start.replace(second=0)
    assert stats == {"Label": "CPUUtilization", "Datapoints": [
        {"Timestamp": first.timestamp(), "Maximum": 0.33, "Unit": "Percent"},
        {"Timestamp": (first + dt.timedelta(hours=1)).timestamp(), "Maximum": 99.67, "Unit": "Percent"}]}


def test_sns_sms_sandbox_status_and_opt_out_check(cli):
    """sns/get-sms-sandbox-account-status.html ({"IsInSandbox": true}: an account starts in the SMS sandbox, SNS
    Developer Guide) and sns/check-if-phone-number-is-opted-out.html ({"isOptedOut": false})."""
    assert cli.json("sns", "get-sms-sandbox-account-status") == {"IsInSandbox": True}
    assert cli.json("sns", "check-if-phone-number-is-opted-out", "--phone-number", "555-555-0100") == \
        {"isOptedOut": False}
