"""IAM policies on trails (trail ARN resources) and Event history (LookupEvents on *)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"


def test_trail_actions_on_trail_arn(server, unique):
    iam = server.client("iam")
    name = f"ct-{unique}"
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["cloudtrail:GetTrail*", "cloudtrail:LookupEvents"],
         "Resource": f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/mine-*"},
        {"Effect": "Allow", "Action": "cloudtrail:LookupEvents", "Resource": "*"},
    ]}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    cloudtrail = server.client("cloudtrail", key["AccessKeyId"], key["SecretAccessKey"])
    cloudtrail.lookup_events(MaxResults=1)
    with pytest.raises(ClientError) as caught:
        cloudtrail.get_trail_status(Name="mine-x")
    assert caught.value.response["Error"]["Code"] == "TrailNotFoundException"
    with pytest.raises(ClientError) as caught:
        cloudtrail.get_trail_status(Name="theirs")
    error = caught.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert f"cloudtrail:GetTrailStatus on resource: arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/theirs" in error["Message"]
