"""KMS key recovery confirmed on the console's case page: an administrator opens the case through the API, the
code goes to the primary contact's phone (outbox, SMS), a wrong code does nothing, the root user's confirmation on
the case page resets the key policy."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from browser_helpers import outbox, records_named, screenshot

from harness import BOOT_ACCOUNT, error_of, iam_user_key, policy_document

ROOT_ARN = f"arn:aws:iam::{BOOT_ACCOUNT}:root"


def _locked_key(server, kms) -> str:
    """A key locked by a policy that trusts only a user without credentials."""
    server.client("iam").create_user(UserName="console-kms-nobody")
    key_id = kms.create_key(Description="locked from the console test")["KeyMetadata"]["KeyId"]
    lock = policy_document({"Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{BOOT_ACCOUNT}:user/console-kms-nobody"},
                            "Action": "kms:*", "Resource": "*"})
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=lock, BypassPolicyLockoutSafetyCheck=True)
    assert error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x")[0] == "AccessDeniedException"
    return key_id


def test_root_confirms_kms_key_recovery_on_the_case_page(server, root):
    admin = iam_user_key(server, "console-kms-admin", "arn:aws:iam::aws:policy/AdministratorAccess")
    admin_kms = server.client_for(admin, "kms")
    key_id = _locked_key(server, admin_kms)
    phone = server.client("account").get_contact_information()["ContactInformation"]["PhoneNumber"]
    case_id = server.client_for(admin, "support").create_case(
        subject="KMS key is unmanageable", serviceCode="key-management-service", categoryCode="key-policy",
        severityCode="high", communicationBody=f"Key {key_id} locks everyone out.")["caseId"]
    text = [message for message in outbox(server, phone) if key_id in message["body"]][-1]
    assert text["channel"] == "sms"
    code = re.search(r"\b(\d{6})\b", text["body"]).group(1)

    root.goto("/console/support")
    root.click(f"#cases a[href='/console/support/case?id={quote(case_id)}']")
    assert root.inner_text("#case-status") == "pending-customer-action"
    screenshot(root, "support-case")
    root.fill("#recovery-code", "000000" if code != "000000" else "111111")
    root.click("button:has-text('Confirm recovery')")
    assert "The verification code was not accepted." in root.inner_text("main")
    assert error_of(admin_kms.encrypt, KeyId=key_id, Plaintext=b"x")[0] == "AccessDeniedException"

    root.fill("#recovery-code", code)
    root.click("button:has-text('Confirm recovery')")
    assert "The recovery is confirmed" in root.inner_text("main")
    assert root.inner_text("#case-status") == "resolved"
    assert root.locator("#recovery-code").count() == 0
    policy = json.loads(server.client("kms").get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    assert policy["Statement"][0]["Principal"] == {"AWS": ROOT_ARN}
    admin_kms.encrypt(KeyId=key_id, Plaintext=b"usable again")
    confirmed = [r for r in records_named(server, "AddCommunicationToCase")
                 if r.get("additionalEventData", {}).get("kmsKeyRecovery") == "CONFIRMED"]
    assert confirmed[0]["sessionCredentialFromConsole"] == "true"
    assert confirmed[0]["userIdentity"]["type"] == "Root"
    assert code not in json.dumps(confirmed[0])
