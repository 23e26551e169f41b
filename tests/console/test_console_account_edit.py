"""Editing the account page in a real browser: contact information, alternate contacts, root access keys and
signing certificates go through the API (the API sees the same state; CloudTrail records the calls as console
calls), and console-only settings are recorded as AWS records them."""

from __future__ import annotations

from browser_helpers import ROOT_PASSWORD, records_named, self_signed_certificate

from harness import BOOT_ACCOUNT, error_of

CONTACT = {"FullName": "Ada Root", "AddressLine1": "1 Main Street", "City": "Seattle", "PostalCode": "98101",
           "CountryCode": "US", "PhoneNumber": "+12065550100", "CompanyName": "Example Corp"}


def _console_record(server, name: str) -> dict:
    record = records_named(server, name)[0]
    assert record["sessionCredentialFromConsole"] == "true"
    assert record["userIdentity"]["type"] == "Root"
    assert record["userIdentity"]["accessKeyId"].startswith("ASIA")
    return record


def test_contact_information_goes_through_the_account_api(server, root):
    root.goto("/console/account")
    root.click("summary:has-text('Edit contact information')")
    for member, value in CONTACT.items():
        root.fill(f"#contact-{member}", value)
    root.click("button:has-text('Update contact information')")
    assert "Contact information updated." in root.inner_text("main")
    assert "Ada Root, Example Corp" in root.inner_text("#contact-summary")
    stored = server.client("account").get_contact_information()["ContactInformation"]
    assert {member: stored[member] for member in CONTACT} == CONTACT
    assert _console_record(server, "PutContactInformation")["eventSource"] == "account.amazonaws.com"

    root.click("summary:has-text('Edit contact information')")
    root.fill("#contact-CountryCode", "ZZZ")
    root.click("button:has-text('Update contact information')")
    assert "ValidationException" in root.inner_text("main")
    assert server.client("account").get_contact_information()["ContactInformation"]["CountryCode"] == "US"


def test_alternate_contacts_are_saved_and_removed_through_the_api(server, root):
    root.goto("/console/account")
    root.click("summary:has-text('Edit security contact')")
    root.fill("#alt-security-name", "Sam Sec")
    root.fill("#alt-security-title", "CISO")
    root.fill("#alt-security-email", "sec@example.com")
    root.fill("#alt-security-phone", "+12065550101")
    root.click("button:has-text('Save security contact')")
    assert "Security contact updated." in root.inner_text("main")
    assert "Sam Sec (CISO)" in root.inner_text("#alt-security-summary")
    account = server.client("account")
    contact = account.get_alternate_contact(AlternateContactType="SECURITY")["AlternateContact"]
    assert (contact["Name"], contact["EmailAddress"]) == ("Sam Sec", "sec@example.com")
    assert _console_record(server, "PutAlternateContact")["requestParameters"]["alternateContactType"] == "SECURITY"

    root.click("summary:has-text('Edit security contact')")
    root.click("button:has-text('Remove security contact')")
    assert "Security contact removed." in root.inner_text("main")
    code, _, status = error_of(account.get_alternate_contact, AlternateContactType="SECURITY")
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_root_signing_certificates_through_iam(server, root):
    iam = server.client("iam")
    root.goto("/console/account")
    root.fill("#certificate-body", self_signed_certificate())
    root.click("button:has-text('Upload certificate')")
    assert "Uploaded signing certificate" in root.inner_text("main")
    [certificate] = iam.list_signing_certificates()["Certificates"]
    certificate_id = certificate["CertificateId"]
    assert certificate["Status"] == "Active"

    root.click(f"button[aria-label='Deactivate certificate {certificate_id}']")
    assert f"Signing certificate {certificate_id} is now inactive." in root.inner_text("main")
    assert iam.list_signing_certificates()["Certificates"][0]["Status"] == "Inactive"
    root.click(f"button[aria-label='Activate certificate {certificate_id}']")
    assert iam.list_signing_certificates()["Certificates"][0]["Status"] == "Active"
    root.click(f"button[aria-label='Delete certificate {certificate_id}']")
    assert f"Signing certificate {certificate_id} deleted." in root.inner_text("main")
    assert iam.list_signing_certificates()["Certificates"] == []
    for name in ("UploadSigningCertificate", "UpdateSigningCertificate", "DeleteSigningCertificate"):
        assert _console_record(server, name)["eventSource"] == "iam.amazonaws.com"

    root.fill("#certificate-body", "not a certificate")
    root.click("button:has-text('Upload certificate')")
    assert "MalformedCertificate" in root.inner_text("main")


def test_root_access_keys_through_iam(server, root):
    iam = server.client("iam")
    before = {key["AccessKeyId"] for key in iam.list_access_keys()["AccessKeyMetadata"]}  # the bootstrap key
    root.goto("/console/account")
    root.click("button:has-text('Create access key')")
    assert "Secret access key (shown only now)" in root.inner_text("main")
    [key] = [key for key in iam.list_access_keys()["AccessKeyMetadata"] if key["AccessKeyId"] not in before]
    key_id = key["AccessKeyId"]
    assert key["Status"] == "Active"

    def status() -> str:
        keys = iam.list_access_keys()["AccessKeyMetadata"]
        return next(key["Status"] for key in keys if key["AccessKeyId"] == key_id)

    row = f"tr:has(code:text-is('{key_id}'))"
    root.click(f"{row} button:has-text('Deactivate')")
    assert f"Access key {key_id} is now inactive." in root.inner_text("main")
    assert status() == "Inactive"
    root.click(f"{row} button:has-text('Activate')")
    assert f"Access key {key_id} is now active." in root.inner_text("main")
    assert status() == "Active"
    root.click(f"{row} button:has-text('Delete')")
    assert f"Access key {key_id} deleted." in root.inner_text("main")
    assert {key["AccessKeyId"] for key in iam.list_access_keys()["AccessKeyMetadata"]} == before
    for name in ("CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey"):
        assert _console_record(server, name)["eventSource"] == "iam.amazonaws.com"


def test_console_only_settings_are_recorded_as_aws_records_them(server, root):
    root.goto("/console/account")
    root.check("#billing-enabled")
    root.click("form:has(#billing-enabled) button")
    billing = _console_record(server, "UpdateIAMAccessPreference")
    assert billing["eventSource"] == "billingconsole.amazonaws.com"
    assert billing["requestParameters"] == {"iamAccessPreference": "ENABLED"}
    assert billing["recipientAccountId"] == BOOT_ACCOUNT

    root.select_option("#plan", "DEVELOPER")
    root.click("button:has-text('Change plan')")
    plan = _console_record(server, "CreateSupportPlanSchedule")
    assert plan["eventSource"] == "supportplans.amazonaws.com"
    assert plan["requestParameters"] == {"supportLevel": "developer"}
    root.select_option("#plan", "BUSINESS")
    root.click("button:has-text('Change plan')")

    new_password = "An0ther-Root-Passw0rd!"
    root.fill("#current_password", ROOT_PASSWORD)
    root.fill("#new_password", new_password)
    root.fill("#confirm", new_password)
    root.click("button:has-text('Change password')")
    assert "Your password was changed." in root.inner_text("main")
    password = _console_record(server, "PasswordUpdated")
    assert password["eventSource"] == "signin.amazonaws.com"
    assert password["eventType"] == "AwsConsoleSignIn"
    assert password["responseElements"] == {"PasswordUpdated": "Success"}
    assert password["requestParameters"] is None
    assert new_password not in str(password) and ROOT_PASSWORD not in str(password)
