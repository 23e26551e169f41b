"""Pure Organizations rules: NextToken round trip, content validation, account state over time, request state."""

from __future__ import annotations

import datetime as _dt

import pytest

from rootplane.core.errors import AwsError
from rootplane.services.accounts.tables import AccountRow
from rootplane.services.organizations.documents import validate_content
from rootplane.services.organizations.paging import decode_token, encode_token, finish_page
from rootplane.services.organizations.shapes import account_states, request_shape
from rootplane.services.organizations.tables import CreateAccountRequestRow

NOW = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)


def test_token_round_trip_and_garbage():
    assert decode_token(encode_token("123456789012")) == "123456789012"
    assert decode_token(None) is None
    with pytest.raises(AwsError) as caught:
        decode_token("not-a-token")
    assert caught.value.code == "InvalidInputException" and caught.value.fields["Reason"] == "INVALID_NEXT_TOKEN"


def test_finish_page():
    rows, token = finish_page(["a", "b", "c"], 2, lambda r: r)
    assert rows == ["a", "b"] and decode_token(token) == "b"
    assert finish_page(["a"], 2, lambda r: r) == (["a"], None)


@pytest.mark.parametrize("policy_type, content, code", [
    ("SERVICE_CONTROL_POLICY", '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}', None),
    ("SERVICE_CONTROL_POLICY", '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}',
     "MalformedPolicyDocumentException"),
    ("SERVICE_CONTROL_POLICY", "not json", "MalformedPolicyDocumentException"),
    ("RESOURCE_CONTROL_POLICY", '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*",'
                                '"Action":"s3:*","Resource":"*"}]}', None),
    ("TAG_POLICY", '{"tags":{}}', None),
    ("TAG_POLICY", "[]", "MalformedPolicyDocumentException"),
    ("SERVICE_CONTROL_POLICY", " " * 5121, "ConstraintViolationException"),
])
def test_validate_content(policy_type, content, code):
    if code is None:
        validate_content(policy_type, content)
        return
    with pytest.raises(AwsError) as caught:
        validate_content(policy_type, content)
    assert caught.value.code == code


def test_account_states_over_closure():
    account = AccountRow(account_id="123456789012", name="n", email="e@x.com", status="ACTIVE", created_at=NOW)
    assert account_states(account, NOW) == ("ACTIVE", "ACTIVE")
    account.status, account.closed_at = "SUSPENDED", NOW + _dt.timedelta(seconds=10)
    assert account_states(account, NOW) == ("PENDING_CLOSURE", "PENDING_CLOSURE")
    assert account_states(account, NOW + _dt.timedelta(minutes=1)) == ("SUSPENDED", "SUSPENDED")
    assert account_states(account, NOW + _dt.timedelta(days=91)) == ("SUSPENDED", "CLOSED")


def test_create_account_status_completes_lazily():
    request = CreateAccountRequestRow(id="car-x", org_id="o-x", account_name="n", account_id="123456789012",
                                      state="SUCCEEDED", requested_at=NOW, completes_at=NOW + _dt.timedelta(seconds=1))
    assert request_shape(request, NOW)["State"] == "IN_PROGRESS" and "AccountId" not in request_shape(request, NOW)
    done = request_shape(request, NOW + _dt.timedelta(seconds=2))
    assert done["State"] == "SUCCEEDED" and done["AccountId"] == "123456789012" and done["CompletedTimestamp"]
