"""AWS Support: the catalogue (with Key Management Service), cases and communications, the support plan (Basic has
no Support API; the root user chooses it in the console), and a KMS recovery case that cannot proceed without a phone
number on file (a legacy account state the API cannot produce, so that test writes it into the store)."""

from __future__ import annotations

import json
import os
import sqlite3

from console_http import sign_in_root
from harness import BOOT_ACCOUNT, error_of, start_server


def _store(server) -> sqlite3.Connection:
    return sqlite3.connect(os.path.join(server.data_dir, "rootplane.db"))


def test_services_and_severity_levels(server):
    support = server.client("support")
    services = {s["code"]: s for s in support.describe_services()["services"]}
    kms = services["key-management-service"]
    assert kms["name"] == "Key Management Service (KMS)"
    assert {"code": "general-guidance", "name": "General Guidance"} in kms["categories"]
    only = support.describe_services(serviceCodeList=["key-management-service"])["services"]
    assert [s["code"] for s in only] == ["key-management-service"]
    levels = [level["code"] for level in support.describe_severity_levels()["severityLevels"]]
    assert levels == ["low", "normal", "high", "urgent", "critical"]


def test_case_life_cycle(server, unique):
    support = server.client("support")
    case_id = support.create_case(subject=f"question {unique}", communicationBody="How do I rotate keys?",
                                  serviceCode="general-info", categoryCode="using-aws", severityCode="low",
                                  ccEmailAddresses=["ops@example.com"])["caseId"]
    assert case_id.startswith(f"case-{BOOT_ACCOUNT}-")
    case = support.describe_cases(caseIdList=[case_id])["cases"][0]
    assert (case["subject"], case["status"], case["serviceCode"], case["categoryCode"], case["severityCode"],
            case["ccEmailAddresses"], case["language"]) == \
        (f"question {unique}", "opened", "general-info", "using-aws", "low", ["ops@example.com"], "en")
    assert case["submittedBy"] == "root@example.com" and case["displayId"].isdigit()
    assert support.add_communication_to_case(caseId=case_id, communicationBody="More details")["result"] is True
    bodies = [c["body"] for c in support.describe_communications(caseId=case_id)["communications"]]
    assert bodies == ["More details", "How do I rotate keys?"]  # newest first
    assert support.describe_communications(caseId=case_id, afterTime="2000-01-01T00:00:00Z")["communications"]
    assert support.describe_communications(caseId=case_id, beforeTime="2000-01-01")["communications"] == []
    assert error_of(support.describe_cases, afterTime="yesterday")[0] == "ValidationException"
    support.resolve_case(caseId=case_id)
    open_ids = [c["caseId"] for c in support.describe_cases()["cases"]]
    assert case_id not in open_ids
    assert case_id in [c["caseId"] for c in support.describe_cases(includeResolvedCases=True)["cases"]]
    assert error_of(support.describe_communications, caseId="case-000000000000-2020-0000000000000000") == \
        ("CaseIdNotFound", "Case case-000000000000-2020-0000000000000000 not found.", 400)


def test_resolve_case_reports_the_status_it_left(server, unique):
    support = server.client("support")
    case_id = support.create_case(subject=unique, communicationBody="b")["caseId"]
    answer = support.resolve_case(caseId=case_id)
    assert (answer["initialCaseStatus"], answer["finalCaseStatus"]) == ("opened", "resolved")
    again = support.resolve_case(caseId=case_id)
    assert (again["initialCaseStatus"], again["finalCaseStatus"]) == ("resolved", "resolved")


def test_basic_and_developer_support_plans_have_no_support_api():
    """The root user picks the Basic or Developer plan in the console (the only place it is set); the Support API then
    refuses."""
    password = "Corr3ct-Horse!"
    own = start_server(args=("--root-password", password))
    try:
        console = sign_in_root(own, "root@example.com", password)

        def choose(plan: str) -> None:
            console.request("GET", "/console/account")
            status, location, page = console.request("POST", "/console/account",
                                                     {"action": "support-plan", "plan": plan})
            assert status in (200, 303), (status, location, page)

        for plan in ("BASIC", "DEVELOPER"):  # Business and above have the Support API
            choose(plan)
            assert error_of(own.client("support").describe_severity_levels) == (
                "SubscriptionRequiredException", "AWS Premium Support Subscription is required to use this service.",
                400)
        choose("BUSINESS")
        own.client("support").describe_severity_levels()
    finally:
        own.close()


def test_a_recovery_case_without_a_phone_number_says_why_it_cannot_proceed(server, unique):
    kms, support = server.client("kms"), server.client("support")
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    contact = server.client("account").get_contact_information()["ContactInformation"]
    without_phone = {name: value for name, value in contact.items() if name != "PhoneNumber"}
    with _store(server) as database:
        database.execute("INSERT OR REPLACE INTO account_contact_information (account_id, data) VALUES (?, ?)",
                         (BOOT_ACCOUNT, json.dumps(without_phone)))
    try:
        case_id = support.create_case(subject="locked key", serviceCode="key-management-service",
                                      communicationBody=f"Please recover {key_arn}")["caseId"]
    finally:
        server.client("account").put_contact_information(ContactInformation=contact)
    reply = support.describe_communications(caseId=case_id)["communications"][0]
    assert reply["submittedBy"] == "Amazon Web Services"
    assert "no phone number" in reply["body"] and "cannot proceed" in reply["body"]
    assert support.describe_cases(caseIdList=[case_id])["cases"][0]["status"] == "pending-customer-action"
