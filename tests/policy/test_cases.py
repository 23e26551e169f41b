"""Decision tests as data: every case in tests/policy/cases/*.json runs through the real engine.

Case file shapes (see cases/README.md):
- ``cases``: full decision cases (policies + request [+ checks]) → allow / explicit_deny / implicit_deny;
- ``conditions``: table rows ``[operator, key, policy_value, request_value (null = key absent), expected]``;
- ``malformed``: documents with the MalformedPolicy message expected (``null`` = valid).
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Any

import pytest

from rootplane.data import load_managed_policies, load_organizations_policies
from rootplane.policy import MalformedPolicy, NamedPolicy, PolicySet, RequestFacts, evaluate, parse_policy

CASES_DIR = Path(__file__).parent / "cases"

DEFAULT_REQUEST: dict[str, Any] = {
    "action": "s3:GetObject",
    "resource": "arn:aws:s3:::bucket/key",
    "principal": "arn:aws:iam::111111111111:user/alice",
    "account": "111111111111",
    "resource_account": None,
    "context": {},
    "root": False,
    "service": None,
    "role_arn": None,
}

_KIND_FOR_SLOT = {"identity": "identity", "boundary": "boundary", "session": "session", "scp_levels": "scp",
                  "rcp_levels": "rcp", "resource": "resource", "task": "identity", "trust": "trust"}


def _managed_documents() -> dict[str, str]:
    docs = {r["PolicyName"]: json.dumps(r["Document"]) for r in load_managed_policies()}
    docs.update({r["PolicySummary"]["Name"]: r["Content"] for r in load_organizations_policies()})
    return docs


MANAGED = _managed_documents()


def _document_text(value: Any) -> str:
    if isinstance(value, str):
        if value.startswith("managed:"):
            return MANAGED[value[len("managed:"):]]
        return value
    return json.dumps(value)


def _named(value: Any, kind: str, label: str) -> NamedPolicy:
    return NamedPolicy(label, parse_policy(_document_text(value), kind=kind))  # type: ignore[arg-type]


def _policy_set(spec: dict[str, Any]) -> PolicySet:
    def many(slot: str) -> tuple[NamedPolicy, ...]:
        return tuple(_named(v, _KIND_FOR_SLOT[slot], f"{slot}.{i + 1}") for i, v in enumerate(spec[slot]))

    def levels(slot: str) -> tuple[tuple[NamedPolicy, ...], ...] | None:
        if slot not in spec or spec[slot] is None:
            return None
        return tuple(
            tuple(_named(v, _KIND_FOR_SLOT[slot], f"{slot}[{n}].{i + 1}") for i, v in enumerate(level))
            for n, level in enumerate(spec[slot])
        )

    resource = None
    if spec.get("resource") is not None:
        resource = _named(spec["resource"], "resource", "resource")
    if spec.get("trust") is not None:
        resource = _named(spec["trust"], "trust", "trust")
    return PolicySet(
        identity=many("identity") if "identity" in spec else (),
        boundary=many("boundary") if spec.get("boundary") is not None else None,
        session=many("session") if spec.get("session") is not None else None,
        scp_levels=levels("scp_levels"),
        rcp_levels=levels("rcp_levels"),
        resource=resource,
        task=_named(spec["task"], "identity", "task") if spec.get("task") is not None else None,
    )


def _context(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, dict) and "datetime" in value:
            out[key] = _dt.datetime.fromisoformat(value["datetime"].replace("Z", "+00:00"))
        else:
            out[key] = value
    return out


def _facts(request: dict[str, Any]) -> RequestFacts:
    r = {**DEFAULT_REQUEST, **request}
    return RequestFacts(
        action=r["action"], resource=r["resource"], principal_arn=r["principal"], principal_account=r["account"],
        resource_account=r["resource_account"], context=_context(r["context"]), principal_is_root=r["root"],
        principal_is_service=r["service"], role_arn=r["role_arn"],
    )


def _load() -> list[Any]:
    params: list[Any] = []
    for path in sorted(CASES_DIR.glob("*.json")):
        data = json.loads(path.read_text())
        defaults = data.get("defaults", {})
        for case in data.get("cases", []):
            base_request = {**defaults.get("request", {}), **case.get("request", {})}
            policies = {**defaults.get("policies", {}), **case.get("policies", {})}
            checks = case.get("checks") or [{}]
            for n, check in enumerate(checks):
                merged = {**case, **check}
                request = {**base_request, **check.get("request", {}),
                           **{k: v for k, v in check.items() if k in DEFAULT_REQUEST}}
                suffix = f"#{n + 1}" if len(checks) > 1 else ""
                check_policies = {**policies, **check.get("policies", {})}
                params.append(pytest.param("decision", check_policies, request, merged,
                                           id=f"{path.name}:{case['name']}{suffix}"))
        for row in data.get("conditions", []):
            operator, key, policy_value, request_value, expected = row[:5]
            version = row[5] if len(row) > 5 else "2012-10-17"
            document = {"Version": version, "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                        "Resource": "*", "Condition": {operator: {key: policy_value}}}]}
            context = {} if request_value is None else {key: request_value}
            case = {"expect": "allow" if expected else "implicit_deny"}
            label = json.dumps([operator, key, policy_value, request_value], separators=(",", ":"))
            params.append(pytest.param("decision", {"identity": [document]}, {"context": context}, case,
                                       id=f"{path.name}:{label}"))
        for case in data.get("malformed", []):
            params.append(pytest.param("malformed", case, None, None, id=f"{path.name}:{case['name']}"))
    return params


PARAMS = _load()


@pytest.mark.parametrize("shape,a,b,c", PARAMS)
def test_case(shape: str, a: Any, b: Any, c: Any) -> None:
    if shape == "malformed":
        _run_malformed(a)
    else:
        _run_decision(a, b, c)


def _run_decision(policies: dict[str, Any], request: dict[str, Any], case: dict[str, Any]) -> None:
    facts = _facts(request)
    decision = evaluate(facts, _policy_set(policies))
    assert decision.kind == case["expect"], decision
    assert decision.allowed == (case["expect"] == "allow")
    if "deny_type" in case:
        assert decision.deny_policy_type == case["deny_type"]
    if "message" in case:
        assert decision.message(facts.principal_arn, facts.action, facts.resource) == case["message"]
    if "matched_sids" in case:
        assert [m.sid for m in decision.matched] == case["matched_sids"]


def _run_malformed(case: dict[str, Any]) -> None:
    text = case["document"] if isinstance(case["document"], str) else json.dumps(case["document"])
    kind = case.get("kind", "identity")
    if case["error"] is None:
        parse_policy(text, kind=kind)
        return
    with pytest.raises(MalformedPolicy) as info:
        parse_policy(text, kind=kind)
    assert info.value.message == case["error"]


def test_case_count() -> None:
    """The data files hold hundreds of cases."""
    assert len(PARAMS) >= 300
