"""EC2 DescribeRegions over the Account service's region opt-in state, in EC2's own protocol (boto3, AWS CLI, raw)."""

from __future__ import annotations

import pytest

from harness import BOOT_ACCOUNT, error_of, iam_user_key, raw_request
from server_clock import ServerClock

from rootplane.services.account.regions import DISABLE_DURATION, ENABLE_DURATION

DEFAULT_REGIONS = {"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1",
                   "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2",
                   "eu-west-3", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2"}
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


@pytest.fixture(scope="module")
def ec2(server):
    return server.client("ec2")


def _statuses(ec2, **kwargs) -> dict[str, str]:
    return {region["RegionName"]: region["OptInStatus"] for region in ec2.describe_regions(**kwargs)["Regions"]}


def test_default_listing_is_the_enabled_regions(ec2):
    regions = ec2.describe_regions()["Regions"]
    by_name = {region["RegionName"]: region for region in regions}
    assert DEFAULT_REGIONS <= set(by_name)
    assert "me-south-1" not in by_name  # an opt-in region nobody enabled
    assert by_name["eu-west-1"] == {"RegionName": "eu-west-1", "Endpoint": "ec2.eu-west-1.amazonaws.com",
                                    "OptInStatus": "opt-in-not-required"}
    everything = _statuses(ec2, AllRegions=True)
    assert everything["me-south-1"] == "not-opted-in"
    assert len(everything) == 34


def test_opt_in_follows_the_account_service(server, ec2):
    account, clock = server.client("account"), ServerClock(server)
    account.enable_region(RegionName="ap-east-1")
    assert account.get_region_opt_status(RegionName="ap-east-1")["RegionOptStatus"] == "ENABLING"
    assert _statuses(ec2, RegionNames=["ap-east-1"]) == {"ap-east-1": "not-opted-in"}
    clock.advance(ENABLE_DURATION.total_seconds() + 1)
    assert _statuses(ec2)["ap-east-1"] == "opted-in"
    assert _statuses(ec2, Filters=[{"Name": "opt-in-status", "Values": ["opted-in"]}]) == {"ap-east-1": "opted-in"}
    account.disable_region(RegionName="ap-east-1")
    assert _statuses(ec2, RegionNames=["ap-east-1"]) == {"ap-east-1": "opted-in"}  # serves until disabled
    clock.advance(DISABLE_DURATION.total_seconds() + 1)
    assert "ap-east-1" not in _statuses(ec2)
    assert _statuses(ec2, AllRegions=True)["ap-east-1"] == "not-opted-in"


def test_filters_and_region_names(ec2):
    europe = _statuses(ec2, Filters=[{"Name": "region-name", "Values": ["eu-west-?", "eu-north-*"]}])
    assert set(europe) == {"eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1"}
    both = _statuses(ec2, AllRegions=True, Filters=[{"Name": "region-name", "Values": ["me-*"]},
                                                   {"Name": "opt-in-status", "Values": ["not-opted-in"]}])
    assert set(both) == {"me-central-1", "me-south-1"}
    assert _statuses(ec2, Filters=[{"Name": "endpoint", "Values": ["ec2.us-east-1.amazonaws.com"]}]) == {
        "us-east-1": "opt-in-not-required"}
    assert _statuses(ec2, RegionNames=["il-central-1", "us-west-2"]) == {
        "il-central-1": "not-opted-in", "us-west-2": "opt-in-not-required"}
    assert error_of(ec2.describe_regions, Filters=[{"Name": "state", "Values": ["x"]}]) == (
        "InvalidParameterValue", "The filter 'state' is invalid", 400)
    assert error_of(ec2.describe_regions, RegionNames=["xx-nowhere-1"])[::2] == ("InvalidParameterValue", 400)


def test_authorized_with_iam_and_dry_run(server, ec2):
    nobody = iam_user_key(server, "ec2-nobody")
    reader = iam_user_key(server, "ec2-reader", READ_ONLY)
    denied = server.client_for(nobody, "ec2")
    code, message, status = error_of(denied.describe_regions)
    assert (code, status) == ("UnauthorizedOperation", 403)
    assert message.startswith("You are not authorized to perform this operation. User: "
                              f"arn:aws:iam::{BOOT_ACCOUNT}:user/ec2-nobody is not authorized to perform: "
                              "ec2:DescribeRegions")
    assert error_of(denied.describe_regions, DryRun=True)[::2] == ("UnauthorizedOperation", 403)
    allowed = server.client_for(reader, "ec2")
    assert "us-east-1" in _statuses(allowed)
    assert error_of(allowed.describe_regions, DryRun=True) == (
        "DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412)


def test_other_operations_answer_in_ec2_format(server, ec2):
    code, _, status = error_of(ec2.describe_instances)
    assert (code, status) == ("NotImplemented", 501)
    raw = raw_request(server, "ec2", body=b"Action=DescribeVpcs&Version=2016-11-15",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert raw.status == 501
    assert raw.body.startswith(b"<Response><Errors><Error><Code>NotImplemented</Code>")
    assert b"<RequestID>" in raw.body
    unknown = raw_request(server, "ec2", body=b"Action=LaunchRockets&Version=2016-11-15",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert unknown.status == 400 and b"<Code>InvalidAction</Code>" in unknown.body
    bad_key = server.client("ec2", access_key="AKIAIOSFODNN7EXAMPLE", secret_key="wrong")
    assert error_of(bad_key.describe_regions) == (
        "AuthFailure", "AWS was not able to validate the provided access credentials", 401)


def test_aws_cli(server):
    got = server.cli_json("ec2", "describe-regions", "--all-regions", "--filters",
                          "Name=opt-in-status,Values=not-opted-in", "Name=region-name,Values=af-*")
    assert got["Regions"] == [{"Endpoint": "ec2.af-south-1.amazonaws.com", "RegionName": "af-south-1",
                               "OptInStatus": "not-opted-in"}]
