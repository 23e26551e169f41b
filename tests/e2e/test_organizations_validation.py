"""Each service's own validation answer when the SDK's client-side validation is off (wire/validate.py STYLES)."""

from __future__ import annotations

import pytest
from botocore.config import Config

from orgs_helpers import error_of

RAW = Config(parameter_validation=False, retries={"max_attempts": 1, "mode": "standard"})


@pytest.fixture(scope="module")
def raw(server):
    return lambda service: server.client(service, config=RAW)


def test_organizations_invalid_input_reasons(raw):
    orgs = raw("organizations")
    orgs.create_organization(FeatureSet="ALL")
    error = error_of(orgs.describe_account, AccountId="12345")
    assert (error["Code"], error["Reason"], error["Message"], error["Status"]) == (
        "InvalidInputException", "INVALID_PATTERN", "You provided a value that does not match the required pattern.",
        400)
    error = error_of(orgs.list_policies, Filter="NOT_A_TYPE")
    assert (error["Code"], error["Reason"]) == ("InvalidInputException", "INVALID_ENUM_POLICY_TYPE")
    error = error_of(orgs.list_accounts, MaxResults=50)
    assert (error["Code"], error["Reason"]) == ("InvalidInputException", "MAX_VALUE_EXCEEDED")


def test_account_schema_messages(raw):
    account = raw("account")
    contact = account.get_contact_information()["ContactInformation"]
    for phone in (" ", " +12065550100 "):
        error = error_of(account.put_contact_information, ContactInformation={**contact, "PhoneNumber": phone})
        assert (error["Code"], error["Status"]) == ("ValidationException", 400)
        assert error["Message"] == f'[ECMA 262 regex "^[+][\\s0-9()-]+$" does not match input string "{phone}"]'
        assert "reason" not in error and "fieldList" not in error


def test_sqs_sns_events_codes(raw):
    error = error_of(raw("sqs").send_message, QueueUrl="http://localhost/000000000000/q")
    assert (error["Code"], error["Message"]) == ("MissingParameter",
                                                 "The request must contain the parameter MessageBody.")
    error = error_of(raw("sns").create_topic)
    assert (error["Code"], error["Message"], error["Status"]) == ("InvalidParameter", "Invalid parameter: Name", 400)
    error = error_of(raw("events").describe_rule)
    assert error["Code"] == "ValidationException" and error["Message"].startswith("1 validation error detected: ")
