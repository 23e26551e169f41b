"""A request's objects are freed by reference counting as soon as it is answered, not by the cycle collector later:
a reference cycle through the request (its context, store session, the rows it loaded, the result queued for the
audit writer) kept every page a ListUsers load answered alive until the next full collection, a few seconds and
several megabytes later (issue #19: RSS after 10,000 users and the read benchmarks)."""

from __future__ import annotations

import gc

import pytest

from rootplane.core.config import ServerConfig
from rootplane.server import build_gateway
from rootplane.services.context import RequestContext
from rootplane.services.iam.tables import UserRow
from rootplane.testing import signed_query

_IAM = "Version=2010-05-08"


@pytest.fixture
def gateway(tmp_path):
    return build_gateway(ServerConfig(data_dir=str(tmp_path)))


def _alive(kind: type) -> int:
    return sum(isinstance(o, kind) for o in gc.get_objects())


def test_a_listing_leaves_no_context_session_or_row_behind(gateway):
    for name in ("ada", "grace", "edsger"):
        assert gateway.handle(signed_query("iam", f"Action=CreateUser&{_IAM}&UserName={name}")).status == 200
    gc.collect()
    gc.disable()  # what is still alive after the request is what reference counting did not free
    try:
        before = _alive(RequestContext), _alive(UserRow)
        for _ in range(3):
            response = gateway.handle(signed_query("iam", f"Action=ListUsers&{_IAM}"))
            assert response.status == 200 and b"<UserName>grace</UserName>" in response.body
            response = gateway.handle(signed_query("iam", f"Action=GetUser&{_IAM}&UserName=ada"))
            assert response.status == 200
        assert (_alive(RequestContext), _alive(UserRow)) == before == (0, 0)
    finally:
        gc.enable()
