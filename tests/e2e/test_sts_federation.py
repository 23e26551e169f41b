"""STS AssumeRoleWithWebIdentity / AssumeRoleWithSAML are unsigned operations: an unsigned client gets AWS's
answer for the token (rootplane fetches no identity provider keys) or 501 (SAML, not built), never
MissingAuthenticationToken."""

from __future__ import annotations

import base64
import json

import pytest
from botocore import UNSIGNED
from botocore.config import Config

from orgs_helpers import error_of

ROLE = "arn:aws:iam::000000000000:role/federated"


def _jwt(claims: dict) -> str:
    encode = lambda part: base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")  # noqa: E731
    return f"{encode({'alg': 'RS256', 'kid': 'k'})}.{encode(claims)}.c2lnbmF0dXJl"


@pytest.fixture(scope="module")
def sts(server):
    return server.client("sts", config=Config(signature_version=UNSIGNED))


def test_web_identity_token_errors(server, sts):
    error = error_of(sts.assume_role_with_web_identity, RoleArn=ROLE, RoleSessionName="web", WebIdentityToken="opaque")
    assert (error["Code"], error["Status"]) == ("InvalidIdentityToken", 400)
    assert error["Message"] == ("The ID Token provided is not a valid JWT. (You may see this error if you sent an "
                                "Access Token)")
    token = _jwt({"iss": "https://issuer.example.com", "aud": "app", "sub": "u"})
    error = error_of(sts.assume_role_with_web_identity, RoleArn=ROLE, RoleSessionName="web", WebIdentityToken=token)
    assert (error["Code"], error["Message"]) == (
        "InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://issuer.example.com")
    server.client("iam").create_open_id_connect_provider(Url="https://issuer.example.com", ClientIDList=["app"],
                                                         ThumbprintList=["a" * 40])
    error = error_of(sts.assume_role_with_web_identity, RoleArn=ROLE, RoleSessionName="web", WebIdentityToken=token)
    assert (error["Code"], error["Status"]) == ("InvalidIdentityToken", 400)
    assert error["Message"].startswith("Couldn't retrieve verification key from your identity provider")


def test_saml_is_served_unsigned(sts):
    assertion = base64.b64encode(b"<samlp:Response/>").decode()
    error = error_of(sts.assume_role_with_saml, RoleArn=ROLE, SAMLAssertion=assertion,
                     PrincipalArn="arn:aws:iam::000000000000:saml-provider/idp")
    assert (error["Code"], error["Status"]) == ("NotImplemented", 501)
