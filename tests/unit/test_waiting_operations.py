"""Issue #10 finding 3: argon2 password hashing/verification runs on a worker thread, never on the event loop
(the operations are the IAM provider's ``waiting_operations``, which the ASGI app hands to a thread)."""

from __future__ import annotations

import pytest

from rootplane.gateway.pipeline import Gateway
from rootplane.wire.detect import detect
from rootplane.wire.http import HttpRequest


def _iam_request(action: str) -> HttpRequest:
    body = f"Action={action}&Version=2010-05-08".encode()
    headers = {"host": "iam.amazonaws.com", "content-type": "application/x-www-form-urlencoded; charset=utf-8",
               "authorization": "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/iam/aws4_request, "
                                "SignedHeaders=host, Signature=00"}
    return HttpRequest("POST", "/", "", headers, body)


@pytest.mark.parametrize("action", ["CreateLoginProfile", "UpdateLoginProfile", "ChangePassword"])
def test_password_hashing_operations_run_off_the_event_loop(action: str) -> None:
    route = detect(_iam_request(action))
    assert route.operation is not None and route.operation.name == action
    assert Gateway.may_wait(route) is True


def test_ordinary_operations_stay_inline() -> None:
    assert Gateway.may_wait(detect(_iam_request("GetUser"))) is False
