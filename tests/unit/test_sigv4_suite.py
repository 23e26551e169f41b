"""The official AWS SigV4 test suite (botocore's copy), run in reverse: our verifier must accept every signed request
and reject it once any signed part changes.

Suite constants: AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, us-east-1, service "service",
20150830T123600Z. The ``.req`` request line carries the path exactly as the signer saw it (botocore's own suite test
puts it into ``request.url`` unchanged), so it becomes ``HttpRequest.path`` unchanged too.

Upstream defect: ``get-vanilla-with-session-token.sreq`` carries a signature copied from another case; the
``.authz`` file holds the correct one, so the Authorization header always comes from ``.authz``
(``test_sreq_authorization_matches_authz`` pins the one known difference).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from rootplane.auth import sigv4
from rootplane.core.errors import AwsError
from rootplane.wire.http import HttpRequest

from harness import reference_data

SUITE = reference_data("botocore-tests", "aws4_testsuite")
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
NOW = datetime(2015, 8, 30, 12, 36, 0, tzinfo=timezone.utc)
SREQ_SIGNATURE_DEFECTS = {"get-vanilla-with-session-token"}


def _cases() -> list[Path]:
    found = []
    for dirpath, _dirs, files in os.walk(SUITE):
        for name in files:
            if name.endswith(".sreq"):
                found.append(Path(dirpath) / name[: -len(".sreq")])
    assert len(found) >= 30, f"the SigV4 test suite under {SUITE} is incomplete"
    return sorted(found, key=lambda p: p.name)


CASES = _cases()


def parse_raw_request(raw: str) -> HttpRequest:
    """Raw HTTP text -> HttpRequest the way our HTTP layer builds it (lower-case names, repeats joined by ',',
    folded continuation lines appended to the previous value)."""
    head, _, body = raw.partition("\n\n")
    lines = head.split("\n")
    method, rest = lines[0].split(" ", 1)
    target = rest.rsplit(" ", 1)[0]
    path, _, query = target.partition("?")
    headers: dict[str, str] = {}
    last = None
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and last is not None:
            headers[last] += "\n" + line
            continue
        name, _, value = line.partition(":")
        name = name.lower()
        headers[name] = headers[name] + "," + value if name in headers else value
        last = name
    return HttpRequest(method=method, path=path, query_string=query, headers=headers, body=body.encode("utf-8"))


def _read(case: Path, ext: str) -> str:
    return case.with_name(case.name + ext).read_text(encoding="utf-8")


def _load(case: Path) -> HttpRequest:
    request = parse_raw_request(_read(case, ".sreq"))
    request.headers["authorization"] = _read(case, ".authz").strip()
    return request


def _verify(request: HttpRequest, now: datetime = NOW) -> None:
    signed = sigv4.extract(request, "query")
    assert signed is not None
    sigv4.verify(request, signed, SECRET, now, "query")


def _assert_rejected(request: HttpRequest) -> None:
    with pytest.raises(AwsError) as info:
        _verify(request)
    assert info.value.code == "SignatureDoesNotMatch"
    assert info.value.status == 403


def test_suite_is_complete() -> None:
    assert len(CASES) == 34
    assert {c.parent.parent.name for c in CASES} >= {"normalize-path", "post-sts-token"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_suite_case_verifies(case: Path) -> None:
    request = _load(case)
    signed = sigv4.extract(request, "query")
    assert signed is not None
    assert (signed.access_key_id, signed.scope_date, signed.region, signed.service) == (
        "AKIDEXAMPLE", "20150830", "us-east-1", "service")
    assert signed.date == NOW and not signed.presigned
    canonical = sigv4.canonical_request(request, signed, "query")
    assert canonical == _read(case, ".creq")
    assert sigv4.string_to_sign(signed, canonical) == _read(case, ".sts")
    sigv4.verify(request, signed, SECRET, NOW, "query")
    # the same signature is valid under every non-S3 family, and within the window on both sides
    sigv4.verify(request, signed, SECRET, NOW + timedelta(minutes=4), "json")
    sigv4.verify(request, signed, SECRET, NOW - timedelta(minutes=4), "rest-json")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_sreq_authorization_matches_authz(case: Path) -> None:
    raw = parse_raw_request(_read(case, ".sreq"))
    if case.name in SREQ_SIGNATURE_DEFECTS:
        assert raw.headers["authorization"].strip() != _read(case, ".authz").strip()
        _assert_rejected(raw)  # the copied signature is indeed wrong
    else:
        assert raw.headers["authorization"].strip() == _read(case, ".authz").strip()
        _verify(raw)


def _tampered(case: Path) -> list[tuple[str, HttpRequest]]:
    variants: list[tuple[str, HttpRequest]] = []
    signed = sigv4.extract(_load(case), "query")
    assert signed is not None
    for name in signed.signed_headers:
        request = _load(case)
        if name == "x-amz-date":
            request.headers[name] = "20150830T123601Z"
        else:
            request.headers[name] = request.headers[name] + "x"
        variants.append((f"header:{name}", request))
    request = _load(case)
    request.body = request.body + b"x"
    variants.append(("body", request))
    request = _load(case)
    request.path = request.path + "x"
    variants.append(("path", request))
    request = _load(case)
    request.query_string = request.query_string + "x" if request.query_string else "extra=1"
    variants.append(("query", request))
    request = _load(case)
    request.headers["x-amz-date"] = "20150830T123500Z"
    variants.append(("date", request))
    request = _load(case)
    request.method = "PUT"
    variants.append(("method", request))
    request = _load(case)
    authz = request.headers["authorization"]
    request.headers["authorization"] = authz[:-1] + ("0" if authz[-1] != "0" else "1")
    variants.append(("signature", request))
    return variants


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_suite_case_rejects_any_change(case: Path) -> None:
    for what, request in _tampered(case):
        with pytest.raises(AwsError) as info:
            _verify(request)
        assert (info.value.code, info.value.status) == ("SignatureDoesNotMatch", 403), what
        assert info.value.message.startswith("The request signature we calculated"), what


def test_unsigned_session_token_header_is_ignored() -> None:
    # post-sts-header-after: token added after signing; changing it does not touch the signature
    case = next(c for c in CASES if c.name == "post-sts-header-after")
    request = _load(case)
    request.headers["x-amz-security-token"] = "something-else"
    _verify(request)
    signed = sigv4.extract(request, "query")
    assert signed is not None and signed.session_token == "something-else"


def test_suite_other_secret_rejected() -> None:
    request = _load(CASES[0])
    signed = sigv4.extract(request, "query")
    assert signed is not None
    with pytest.raises(AwsError) as info:
        sigv4.verify(request, signed, SECRET[:-1] + "X", NOW, "query")
    assert info.value.code == "SignatureDoesNotMatch"
    assert SECRET not in str(info.value) and SECRET not in repr(info.value.fields)


def test_signing_key_vector_and_cache() -> None:
    # spec (i.1) verified vector: IAM ListUsers
    key = sigv4.signing_key(SECRET, "20150830", "us-east-1", "iam")
    assert key.hex() == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
    before = sigv4.signing_key.cache_info().hits
    assert sigv4.signing_key(SECRET, "20150830", "us-east-1", "iam") is key
    assert sigv4.signing_key.cache_info().hits == before + 1


def test_iam_list_users_vector() -> None:
    request = HttpRequest(
        method="GET",
        path="/",
        query_string="Action=ListUsers&Version=2010-05-08",
        headers={
            "content-type": "application/x-www-form-urlencoded; charset=utf-8",
            "host": "iam.amazonaws.com",
            "x-amz-date": "20150830T123600Z",
            "authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        },
    )
    signed = sigv4.extract(request, "query")
    assert signed is not None
    canonical = sigv4.canonical_request(request, signed, "query")
    assert sigv4.string_to_sign(signed, canonical).endswith(
        "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59")
    sigv4.verify(request, signed, SECRET, NOW, "query")
    with pytest.raises(AwsError) as caught:
        sigv4.verify(request, signed._replace(region="us-west-2"), SECRET, NOW, "query")
    assert caught.value.code == "SignatureDoesNotMatch"
