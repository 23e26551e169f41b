"""Management policy inheritance (services/organizations/inheritance.py) and the RCP service scope."""

from __future__ import annotations

from rootplane.services.organizations.inheritance import effective_policy
from rootplane.services.organizations.policies import rcp_levels


def _tag(key: str, **operators) -> dict:
    return {"tags": {key.lower(): {"tag_key": {"@@assign": key}, **operators}}}


def test_assign_replaces_and_plain_values_assign() -> None:
    root = _tag("CostCenter", tag_value={"@@assign": ["100", "200"]})
    account = {"tags": {"costcenter": {"tag_value": {"@@assign": ["300"]}}}}
    assert effective_policy([[root], [account]]) == {
        "tags": {"costcenter": {"tag_key": "CostCenter", "tag_value": ["300"]}}}
    assert effective_policy([[{"a": 1}], [{"a": 2, "b": {"c": 3}}]]) == {"a": 2, "b": {"c": 3}}


def test_append_and_remove_lists() -> None:
    root = _tag("Env", tag_value={"@@assign": ["prod"]})
    ou = {"tags": {"env": {"tag_value": {"@@append": ["dev", "prod"]}}}}
    account = {"tags": {"env": {"tag_value": {"@@remove": ["prod"]}}}}
    assert effective_policy([[root], [ou]])["tags"]["env"]["tag_value"] == ["prod", "dev"]
    assert effective_policy([[root], [ou], [account]])["tags"]["env"]["tag_value"] == ["dev"]


def test_child_control_operators_bind_lower_levels_only() -> None:
    root = {"tags": {"env": {"tag_key": {"@@assign": "Env"}, "@@operators_allowed_for_child_policies": ["@@none"]}}}
    ou = {"tags": {"env": {"tag_key": {"@@assign": "ENV"}}}}
    assert effective_policy([[root], [ou]]) == {"tags": {"env": {"tag_key": "Env"}}}
    appendable = {"opt_out": {"services": {"@@assign": ["a"], "@@operators_allowed_for_child_policies": ["@@append"]}}}
    lower = {"opt_out": {"services": {"@@assign": ["z"], "@@append": ["b"]}}}
    assert effective_policy([[appendable], [lower]]) == {"opt_out": {"services": ["a", "b"]}}
    # The same level may still change what it limits.
    assert effective_policy([[root, ou]]) == {"tags": {"env": {"tag_key": "ENV"}}}


def test_several_policies_on_one_level_merge_in_order() -> None:
    assert effective_policy([[_tag("A"), _tag("B")]]) == {"tags": {"a": {"tag_key": "A"}, "b": {"tag_key": "B"}}}
    assert effective_policy([[], []]) == {}


def test_rcps_only_for_listed_services() -> None:
    # Outside S3, STS, KMS, SQS, Secrets Manager... RCPs never apply: answered before any query.
    assert rcp_levels(None, "111111111111", "iam:CreateUser") is None  # type: ignore[arg-type]
    assert rcp_levels(None, "111111111111", "organizations:ListAccounts") is None  # type: ignore[arg-type]
