"""Log file integrity validation of an organization trail (CloudTrail User Guide: "Validating CloudTrail log file
integrity with the AWS CLI", organization trails): each member account's log files have a digest chain of their own
under ``AWSLogs/<org-id>/<account>/CloudTrail-Digest/``, which ``aws cloudtrail validate-logs --account-id`` checks."""

from __future__ import annotations

import datetime as _dt
from orgs_helpers import all_features_organization, assume_access_role
from trail_helpers import organization_trail_bucket

MANAGEMENT = "000000000000"
SERVICE = "cloudtrail.amazonaws.com"


def test_each_member_account_has_a_digest_chain_that_validates(server, unique):
    since = _dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(minutes=2)
    org = all_features_organization(server, "lv", 1)
    [member] = org["members"]
    server.client("organizations").enable_aws_service_access(ServicePrincipal=SERVICE)
    bucket, name = f"org-digests-{unique}", f"org-{unique}"
    arn = f"arn:aws:cloudtrail:us-east-1:{MANAGEMENT}:trail/{name}"
    organization_trail_bucket(server, bucket, arn, org["id"])
    cloudtrail = server.client("cloudtrail")
    cloudtrail.create_trail(Name=name, S3BucketName=bucket, IsOrganizationTrail=True, EnableLogFileValidation=True)
    cloudtrail.start_logging(Name=name)
    server.client_for(assume_access_role(server, org["admin"], member), "iam").create_user(UserName="in-member")
    cloudtrail.stop_logging(Name=name)
    cloudtrail.lookup_events(MaxResults=1)  # flushes pending records and their deliveries

    keys = [item["Key"] for item in server.client("s3").list_objects_v2(Bucket=bucket)["Contents"]]
    member_digests = [key for key in keys if key.startswith(f"AWSLogs/{org['id']}/{member}/CloudTrail-Digest/us-east-1/")]
    member_logs = [key for key in keys if key.startswith(f"AWSLogs/{org['id']}/{member}/CloudTrail/")]
    assert member_digests and member_logs
    result = server.cli("cloudtrail", "validate-logs", "--trail-arn", arn, "--account-id", member, "--start-time",
                        since.strftime("%Y-%m-%dT%H:%M:%SZ"), check=False, every_client=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (f"\n{len(member_digests)}/{len(member_digests)} digest files valid\n"
            f"{len(member_logs)}/{len(member_logs)} log files valid\n") in result.stdout
