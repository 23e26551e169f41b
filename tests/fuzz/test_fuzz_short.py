"""The short hostile-input run of the normal suite (the long one is `make fuzz`), and regressions it found."""

from __future__ import annotations

import json

import pytest
from harness import raw_request

from fuzz.requests import FAMILIES
from fuzz.run import fuzz_family, rss_mib

PER_FAMILY = 150


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_malformed_requests_never_answer_5xx(server, family):
    before = rss_mib(server.process.pid)
    report = fuzz_family(family, "127.0.0.1", server.port, PER_FAMILY, seed=20261205, threads=2)
    assert report.findings == []
    assert report.sent + report.closed == PER_FAMILY and report.sent > PER_FAMILY * 0.9
    assert server.get_json("/_rootplane/health")["status"] == "ok"
    assert rss_mib(server.process.pid) - before < 200
    assert "unexpected failure" not in server.log()


@pytest.mark.parametrize("body", [b'{"Name": "a\\ud800b", "ParentId": "r-abcd"}',
                                  b'{"Name": "a\xed\xa0\x80b", "ParentId": "r-abcd"}'])
def test_a_json_body_with_a_lone_surrogate_is_malformed(server, body):
    response = raw_request(server, "organizations", body=body, headers={
        "X-Amz-Target": "AWSOrganizationsV20161128.CreateOrganizationalUnit",
        "Content-Type": "application/x-amz-json-1.1"})
    assert response.status == 400
    assert json.loads(response.body)["__type"] == "SerializationException"


def test_a_rest_json_body_with_a_lone_surrogate_is_malformed(server):
    response = raw_request(server, "account", path="/getContactInformation", body=b'{"AccountId": "\\udfff"}',
                           headers={"Content-Type": "application/json"})
    assert response.status == 400
    headers = {name.lower(): value for name, value in response.headers.items()}
    assert headers["x-amzn-errortype"].startswith("SerializationException"), response.text
