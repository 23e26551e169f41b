"""The queue Policy attribute as a resource policy: grants, AddPermission/RemovePermission, deny-all lockout."""

from __future__ import annotations

import json

import pytest

from harness import BOOT_ACCOUNT, error_of, iam_user_key, policy_document

ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"


@pytest.fixture(scope="module")
def sqs(server):
    return server.client("sqs")


@pytest.fixture(scope="module")
def admin(server):
    return server.client_for(iam_user_key(server, "sqs-admin", ADMIN_POLICY), "sqs")


def _arn(name: str) -> str:
    return f"arn:aws:sqs:us-east-1:{BOOT_ACCOUNT}:{name}"


def test_queue_policy_grants_a_user_and_invalid_policies_are_rejected(server, sqs, unique):
    name = f"grant-{unique}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sender = server.client_for(iam_user_key(server, f"sender-{unique}"), "sqs")
    code, message, status = error_of(sender.send_message, QueueUrl=url, MessageBody="x")
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: arn:aws:iam::{BOOT_ACCOUNT}:user/sender-{unique} is not authorized to perform: "
                       f"sqs:sendmessage on resource: {_arn(name)} because no identity-based policy allows the "
                       "sqs:sendmessage action")  # SQS lower-cases the action
    grant = policy_document({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{BOOT_ACCOUNT}:user/sender-{unique}"},
                     "Action": "sqs:SendMessage", "Resource": _arn(name)})
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": grant})
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"] == grant
    sender.send_message(QueueUrl=url, MessageBody="granted")
    assert error_of(sender.receive_message, QueueUrl=url)[0] == "AccessDenied"
    assert error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"Policy": "{not json"})[0] == "InvalidAttributeValue"


def test_add_and_remove_permission(server, sqs, unique):
    name = f"perm-{unique}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.add_permission(QueueUrl=url, Label="AllowSend", AWSAccountIds=[BOOT_ACCOUNT], Actions=["SendMessage"])
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert policy["Statement"][0]["Sid"] == "AllowSend"
    assert policy["Statement"][0]["Action"] == ["SQS:SendMessage"]
    assert error_of(sqs.add_permission, QueueUrl=url, Label="AllowSend", AWSAccountIds=[BOOT_ACCOUNT],
                    Actions=["SendMessage"])[0] == "InvalidParameterValue"
    sqs.remove_permission(QueueUrl=url, Label="AllowSend")
    assert "Policy" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert error_of(sqs.remove_permission, QueueUrl=url, Label="AllowSend")[0] == "InvalidParameterValue"


def test_sqs_policy_quotas(sqs, unique):
    """SQS's policy quotas: AddPermission's label (80 alphanumerics, hyphens, underscores) and seven actions per
    statement; a queue policy of at most 8,192 bytes and 20 statements. Nothing refused is stored."""
    url = sqs.create_queue(QueueName=f"quota-{unique}")["QueueUrl"]
    arn = _arn(f"quota-{unique}")
    for label in ("bad label!", "x" * 81):
        assert error_of(sqs.add_permission, QueueUrl=url, Label=label, AWSAccountIds=[BOOT_ACCOUNT],
                        Actions=["SendMessage"])[::2] == ("InvalidParameterValue", 400)
    eight = ["SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes",
             "GetQueueUrl", "ListQueueTags", "PurgeQueue"]
    assert error_of(sqs.add_permission, QueueUrl=url, Label="eight", AWSAccountIds=[BOOT_ACCOUNT],
                    Actions=eight)[0] == "InvalidParameterValue"
    sqs.add_permission(QueueUrl=url, Label="seven_ok-1", AWSAccountIds=[BOOT_ACCOUNT], Actions=eight[:7])

    def statements(count: int, padding: int = 0) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": f"s{index}{'x' * padding}", "Effect": "Allow", "Principal": {"AWS": BOOT_ACCOUNT},
             "Action": "sqs:SendMessage", "Resource": arn} for index in range(count)]})

    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": statements(20)})
    assert error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"Policy": statements(21)})[0] == (
        "InvalidAttributeValue")
    assert error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"Policy": statements(2, padding=4100)})[0] \
        == "InvalidAttributeValue"
    kept = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert len(kept["Statement"]) == 20


def test_deny_all_policy_locks_out_admins_and_root_unlocks_through_attributes(server, sqs, admin, unique):
    name = f"locked-{unique}"
    url = admin.create_queue(QueueName=name)["QueueUrl"]
    admin.send_message(QueueUrl=url, MessageBody="before")
    deny_all = policy_document({"Sid": "DenyEveryone", "Effect": "Deny", "Principal": "*", "Action": "sqs:*",
                        "Resource": _arn(name)})
    admin.set_queue_attributes(QueueUrl=url, Attributes={"Policy": deny_all})
    for call, kwargs in ((admin.send_message, {"MessageBody": "x"}), (admin.receive_message, {}),
                         (admin.get_queue_attributes, {"AttributeNames": ["Policy"]}),
                         (admin.set_queue_attributes, {"Attributes": {"Policy": ""}}), (admin.delete_queue, {})):
        code, message, status = error_of(call, QueueUrl=url, **kwargs)
        assert (code, status) == ("AccessDenied", 403) and message.endswith("with an explicit deny in a resource-based policy")
    # The owning root keeps queue-attribute management (the policy), and nothing else.
    assert error_of(admin.get_queue_url, QueueName=name)[0] == "AccessDenied"
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url
    assert error_of(sqs.send_message, QueueUrl=url, MessageBody="x")[0] == "AccessDenied"
    assert error_of(sqs.receive_message, QueueUrl=url)[0] == "AccessDenied"
    policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    assert policy == deny_all
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    assert admin.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "before"


def test_cli_sets_and_clears_the_policy(server, unique):
    name = f"cli-pol-{unique}"
    url = server.cli_json("sqs", "create-queue", "--queue-name", name)["QueueUrl"]
    deny = policy_document({"Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage", "Resource": _arn(name)})
    server.cli("sqs", "set-queue-attributes", "--queue-url", url, "--attributes", json.dumps({"Policy": deny}))
    denied = server.cli("sqs", "send-message", "--queue-url", url, "--message-body", "x", check=False)
    assert denied.returncode != 0 and "AccessDenied" in denied.stderr
    server.cli("sqs", "set-queue-attributes", "--queue-url", url, "--attributes", '{"Policy": ""}')
    server.cli("sqs", "send-message", "--queue-url", url, "--message-body", "x")
