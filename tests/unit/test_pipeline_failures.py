"""The pipeline turns an unexpected exception into InternalFailure (500) with the request id, never a traceback,
and rolls the transaction back."""

from __future__ import annotations

import pytest

from rootplane.core.config import ServerConfig
from rootplane.gateway import pipeline
from rootplane.server import build_gateway
from rootplane.services.accounts import repo as accounts
from rootplane.services.accounts.tables import AccountRow
from rootplane.testing import signed_query


@pytest.fixture
def gateway(tmp_path):
    return build_gateway(ServerConfig(data_dir=str(tmp_path)))


def test_unexpected_exception_is_internal_failure_and_rolls_back(gateway, monkeypatch):
    def exploding_handler(ctx, params):
        accounts.put_account(ctx.session, AccountRow(account_id="999999999999", name="x", email="x@example.com",
                                                     status="ACTIVE", created_at=ctx.now()))
        ctx.session.flush()
        raise RuntimeError("boom: secret internals")

    monkeypatch.setattr(pipeline, "find_handler", lambda service, operation: exploding_handler)
    response = gateway.handle(signed_query("sts", "Action=GetCallerIdentity&Version=2011-06-15"))
    body = response.body.decode()
    assert response.status == 500
    assert "<Code>InternalFailure</Code>" in body and "<Type>Receiver</Type>" in body
    assert "Traceback" not in body and "boom" not in body
    request_id = response.get_header("x-amzn-RequestId")
    assert request_id and request_id in body
    with gateway.store.transaction(write=False) as session:
        assert accounts.find_account(session, "999999999999") is None


def test_not_implemented_names_the_operation(gateway, monkeypatch):
    monkeypatch.setattr(pipeline, "find_handler", lambda service, operation: None)
    response = gateway.handle(signed_query("sts", "Action=GetCallerIdentity&Version=2011-06-15"))
    assert response.status == 501
    assert "<Code>NotImplemented</Code>" in response.body.decode()
    assert "GetCallerIdentity" in response.body.decode()
