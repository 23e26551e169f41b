"""CloudTrail log file integrity validation (CloudTrail User Guide: "Validating CloudTrail log file integrity",
"CloudTrail digest file structure", "Validating CloudTrail log file integrity with the AWS CLI"): a trail with
EnableLogFileValidation writes signed digest files beside its log files, ListPublicKeys gives the keys, and
``aws cloudtrail validate-logs`` proves the logs untouched, or finds what was changed."""

from __future__ import annotations

import datetime as _dt
import gzip
import hashlib
import json
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from harness import error_of
from trail_helpers import ACCOUNT, trail_bucket


def _validated_trail(server, unique: str, name: str) -> tuple[str, str]:
    """A logging trail with log file validation: (its ARN, its bucket)."""
    bucket, trail = f"{name}-{unique}", f"{name}-{unique}"
    arn = trail_bucket(server, bucket, trail)
    server.client("cloudtrail").create_trail(Name=trail, S3BucketName=bucket, EnableLogFileValidation=True)
    server.client("cloudtrail").start_logging(Name=trail)
    return arn, bucket


def _stopped_and_delivered(server, trail_arn: str) -> None:
    """Stop the trail and wait for what it logged to be delivered: later calls (LookupEvents, validate-logs' own)
    are not logged, so its log and digest files stay as they are."""
    server.client("cloudtrail").stop_logging(Name=trail_arn)
    server.client("cloudtrail").lookup_events(MaxResults=1)  # flushes pending records and their deliveries


def _keys(server, bucket: str, part: str) -> list[str]:
    contents = server.client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])
    return sorted(item["Key"] for item in contents if f"/{part}/" in item["Key"])


def _validate_logs(server, trail_arn: str, since: _dt.datetime):
    return server.cli("cloudtrail", "validate-logs", "--trail-arn", trail_arn, "--start-time",
                      since.strftime("%Y-%m-%dT%H:%M:%SZ"), "--verbose", check=False, every_client=True)


def _next_second() -> None:
    time.sleep(1.05 - time.time() % 1)  # digests are named to the second: the next delivery starts a new one


def test_digest_files_list_the_log_files_and_are_signed_with_a_listed_key(server, unique):
    trail_arn, bucket = _validated_trail(server, unique, "digest")
    server.client("iam").create_user(UserName=f"signed-{unique}")
    _stopped_and_delivered(server, trail_arn)
    s3 = server.client("s3")
    digest_key = _keys(server, bucket, "CloudTrail-Digest")[0]  # the chain's first (a second may have passed)
    logs = _keys(server, bucket, "CloudTrail")
    assert digest_key.startswith(f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/us-east-1/")
    assert f"_CloudTrail-Digest_us-east-1_digest-{unique}_us-east-1_" in digest_key
    stored = s3.get_object(Bucket=bucket, Key=digest_key)
    content = gzip.decompress(stored["Body"].read())
    digest = json.loads(content)
    assert stored["Metadata"]["signature-algorithm"] == digest["digestSignatureAlgorithm"] == "SHA256withRSA"
    assert (digest["awsAccountId"], digest["digestS3Bucket"], digest["digestS3Object"]) == (ACCOUNT, bucket, digest_key)
    assert digest["previousDigestSignature"] is None and digest["previousDigestS3Object"] is None
    assert {entry["s3Object"] for entry in digest["logFiles"]} <= set(logs)
    for entry in digest["logFiles"]:
        body = gzip.decompress(s3.get_object(Bucket=bucket, Key=entry["s3Object"])["Body"].read())
        assert (entry["hashAlgorithm"], entry["hashValue"]) == ("SHA-256", hashlib.sha256(body).hexdigest())
        times = [record["eventTime"] for record in json.loads(body)["Records"]]
        assert (entry["oldestEventTime"], entry["newestEventTime"]) == (min(times), max(times))
    [key] = [k for k in server.client("cloudtrail").list_public_keys()["PublicKeyList"]
             if k["Fingerprint"] == digest["digestPublicKeyFingerprint"]]
    public = serialization.load_der_public_key(key["Value"])  # DER, PKCS #1 (ListPublicKeys' Value)
    signed = (f"{digest['digestEndTime']}\n{bucket}/{digest_key}\n{hashlib.sha256(content).hexdigest()}\nnull")
    public.verify(bytes.fromhex(stored["Metadata"]["signature"]), signed.encode(), padding.PKCS1v15(),
                  hashes.SHA256())
    status = server.client("cloudtrail").get_trail_status(Name=trail_arn)
    assert "LatestDigestDeliveryTime" in status and "LatestDigestDeliveryError" not in status


def test_validate_logs_proves_the_chain_and_finds_a_changed_log_file(server, unique):
    """The AWS CLI's own validator (``aws cloudtrail validate-logs``) follows the chain of digests back through
    ListPublicKeys and S3: every digest and log file valid, until a log file is rewritten."""
    since = _dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(minutes=2)
    trail_arn, bucket = _validated_trail(server, unique, "chain")
    for number in range(2):
        _next_second()
        server.client("iam").create_user(UserName=f"chained-{number}-{unique}")
        server.client("cloudtrail").lookup_events(MaxResults=1)  # delivered in this second
    _stopped_and_delivered(server, trail_arn)
    digests = _keys(server, bucket, "CloudTrail-Digest")
    assert len(digests) >= 2
    s3 = server.client("s3")
    last = json.loads(gzip.decompress(s3.get_object(Bucket=bucket, Key=digests[-1])["Body"].read()))
    previous = s3.get_object(Bucket=bucket, Key=digests[-2])
    assert last["previousDigestS3Object"] == digests[-2]
    assert last["previousDigestSignature"] == previous["Metadata"]["signature"]
    assert last["previousDigestHashValue"] == hashlib.sha256(gzip.decompress(previous["Body"].read())).hexdigest()
    assert last["digestStartTime"] <= last["digestEndTime"]

    logs = _keys(server, bucket, "CloudTrail")
    result = _validate_logs(server, trail_arn, since)
    assert result.returncode == 0 and "INVALID" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert f"\n{len(digests)}/{len(digests)} digest files valid\n{len(logs)}/{len(logs)} log files valid\n" \
        in result.stdout

    forged = gzip.compress(json.dumps({"Records": []}).encode())
    s3.put_object(Bucket=bucket, Key=logs[0], Body=forged)
    result = _validate_logs(server, trail_arn, since)
    assert result.returncode == 1
    assert f"s3://{bucket}/{logs[0]}\tINVALID: hash value doesn't match" in result.stderr
    assert f"{len(logs) - 1}/{len(logs)} log files valid, 1/{len(logs)} log files INVALID" in result.stdout


def test_a_changed_digest_file_is_found(server, unique):
    since = _dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(minutes=2)
    trail_arn, bucket = _validated_trail(server, unique, "forged")
    server.client("iam").create_user(UserName=f"forged-{unique}")
    _stopped_and_delivered(server, trail_arn)
    digest_key = _keys(server, bucket, "CloudTrail-Digest")[-1]
    s3 = server.client("s3")
    stored = s3.get_object(Bucket=bucket, Key=digest_key)
    digest = json.loads(gzip.decompress(stored["Body"].read()))
    digest["logFiles"] = []
    s3.put_object(Bucket=bucket, Key=digest_key, Body=gzip.compress(json.dumps(digest).encode()),
                  Metadata=stored["Metadata"])
    result = _validate_logs(server, trail_arn, since)
    assert result.returncode == 1
    assert f"s3://{bucket}/{digest_key}\tINVALID: signature verification failed" in result.stderr


def test_a_trail_without_validation_writes_no_digest(server, unique):
    bucket, trail = f"plain-{unique}", f"plain-{unique}"
    trail_bucket(server, bucket, trail)
    server.client("cloudtrail").create_trail(Name=trail, S3BucketName=bucket)
    server.client("cloudtrail").start_logging(Name=trail)
    server.client("iam").create_user(UserName=f"plain-{unique}")
    _stopped_and_delivered(server, trail)
    assert _keys(server, bucket, "CloudTrail") and not _keys(server, bucket, "CloudTrail-Digest")
    assert "LatestDigestDeliveryTime" not in server.client("cloudtrail").get_trail_status(Name=trail)


def test_list_public_keys_gives_the_regions_current_key_and_checks_the_range(server):
    cloudtrail = server.client("cloudtrail")
    [key] = cloudtrail.list_public_keys()["PublicKeyList"]
    assert len(key["Fingerprint"]) == 32 and key["ValidityStartTime"] < key["ValidityEndTime"]
    assert serialization.load_der_public_key(key["Value"]).key_size == 2048
    now = _dt.datetime.now(_dt.timezone.utc)
    assert cloudtrail.list_public_keys(StartTime=now - _dt.timedelta(days=400),
                                       EndTime=now - _dt.timedelta(days=399))["PublicKeyList"] == []
    other = server.client("cloudtrail", region="eu-west-1").list_public_keys()["PublicKeyList"]
    assert [k["Fingerprint"] for k in other] != [key["Fingerprint"]]  # each Region signs with keys of its own
    code, _message, status = error_of(cloudtrail.list_public_keys, StartTime=now, EndTime=now - _dt.timedelta(hours=1))
    assert (code, status) == ("InvalidTimeRangeException", 400)


def test_digest_chains_validate_on_either_store(store_server, unique):
    """The digest keys and chains are store state like any other: on PostgreSQL as on SQLite."""
    since = _dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(minutes=2)
    trail_arn, bucket = _validated_trail(store_server, unique, "stores")
    store_server.client("iam").create_user(UserName=f"stored-{unique}")
    _stopped_and_delivered(store_server, trail_arn)
    digests, logs = _keys(store_server, bucket, "CloudTrail-Digest"), _keys(store_server, bucket, "CloudTrail")
    result = _validate_logs(store_server, trail_arn, since)
    assert result.returncode == 0 and "INVALID" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert f"\n{len(digests)}/{len(digests)} digest files valid\n{len(logs)}/{len(logs)} log files valid\n" \
        in result.stdout
