"""Replay the Account Management recordings on an Organizations-created member, called through its
OrganizationAccountAccessRole: aws-captures/contacts.json (alternate contacts, account information and name,
primary contact reads and unchanged writes), primary_contact.json (PutContactInformation with padded, blank and
odd fields, judged by the recording's comparisons with the input and the original) and contact_origin.json (a
created member's primary contact comes from the management account's, with the account name as FullName).

contacts.json redacted the inputs of its first observations; their values are the ones its case names spell
(``type_Billing`` asks for type ``Billing``) or the recording's contact type (OPERATIONS); the redacted writes put
back what was read. Judged on outcome, HTTP
status, code, exact message where recorded, and the recorded fields or summaries.
"""

from __future__ import annotations

import json

import pytest

from capture_replay import Mismatches, attempt, load, recorded_error, substitute
from orgs_helpers import admin_key, create_member

RECORDED_MEMBER = "222222222222"
CONTACT_TYPE = "OPERATIONS"
STATUS = {"Success": 200, "AccessDeniedException": 403, "ValidationException": 400,
          "ResourceNotFoundException": 404}
MANAGEMENT_CONTACT = {"FullName": "Stackd Management", "AddressLine1": "410 Terry Ave N", "City": "Seattle",
                      "StateOrRegion": "WA", "PostalCode": "98109", "CountryCode": "US",
                      "PhoneNumber": "+12065550100"}
#: Inputs the recording redacted, as its case names and contact type spell them.
REDACTED_INPUTS = {
    "type_operations": {"AlternateContactType": "operations"},
    "type_OTHER": {"AlternateContactType": "OTHER"},
    "type_Billing": {"AlternateContactType": "Billing"},
    "initial_operations": {"AlternateContactType": CONTACT_TYPE},
}


class Member:
    """A created member (after the management account set its primary contact) and its admin sessions."""

    def __init__(self, server, name: str) -> None:
        self.server = server
        server.client("account").put_contact_information(ContactInformation=MANAGEMENT_CONTACT)
        self.name = name
        server.client("organizations").create_organization()
        self.account_id = create_member(server.client("organizations"), name)
        self.admin = admin_key(server, "Delegated")

    def session(self, name: str, policy: dict | None = None) -> dict:
        extra = {"Policy": json.dumps(policy)} if policy else {}
        return self.server.client_for(self.admin, "sts").assume_role(
            RoleArn=f"arn:aws:iam::{self.account_id}:role/OrganizationAccountAccessRole", RoleSessionName=name,
            **extra)["Credentials"]

    def account(self, credentials: dict):
        return self.server.client_for(credentials, "account")


@pytest.fixture(scope="module")
def member(server) -> Member:
    return Member(server, "stackd-contacts")


def _summary(case: str, output: dict, previous: dict) -> dict:
    """What the recording summarized of an unredacted read."""
    if "AccountId" in output and "AccountName" in output:
        if case.endswith("after_unchanged_name"):
            return {"unchanged": output == previous.get("get-account-information")}
        return {"AccountId": output["AccountId"], "AccountState": output["AccountState"],
                "AccountCreatedDate": "<date>", "AccountNamePresent": bool(output["AccountName"])}
    if "ContactInformation" in output:
        if case.endswith("after_unchanged_write"):
            return {"unchanged": output == previous.get("get-contact-information")}
        return {"fields": sorted(output["ContactInformation"])}
    return output


def test_replay_contacts(server, member):
    recording = load("contacts.json")
    ids = {RECORDED_MEMBER: member.account_id}
    probe = member.account(member.session("stackd-contact-probe"))
    condition = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "account:GetAlternateContact", "Resource": "*",
        "Condition": {"StringEquals": {"account:AlternateContactTypes": [CONTACT_TYPE]}}}]}
    conditioned = member.account(member.session("stackd-contact-condition", condition))
    previous: dict[str, dict] = {}
    mismatches = Mismatches()
    for observation in recording["observations"]:
        case, operation = observation["case"], observation["operation"]
        params = REDACTED_INPUTS.get(case) or {
            "put-account-name": lambda: {"AccountName": previous["get-account-information"]["AccountName"]},
            "put-contact-information": lambda: {"ContactInformation": previous["get-contact-information"][
                "ContactInformation"]},
        }.get(operation, lambda: {} if observation["input"].get("redacted") else substitute(observation["input"], ids))()
        client = conditioned if case.startswith("contact_condition") else probe
        code, result, status = attempt(client, operation, params)
        mismatches.check(case, "code", observation["code"], code)
        mismatches.check(case, "status", STATUS[observation["code"]], status)
        if code != observation["code"]:
            continue
        if code != "Success":
            if "error" in observation:
                expected = recorded_error(observation, ids)
                mismatches.check(case, "error", expected, {key: result.get(key) for key in expected})
            continue
        if "summary" in observation:
            expected = substitute(observation["summary"], ids)
            if "AccountCreatedDate" in expected:
                expected["AccountCreatedDate"] = "<date>"
            mismatches.check(case, "summary", expected, _summary(case, result, previous))
        elif "output" in observation:
            mismatches.check(case, "output", observation["output"], result)
        if operation.startswith("get-") and not case.startswith("after"):
            previous.setdefault(operation, result)
    assert not mismatches, "\n".join(mismatches)


def _variant(case: str, original: dict) -> dict:
    """The contact primary_contact.json's case sent: one field padded, blank, lowercased or left out."""
    kind, _, field = case.rpartition("_")
    if case == "lowercase_country":
        return {**original, "CountryCode": original["CountryCode"].lower()}
    if case == "omit_state_or_region":
        return {key: value for key, value in original.items() if key != "StateOrRegion"}
    if kind == "trailing_whitespace":
        return {**original, field: original[field] + " "}
    if kind == "blank":
        return {**original, field: " "}
    padding = " " if field == "PhoneNumber" else "  "
    return {**original, field: f"{padding}{original[field]}{padding}"}


def test_replay_primary_contact(server, member):
    client = member.account(member.session("stackd-primary-contact"))
    original = client.get_contact_information()["ContactInformation"]
    mismatches = Mismatches()
    for observation in load("primary_contact.json")["observations"]:
        case = observation["case"]
        client.put_contact_information(ContactInformation=original)  # each case starts from the original
        sent = _variant(case, original)
        code, result, status = attempt(client, "put-contact-information", {"ContactInformation": sent})
        mismatches.check(case, "code", observation["code"], code)
        mismatches.check(case, "status", STATUS[observation["code"]], status)
        if code == observation["code"] and code != "Success":
            expected = observation["message"].replace("<PhoneNumber>", original["PhoneNumber"])
            mismatches.check(case, "message", expected, result["Message"])
            mismatches.check(case, "reason", observation["reason"], result.get("reason"))
            mismatches.check(case, "invalid fields", observation["invalid_fields"],
                             [field["name"] for field in result.get("fieldList", [])])
        stored = client.get_contact_information()["ContactInformation"]
        mismatches.check(case, "matches_input", observation["matches_input"],
                         {key: stored.get(key) == value for key, value in sent.items()})
        mismatches.check(case, "matches_original", observation["matches_original"],
                         {key: stored.get(key) == value for key, value in original.items()})
        mismatches.check(case, "response_fields", observation["response_fields"], sorted(stored))
        mismatches.check(case, "empty_fields", observation["empty_fields"],
                         sorted(key for key, value in stored.items() if not value))
    client.put_contact_information(ContactInformation=original)
    assert not mismatches, "\n".join(mismatches)


def test_replay_contact_origin(server, member):
    recording = load("contact_origin.json")
    management = server.client("account").get_contact_information()["ContactInformation"]
    origin = member.account(member.session("stackd-contact-origin")).get_contact_information()["ContactInformation"]
    assert sorted(origin) == recording["member_fields"]
    assert {key: origin.get(key) == value for key, value in management.items()} == \
        recording["fields_equal_to_management"]
    assert (origin["FullName"] == member.name) is recording["member_full_name_equals_account_name"]
