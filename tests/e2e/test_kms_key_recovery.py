"""A KMS key locked by a bypassed key policy, recovered through an AWS Support case the root user confirms with the
code texted to the account's primary phone number (the last root-only path)."""

from __future__ import annotations

import json
import re
import urllib.parse

import pytest

from harness import BOOT_ACCOUNT, error_of, iam_user_key, policy_document

ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
ROOT_ARN = f"arn:aws:iam::{BOOT_ACCOUNT}:root"
KMS_SERVICE_CODE = "key-management-service"


@pytest.fixture(scope="module")
def admin_key(server):
    return iam_user_key(server, "kms-recovery-admin", ADMIN_POLICY)


@pytest.fixture(scope="module")
def phone(server):
    return server.client("account").get_contact_information()["ContactInformation"]["PhoneNumber"]


def _texts(server, phone: str) -> list[dict]:
    return server.get_json("/_rootplane/outbox?to=" + urllib.parse.quote(phone))


def _latest_code(server, phone: str, key_id: str) -> str:
    message = [m for m in _texts(server, phone) if key_id in m["body"]][-1]
    assert message["channel"] == "sms"
    return re.search(r"\b(\d{6})\b", message["body"]).group(1)


def _locked_key(server, admin_kms, unique: str) -> tuple[str, bytes]:
    """A key with data encrypted under it, then locked by a policy that trusts only a user without credentials."""
    server.client("iam").create_user(UserName=f"gone-{unique}")
    key = admin_kms.create_key(Description=f"locked {unique}")["KeyMetadata"]
    blob = admin_kms.encrypt(KeyId=key["KeyId"], Plaintext=b"before the lock",
                             EncryptionContext={"purpose": unique})["CiphertextBlob"]
    lock = policy_document({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{BOOT_ACCOUNT}:user/gone-{unique}"},
                            "Action": "kms:*", "Resource": "*"})
    code, message, status = error_of(admin_kms.put_key_policy, KeyId=key["KeyId"], PolicyName="default", Policy=lock)
    assert (code, message, status) == ("MalformedPolicyDocumentException",
                                       "The new key policy will not allow you to update the key policy in the future.",
                                       400)
    admin_kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=lock,
                             BypassPolicyLockoutSafetyCheck=True)
    return key["Arn"], blob


def _open_case(support, key_arn: str) -> str:
    return support.create_case(subject="KMS key is unmanageable", serviceCode=KMS_SERVICE_CODE,
                               categoryCode="key-policy", severityCode="high",
                               communicationBody=f"Our key {key_arn} has a policy that locks everyone out.")["caseId"]


def test_root_confirmation_restores_a_locked_key(server, admin_key, phone, unique):
    admin_kms = server.client_for(admin_key, "kms")
    root_kms = server.client("kms")
    key_arn, blob = _locked_key(server, admin_kms, unique)
    key_id = key_arn.rsplit("/", 1)[1]

    for who, kms, arn in (("admin", admin_kms, f"arn:aws:iam::{BOOT_ACCOUNT}:user/kms-recovery-admin"),
                          ("root", root_kms, ROOT_ARN)):
        code, message, status = error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x")
        assert (code, status) == ("AccessDeniedException", 400), who
        assert message == (f"User: {arn} is not authorized to perform: kms:Encrypt on resource: {key_arn} because "
                           "no resource-based policy allows the kms:Encrypt action")
        assert error_of(kms.put_key_policy, KeyId=key_id, PolicyName="default",
                        Policy=policy_document({"Effect": "Allow", "Principal": {"AWS": ROOT_ARN},
                                                "Action": "kms:*", "Resource": "*"}))[0] == "AccessDeniedException"
        assert error_of(kms.decrypt, CiphertextBlob=blob, EncryptionContext={"purpose": unique})[0] \
            == "AccessDeniedException"

    admin_support = server.client_for(admin_key, "support")
    sent_before = len(_texts(server, phone))
    case_id = _open_case(admin_support, key_arn)
    texts = _texts(server, phone)
    assert len(texts) == sent_before + 1 and texts[-1]["channel"] == "sms" and key_id in texts[-1]["body"]
    code = _latest_code(server, phone, key_id)
    case = admin_support.describe_cases(caseIdList=[case_id])["cases"][0]
    assert case["status"] == "pending-customer-action" and case["serviceCode"] == KMS_SERVICE_CODE
    asked = case["recentCommunications"]["communications"][0]
    assert asked["submittedBy"] == "Amazon Web Services" and phone[-4:] in asked["body"] and code not in asked["body"]

    # The administrator's confirmation with the right code, and the root user's with a wrong one: nothing changes.
    assert admin_support.add_communication_to_case(caseId=case_id, communicationBody=code)["result"] is True
    wrong = "000000" if code != "000000" else "111111"
    root_support = server.client("support")
    root_support.add_communication_to_case(caseId=case_id, communicationBody=wrong)
    assert error_of(admin_kms.encrypt, KeyId=key_id, Plaintext=b"x")[0] == "AccessDeniedException"
    assert root_support.describe_cases(caseIdList=[case_id])["cases"][0]["status"] == "pending-customer-action"

    # The root user's confirmation restores the key's default policy; data encrypted before the lock decrypts.
    root_support.add_communication_to_case(caseId=case_id, communicationBody=code)
    policy = json.loads(root_kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    assert policy["Statement"] == [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                                    "Principal": {"AWS": ROOT_ARN}, "Action": "kms:*", "Resource": "*"}]
    assert admin_kms.decrypt(CiphertextBlob=blob, EncryptionContext={"purpose": unique})["Plaintext"] \
        == b"before the lock"
    admin_kms.encrypt(KeyId=key_id, Plaintext=b"after")
    case = root_support.describe_cases(caseIdList=[case_id])["cases"][0]
    assert case["status"] == "resolved"
    bodies = [c["body"] for c in root_support.describe_communications(caseId=case_id)["communications"]]
    assert not any(code in body for body in bodies)  # the code is never readable in the case
    assert "default key policy" in bodies[0]

    events = server.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventSource", "AttributeValue": "support.amazonaws.com"}])["Events"]
    names = [e["EventName"] for e in events if case_id in e["CloudTrailEvent"] or key_arn in e["CloudTrailEvent"]]
    assert "CreateCase" in names and names.count("AddCommunicationToCase") >= 3
    confirmed = [json.loads(e["CloudTrailEvent"]) for e in events if e["EventName"] == "AddCommunicationToCase"
                 and '"CONFIRMED"' in e["CloudTrailEvent"]]
    assert confirmed and confirmed[0]["userIdentity"]["type"] == "Root"
    assert confirmed[0]["resources"][0]["ARN"] == key_arn
    assert all(code not in e["CloudTrailEvent"] for e in events)


def test_five_failed_confirmations_void_the_code_until_a_new_one_is_asked_for(server, admin_key, phone, unique):
    admin_kms = server.client_for(admin_key, "kms")
    key_arn, _ = _locked_key(server, admin_kms, unique)
    key_id = key_arn.rsplit("/", 1)[1]
    root_support = server.client("support")
    case_id = _open_case(server.client_for(admin_key, "support"), key_arn)
    code = _latest_code(server, phone, key_id)
    wrong = "123456" if code != "123456" else "654321"
    for _ in range(5):
        root_support.add_communication_to_case(caseId=case_id, communicationBody=wrong)
    latest = root_support.describe_communications(caseId=case_id)["communications"][0]
    assert "void" in latest["body"] and "send new code" in latest["body"]
    root_support.add_communication_to_case(caseId=case_id, communicationBody=code)  # the voided code: nothing
    assert error_of(server.client("kms").describe_key, KeyId=key_id)[0] == "AccessDeniedException"

    root_support.add_communication_to_case(caseId=case_id, communicationBody="send new code")
    new_code = _latest_code(server, phone, key_id)
    root_support.add_communication_to_case(caseId=case_id, communicationBody=new_code)
    assert server.client("kms").describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"


def test_a_case_that_names_no_key_of_the_account_sends_nothing(server, phone):
    support = server.client("support")
    sent = len(_texts(server, phone))
    case_id = support.create_case(subject="key", serviceCode=KMS_SERVICE_CODE, communicationBody="no key named")["caseId"]
    assert len(_texts(server, phone)) == sent
    reply = support.describe_communications(caseId=case_id)["communications"][0]
    assert reply["submittedBy"] == "Amazon Web Services" and "key ID or key ARN" in reply["body"]


def test_an_expired_code_changes_nothing_and_a_new_one_can_be_asked_for(unique):
    from harness import start_server

    server = start_server(args=("--time-travel",))
    try:
        phone = server.client("account").get_contact_information()["ContactInformation"]["PhoneNumber"]
        admin_kms = server.client_for(iam_user_key(server, "kms-admin", ADMIN_POLICY), "kms")
        key_arn, _ = _locked_key(server, admin_kms, unique)
        key_id = key_arn.rsplit("/", 1)[1]
        support = server.client("support")
        case_id = _open_case(support, key_arn)
        code = _latest_code(server, phone, key_id)
        server.advance_clock(16 * 60)
        support.add_communication_to_case(caseId=case_id, communicationBody=code)
        assert error_of(server.client("kms").describe_key, KeyId=key_id)[0] == "AccessDeniedException"
        support.add_communication_to_case(caseId=case_id, communicationBody="send new code")
        new_code = _latest_code(server, phone, key_id)
        support.add_communication_to_case(caseId=case_id, communicationBody=new_code)
        assert server.client("kms").describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
    finally:
        server.close()
