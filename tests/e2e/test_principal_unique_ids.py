"""Issue #10 finding 5: trust and resource policies name users and roles by unique id; sessions end with their role.

AWS stores the unique id of a user or role a policy names when the policy is saved, shows the ARN while that
principal exists and its unique id once deleted, and never lets a later principal of the same name match."""

from __future__ import annotations

import json

from tests.harness import error_of, policy_document

ACCOUNT = "000000000000"
ASSUME_ANY = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}


def _user(server, name: str, *statements: dict) -> dict:
    iam = server.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy_document(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}


def _delete_user(server, name: str, key_id: str) -> None:
    iam = server.client("iam")
    iam.delete_access_key(UserName=name, AccessKeyId=key_id)
    iam.delete_user_policy(UserName=name, PolicyName="p")
    iam.delete_user(UserName=name)


def _trust(principal: str) -> str:
    return policy_document({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"})


def test_trust_policy_keeps_trusting_the_user_it_named_not_its_namesake(server, unique):
    iam = server.client("iam")
    name = f"x-{unique}"
    user_arn = f"arn:aws:iam::{ACCOUNT}:user/{name}"
    first = _user(server, name, ASSUME_ANY)
    first_id = iam.get_user(UserName=name)["User"]["UserId"]
    role = iam.create_role(RoleName=f"r-{unique}", AssumeRolePolicyDocument=_trust(user_arn))["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"AWS": user_arn}
    shown = iam.get_role(RoleName=f"r-{unique}")["Role"]["AssumeRolePolicyDocument"]
    assert shown["Statement"][0]["Principal"] == {"AWS": user_arn}
    server.client_for(first, "sts").assume_role(RoleArn=role["Arn"], RoleSessionName="sess")

    _delete_user(server, name, first["AccessKeyId"])
    shown = iam.get_role(RoleName=f"r-{unique}")["Role"]["AssumeRolePolicyDocument"]
    assert shown["Statement"][0]["Principal"] == {"AWS": first_id}
    listed = [r for r in iam.list_roles()["Roles"] if r["RoleName"] == f"r-{unique}"]
    assert listed[0]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"AWS": first_id}

    second = _user(server, name, ASSUME_ANY)
    code, message, status = error_of(server.client_for(second, "sts").assume_role, RoleArn=role["Arn"],
                                     RoleSessionName="sess")
    assert (code, status) == ("AccessDenied", 403)
    assert message == f"User: {user_arn} is not authorized to perform: sts:AssumeRole on resource: {role['Arn']}"
    # Naming the user again trusts the new one.
    iam.update_assume_role_policy(RoleName=f"r-{unique}", PolicyDocument=_trust(user_arn))
    server.client_for(second, "sts").assume_role(RoleArn=role["Arn"], RoleSessionName="sess")


def test_session_of_a_deleted_role_is_refused_even_after_a_namesake_is_created(server, unique):
    iam = server.client("iam")
    caller = _user(server, f"c-{unique}", ASSUME_ANY)
    role_name = f"gone-{unique}"
    list_users = policy_document({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"})

    def create_role() -> str:
        arn = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=_trust(f"arn:aws:iam::{ACCOUNT}:root"))
        iam.put_role_policy(RoleName=role_name, PolicyName="p", PolicyDocument=list_users)
        return arn["Role"]["Arn"]

    role_arn = create_role()
    credentials = server.client_for(caller, "sts").assume_role(RoleArn=role_arn, RoleSessionName="sess")["Credentials"]
    session = server.client("iam", credentials["AccessKeyId"], credentials["SecretAccessKey"],
                            credentials["SessionToken"])
    session.list_users()
    iam.delete_role_policy(RoleName=role_name, PolicyName="p")
    iam.delete_role(RoleName=role_name)
    session_arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/sess"
    denied = (f"User: {session_arn} is not authorized to perform: iam:ListUsers on resource: "
              f"arn:aws:iam::{ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action")
    assert error_of(session.list_users) == ("AccessDenied", denied, 403)
    create_role()  # same name, same permissions: a different role
    assert error_of(session.list_users) == ("AccessDenied", denied, 403)
    # A grant made to the new role by name (a bucket policy) does not reach the old session either.
    s3 = server.client("s3")
    s3.create_bucket(Bucket=f"b-{unique}")
    s3.put_bucket_policy(Bucket=f"b-{unique}", Policy=policy_document({
        "Effect": "Allow", "Principal": {"AWS": role_arn}, "Action": "s3:ListBucket",
        "Resource": f"arn:aws:s3:::b-{unique}"}))
    old = server.client("s3", credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])
    code, message, status = error_of(old.list_objects_v2, Bucket=f"b-{unique}")
    assert (code, status) == ("AccessDenied", 403) and message.endswith(
        "because no identity-based policy allows the s3:ListBucket action")
    fresh = server.client_for(caller, "sts").assume_role(RoleArn=role_arn, RoleSessionName="sess")["Credentials"]
    new = server.client("s3", fresh["AccessKeyId"], fresh["SecretAccessKey"], fresh["SessionToken"])
    assert new.list_objects_v2(Bucket=f"b-{unique}")["KeyCount"] == 0


def test_trust_policy_keeps_other_text_as_written(server, unique):
    iam = server.client("iam")
    caller = _user(server, f"k-{unique}", ASSUME_ANY)
    user_arn = f"arn:aws:iam::{ACCOUNT}:user/k-{unique}"
    document = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ["%s", "%s"]}, '
                '"Action": "sts:AssumeRole", "Condition": {"StringLike": {"aws:PrincipalArn": "%s"}}}]}'
                % (user_arn, ACCOUNT, user_arn))
    iam.create_role(RoleName=f"k-{unique}", AssumeRolePolicyDocument=document)
    shown = iam.get_role(RoleName=f"k-{unique}")["Role"]["AssumeRolePolicyDocument"]
    assert shown == json.loads(document)
    server.client_for(caller, "sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/k-{unique}",
                                                 RoleSessionName="sess")


def test_bucket_queue_and_topic_policies_bind_the_user_they_name(server, unique):
    iam, s3, sqs, sns = (server.client(s) for s in ("iam", "s3", "sqs", "sns"))
    name = f"rp-{unique}"
    user_arn = f"arn:aws:iam::{ACCOUNT}:user/{name}"
    bucket = f"rp-{unique}"
    s3.create_bucket(Bucket=bucket)
    queue_url = sqs.create_queue(QueueName=f"rp-{unique}")["QueueUrl"]
    queue_arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:rp-{unique}"
    topic_arn = sns.create_topic(Name=f"rp-{unique}")["TopicArn"]

    def grant(action: str, resource: str) -> str:
        return policy_document({"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": action,
                                "Resource": resource})

    def principal_of(text: str) -> str:
        return json.loads(text)["Statement"][0]["Principal"]["AWS"]

    def shown() -> list[str]:
        return [principal_of(s3.get_bucket_policy(Bucket=bucket)["Policy"]),
                principal_of(sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["Policy"])
                             ["Attributes"]["Policy"]),
                principal_of(sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]["Policy"])]

    def calls(credentials: dict) -> list:
        return [lambda: server.client_for(credentials, "s3").list_objects_v2(Bucket=bucket),
                lambda: server.client_for(credentials, "sqs").send_message(QueueUrl=queue_url, MessageBody="m"),
                lambda: server.client_for(credentials, "sns").publish(TopicArn=topic_arn, Message="m")]

    first = _user(server, name, {"Effect": "Deny", "Action": "iam:*", "Resource": "*"})  # no grant of its own
    first_id = iam.get_user(UserName=name)["User"]["UserId"]
    s3.put_bucket_policy(Bucket=bucket, Policy=grant("s3:ListBucket", f"arn:aws:s3:::{bucket}"))
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": grant("sqs:SendMessage", queue_arn)})
    sns.set_topic_attributes(TopicArn=topic_arn, AttributeName="Policy", AttributeValue=grant("sns:Publish", topic_arn))
    assert shown() == [user_arn] * 3
    for call in calls(first):
        call()

    _delete_user(server, name, first["AccessKeyId"])
    assert shown() == [first_id] * 3
    second = _user(server, name, {"Effect": "Deny", "Action": "iam:*", "Resource": "*"})
    errors = [error_of(call) for call in calls(second)]
    assert [(code, status) for code, _, status in errors[:2]] == [("AccessDenied", 403)] * 2
    assert errors[2][0::2] == ("AuthorizationError", 403) and f"User: {user_arn} is not authorized to perform: sns:Publish" in errors[2][1]
