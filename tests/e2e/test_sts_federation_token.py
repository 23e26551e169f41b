"""sts:GetFederationToken end to end (boto3 and the AWS CLI): a federated user session whose permissions are its
issuer's narrowed by the session policies passed, none without them but what a resource policy naming it grants;
no IAM and no STS calls but GetCallerIdentity; durations; tags; CloudTrail's FederatedUser identity."""

from __future__ import annotations

import datetime as _dt
import json

from harness import BOOT_ACCOUNT, error_of, policy_document

ALLOW_ALL_S3 = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}


def _server_time(server) -> _dt.datetime:
    return _dt.datetime.fromisoformat(server.get_json("/_rootplane/clock")["now"])


def _issuer(server, unique: str, *statements: dict) -> dict:
    iam = server.client("iam")
    iam.create_user(UserName=f"broker-{unique}", Tags=[{"Key": "Team", "Value": "platform"}])
    if statements:
        iam.put_user_policy(UserName=f"broker-{unique}", PolicyName="p", PolicyDocument=policy_document(*statements))
    return iam.create_access_key(UserName=f"broker-{unique}")["AccessKey"]


def test_a_federated_user_has_its_issuers_permissions_narrowed_by_the_session_policy(server, unique):
    broker = _issuer(server, unique, ALLOW_ALL_S3, {"Effect": "Allow", "Action": "sts:GetFederationToken",
                                                    "Resource": f"arn:aws:sts::{BOOT_ACCOUNT}:federated-user/*"})
    server.client("s3").create_bucket(Bucket=f"fed-{unique}")
    token = server.client_for(broker, "sts").get_federation_token(
        Name="Bob", DurationSeconds=900, Policy=policy_document(
            {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:PutObject", "sqs:ListQueues"], "Resource": "*"}))
    arn = f"arn:aws:sts::{BOOT_ACCOUNT}:federated-user/Bob"
    assert token["FederatedUser"] == {"FederatedUserId": f"{BOOT_ACCOUNT}:Bob", "Arn": arn}
    assert token["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert 0 < token["PackedPolicySize"] <= 100
    assert 895 <= (token["Credentials"]["Expiration"] - _server_time(server)).total_seconds() <= 900

    identity = server.client_for(token["Credentials"], "sts").get_caller_identity()
    assert (identity["UserId"], identity["Account"], identity["Arn"]) == (f"{BOOT_ACCOUNT}:Bob", BOOT_ACCOUNT, arn)
    s3 = server.client_for(token["Credentials"], "s3")
    s3.put_object(Bucket=f"fed-{unique}", Key="k", Body=b"x")  # issuer and session policy both allow
    assert error_of(s3.get_object, Bucket=f"fed-{unique}", Key="k")[0] == "AccessDenied"  # the session policy doesn't
    sqs = server.client_for(token["Credentials"], "sqs")
    assert error_of(sqs.list_queues)[0] == "AccessDenied"  # the session policy allows, the issuer doesn't


def test_without_a_session_policy_only_a_resource_policy_naming_the_federated_user_grants(server, unique):
    broker = _issuer(server, unique, ALLOW_ALL_S3, {"Effect": "Allow", "Action": "sts:GetFederationToken",
                                                    "Resource": "*"})
    s3 = server.client("s3")
    for bucket in (f"named-{unique}", f"other-{unique}"):
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_bucket_policy(Bucket=f"named-{unique}", Policy=policy_document({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:sts::{BOOT_ACCOUNT}:federated-user/Alice"},
        "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::named-{unique}/*"}))
    token = server.client_for(broker, "sts").get_federation_token(Name="Alice")
    assert "PackedPolicySize" not in token
    federated = server.client_for(token["Credentials"], "s3")
    assert federated.get_object(Bucket=f"named-{unique}", Key="k")["Body"].read() == b"x"
    assert error_of(federated.get_object, Bucket=f"other-{unique}", Key="k")[0] == "AccessDenied"


def test_federated_credentials_call_no_iam_and_no_sts_but_get_caller_identity(server, unique):
    token = server.client("sts").get_federation_token(
        Name=f"root-{unique}"[:32], Policy=policy_document({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    iam = server.client_for(token["Credentials"], "iam")
    code, message, status = error_of(iam.list_users)
    assert (code, message, status) == ("InvalidClientTokenId", "The security token included in the request is invalid",
                                       403)
    sts = server.client_for(token["Credentials"], "sts")
    assert error_of(sts.get_session_token)[::2] == ("AccessDenied", 403)
    assert error_of(sts.get_federation_token, Name="again")[::2] == ("AccessDenied", 403)
    # the root user issued it: everything its session policy allows (beyond IAM and STS)
    server.client_for(token["Credentials"], "s3").create_bucket(Bucket=f"by-root-fed-{unique}")


def test_durations_permission_and_refusals(server, unique):
    root = server.client("sts").get_federation_token(Name="RootFed", DurationSeconds=129600)
    assert 3595 <= (root["Credentials"]["Expiration"] - _server_time(server)).total_seconds() <= 3600  # root: 1 h
    denied = _issuer(server, unique)
    code, message, status = error_of(server.client_for(denied, "sts").get_federation_token, Name="Carol")
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: arn:aws:iam::{BOOT_ACCOUNT}:user/broker-{unique} is not authorized to perform: "
                       f"sts:GetFederationToken on resource: arn:aws:sts::{BOOT_ACCOUNT}:federated-user/Carol")
    sts = server.client("sts")
    assert error_of(sts.get_federation_token, Name="Dave", Policy="{not json")[::2] == ("MalformedPolicyDocument", 400)
    session = server.client_for(sts.get_session_token()["Credentials"], "sts")
    assert error_of(session.get_federation_token, Name="Eve") == (
        "AccessDenied", "Cannot call GetFederationToken with session credentials", 403)


def test_session_tags_override_user_tags_and_cloudtrail_records_the_federated_user(server, unique):
    broker = _issuer(server, unique, {"Effect": "Allow", "Action": ["sts:GetFederationToken", "sts:TagSession"],
                                      "Resource": "*"}, ALLOW_ALL_S3)
    name = f"Fed{unique}"[:32]
    result = server.cli_json(
        "sts", "get-federation-token", "--name", name, "--tags", "Key=team,Value=web",
        "--policy", policy_document({"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*",
                                     "Condition": {"StringEquals": {"aws:PrincipalTag/Team": "web"}}}),
        access_key=broker["AccessKeyId"], secret_key=broker["SecretAccessKey"])
    credentials = result["Credentials"]
    listed = server.cli_json("s3api", "list-buckets", access_key=credentials["AccessKeyId"],
                             secret_key=credentials["SecretAccessKey"], token=credentials["SessionToken"])
    assert "Buckets" in listed  # the session tag (team=web) replaced the user tag (Team=platform)
    events = server.client("cloudtrail").lookup_events(LookupAttributes=[
        {"AttributeKey": "AccessKeyId", "AttributeValue": credentials["AccessKeyId"]}])["Events"]
    record = json.loads(next(e for e in events if e["EventName"] == "ListBuckets")["CloudTrailEvent"])
    identity = record["userIdentity"]
    assert (identity["type"], identity["principalId"], identity["arn"]) == (
        "FederatedUser", f"{BOOT_ACCOUNT}:{name}", f"arn:aws:sts::{BOOT_ACCOUNT}:federated-user/{name}")
    assert identity["sessionContext"]["sessionIssuer"] == {
        "type": "IAMUser", "principalId": server.client("iam").get_user(UserName=f"broker-{unique}")["User"]["UserId"],
        "arn": f"arn:aws:iam::{BOOT_ACCOUNT}:user/broker-{unique}", "accountId": BOOT_ACCOUNT,
        "userName": f"broker-{unique}"}
