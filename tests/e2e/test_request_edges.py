"""Request-level edge cases answered as AWS answers them, per protocol family (raw signed HTTP requests)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from harness import raw_request

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def _error(body: bytes) -> tuple[str, str]:
    error = ET.fromstring(body).find("{*}Error")
    return error.findtext("{*}Code"), error.findtext("{*}Message")


@pytest.mark.parametrize("service, action", [("iam", "ListUsers"), ("sts", "GetCallerIdentity"),
                                             ("sns", "ListTopics"), ("monitoring", "DescribeAlarms")])
def test_a_query_version_the_service_does_not_have_is_invalid_action(server, service, action):
    """An API version the query service does not have names no operation: InvalidAction 400 "Could not find
    operation X for version Y" (AWS Query API common errors: InvalidAction)."""
    body = f"Action={action}&Version=2001-01-01".encode()
    response = raw_request(server, service, body=body, headers=FORM)
    assert response.status == 400
    assert _error(response.body) == ("InvalidAction", f"Could not find operation {action} for version 2001-01-01")
    presigned_style = raw_request(server, service, method="GET", path=f"/?{body.decode()}")
    assert presigned_style.status == 400
    assert _error(presigned_style.body)[0] == "InvalidAction"
