"""Parse and validate a JSON policy document into an immutable, compiled :class:`Policy`.

Validation follows IAM's MalformedPolicyDocument behaviour; failures raise :class:`MalformedPolicy` with the
message AWS returns (see ``MESSAGES``).  Compilation precomputes every matcher and an index of statements by
action service prefix, and records each statement's source span (for the policy simulator's
``StartPosition``/``EndPosition``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal, Mapping

from rootplane.policy.conditions import ConditionTest, UnknownOperator, compile_condition_block
from rootplane.policy.matching import (
    UNIQUE_ID_RE, ActionMatcher, PrincipalMatcher, ResourceMatcher, compile_actions, compile_principals,
    compile_resources,
)

__all__ = [
    "PolicyKind", "Effect", "MalformedPolicy", "Statement", "Policy", "Position", "parse_policy",
    "parse_policy_cached", "MESSAGES",
]

PolicyKind = Literal["identity", "resource", "trust", "key", "scp", "rcp", "boundary", "session"]
Effect = Literal["Allow", "Deny"]
KINDS: frozenset[str] = frozenset({"identity", "resource", "trust", "key", "scp", "rcp", "boundary", "session"})
VERSIONS = ("2012-10-17", "2008-10-17")

MESSAGES = {
    "syntax": "Syntax errors in policy.",
    "legacy": "The policy failed legacy parsing",
    "no_principal": "Policy document should not specify a principal.",
    "missing_principal": "Missing required field Principal",
    "no_resources": "Policy statement must contain resources.",
    "no_actions": "Policy statement must contain actions.",
    "vendor": "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
    "one_colon": "Actions/Condition can contain only one colon.",
    "sid_unique": "Statement IDs (SID) in a single policy must be unique.",
    "sid_chars": "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*",
    "condition_type": "Invalid Condition type : {operator}",
    "resource_format": 'Resource {resource} must be in ARN format or "*".',
    "principal": 'Invalid principal in policy: "{kind}":"{value}"',
    "prohibited": "Has prohibited field {field}",
    "partition": 'Partition "{partition}" is not valid for resource "{resource}".',
    "s3_region": "Resource {resource} can not contain region information.",
    "iam_region": "IAM resource {resource} cannot contain region information.",
    "charset": "Syntax errors in policy.",
    "org_type": "The provided policy document does not meet the requirements of the specified policy type.",
    "empty_statement": "Syntax errors in policy.",
}

_TOP_FIELDS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_FIELDS = frozenset({
    "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition",
})
_PRINCIPAL_KINDS = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
_SID_RE = re.compile(r"^[0-9A-Za-z]*$")
_CHARSET_RE = re.compile(r"[^\t\n\r\u0020-\u00ff]")
_ACCOUNT_RE = re.compile(r"^\d{12}$")
# A service principal names its service: "<service>.amazonaws.com" (".amazonaws.com.cn" in China, a few ".amazon.com").
_SERVICE_PRINCIPAL_RE = re.compile(r"[\w*-]+(\.[\w*-]+)*\.(amazonaws\.com(\.cn)?|amazon\.com)")
_PRINCIPAL_KINDS_WITH_PRINCIPAL = frozenset({"resource", "trust", "key", "rcp"})
_ACTIONS_REMEMBERED = 512  # per policy; the simulator accepts any action name, so the memory is bounded


class MalformedPolicy(ValueError):
    """An invalid policy document; ``message`` is AWS's MalformedPolicyDocument text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def about_principal(self) -> bool:
        """True when the document was refused for a malformed principal (services word that their own way)."""
        return self.message.startswith(MESSAGES["principal"].partition("{")[0])


@dataclass(frozen=True, slots=True)
class Position:
    """1-based line and column, as IAM's simulator reports them."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Statement:
    """One compiled statement."""

    index: int                       # 0-based position in the document
    sid: str | None
    effect: Effect
    actions: ActionMatcher
    not_action: bool
    resources: ResourceMatcher | None   # None: the element is absent (trust policies)
    not_resource: bool
    principals: PrincipalMatcher | None
    not_principal: bool
    conditions: tuple[ConditionTest, ...]
    start: Position
    end: Position
    # True when a matching action is enough: no resource limit, no principal, no condition
    unconditional: bool = field(default=False, compare=False)
    # how a decision reports this statement, per (policy name, policy type, source type): see evaluate._report
    reports: dict[tuple[str, str, str], Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_deny(self) -> bool:
        return self.effect == "Deny"


@dataclass(frozen=True, slots=True)
class Policy:
    """A compiled policy document.  Immutable; safe to cache and share between threads."""

    text: str
    kind: PolicyKind
    version: str
    id: str | None
    statements: tuple[Statement, ...]
    has_allow: bool
    _by_service: Mapping[str, tuple[Statement, ...]] = field(repr=False)
    _generic: tuple[Statement, ...] = field(repr=False)
    _by_action: dict[str, tuple[tuple[Statement, ...], tuple[Statement, ...]]] = field(
        default_factory=dict, repr=False, compare=False)

    def candidates(self, service: str) -> tuple[Statement, ...]:
        """Statements that may match an action of ``service`` (lower-case), in document order."""
        return self._by_service.get(service, self._generic)

    def applicable(self, action: str) -> tuple[tuple[Statement, ...], tuple[Statement, ...]]:
        """(Deny, Allow) statements whose Action/NotAction element covers ``action`` (lower-case), in document order.

        Remembered per action (at most ``_ACTIONS_REMEMBERED`` of them), so a decision never re-matches actions.
        """
        found = self._by_action.get(action)
        if found is None:
            if len(self._by_action) >= _ACTIONS_REMEMBERED:
                self._by_action.clear()
            covering = [s for s in self.candidates(action.partition(":")[0])
                        if s.actions.matches(action) != s.not_action]
            found = (tuple(s for s in covering if s.is_deny), tuple(s for s in covering if not s.is_deny))
            self._by_action[action] = found
        return found


# ------------------------------------------------------------------------------------------------------ spans
def _statement_spans(text: str) -> list[tuple[int, int]]:
    """Source spans of the Statement elements, as IAM's simulator reports them: a listed statement starts just after
    the previous token ("[" or the previous statement), a lone statement object just inside its "{"; each ends just
    after the element (the AWS CLI reference's simulate-custom-policy and simulate-principal-policy examples)."""
    decoder = json.JSONDecoder()
    ws = re.compile(r"[ \t\n\r]*")
    i = ws.match(text, 0).end()  # type: ignore[union-attr]
    if i >= len(text) or text[i] != "{":
        return []
    i += 1
    spans: list[tuple[int, int]] = []
    while True:
        i = ws.match(text, i).end()  # type: ignore[union-attr]
        if i >= len(text) or text[i] == "}":
            return spans
        key, i = decoder.raw_decode(text, i)
        i = ws.match(text, i).end()  # type: ignore[union-attr]
        i += 1  # ':'
        after_colon = i
        i = ws.match(text, i).end()  # type: ignore[union-attr]
        if key == "Statement" and text[i] == "[":
            prev = i + 1
            j = prev
            while True:
                j = ws.match(text, j).end()  # type: ignore[union-attr]
                if text[j] == "]":
                    i = j + 1
                    break
                if text[j] == ",":
                    j += 1
                    continue
                _, end = decoder.raw_decode(text, j)
                spans.append((prev, end))
                prev = j = end
        elif key == "Statement":
            _, end = decoder.raw_decode(text, i)
            spans.append((i + 1 if text[i] == "{" else after_colon, end))
            i = end
        else:
            _, i = decoder.raw_decode(text, i)
        i = ws.match(text, i).end()  # type: ignore[union-attr]
        if i < len(text) and text[i] == ",":
            i += 1


def _position(text: str, offset: int) -> Position:
    line = text.count("\n", 0, offset) + 1
    line_start = text.rfind("\n", 0, offset) + 1
    return Position(line, offset - line_start + 1)


# ------------------------------------------------------------------------------------------------- validation
def _strings(value: object) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _check_action(action: str) -> None:
    if action == "*":
        return
    if ":" not in action:
        raise MalformedPolicy(MESSAGES["vendor"])
    if action.count(":") > 1:
        raise MalformedPolicy(MESSAGES["one_colon"])
    if not action.partition(":")[0]:
        raise MalformedPolicy(MESSAGES["vendor"])


_PARTITIONS = frozenset({"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"})
_IAM_POLICY_KINDS = frozenset({"identity", "boundary", "session"})  # the policies IAM itself validates ARNs of


# An ARN's account: none, "aws", twelve digits, or one written with wildcards or a policy variable.
_ARN_ACCOUNT_RE = re.compile(r"|aws|\d{12}|.*[*?].*|.*\$\{.*")


def _has_valid_account(resource: str) -> bool:
    """Whether an ARN names a valid account; one of fewer than six parts names none unless it has a wildcard."""
    parts = resource.split(":", 5)
    if len(parts) < 6:
        return "*" in resource or "?" in resource
    return _ARN_ACCOUNT_RE.fullmatch(parts[4]) is not None


def _check_resource(resource: str, kind: str) -> None:
    if resource == "*":
        return
    if not resource.startswith("arn:") or resource.count(":") < 2:
        raise MalformedPolicy(MESSAGES["resource_format"].format(resource=resource))
    if kind not in _IAM_POLICY_KINDS:
        return
    _, partition, service, region, *_ = resource.split(":") + ["", ""]
    if "*" not in partition and "?" not in partition and partition not in _PARTITIONS:
        raise MalformedPolicy(MESSAGES["partition"].format(partition=partition, resource=resource))
    if not _has_valid_account(resource):  # IAM's ARN parser refuses it before any other check
        raise MalformedPolicy(MESSAGES["legacy"])
    if region and service in ("s3", "iam") and "*" not in region:  # global services' ARNs name no region
        raise MalformedPolicy(MESSAGES["s3_region" if service == "s3" else "iam_region"].format(resource=resource))


def _check_principal(element: object) -> None:
    if element == "*":
        return
    if not isinstance(element, dict) or not element:
        raise MalformedPolicy(MESSAGES["syntax"])
    for kind, raw in element.items():
        if kind not in _PRINCIPAL_KINDS:
            raise MalformedPolicy(MESSAGES["syntax"])
        values = _strings(raw)
        if values is None or not values:
            raise MalformedPolicy(MESSAGES["syntax"])
        for value in values:
            if kind == "AWS" and not (value == "*" or _ACCOUNT_RE.match(value) or UNIQUE_ID_RE.match(value)
                                      or (value.startswith("arn:") and value.count(":") >= 5)):
                raise MalformedPolicy(MESSAGES["principal"].format(kind=kind, value=value))
            if kind == "Service" and not _SERVICE_PRINCIPAL_RE.fullmatch(value):
                raise MalformedPolicy(MESSAGES["principal"].format(kind="SERVICE", value=value))


def _check_condition(block: object) -> None:
    if not isinstance(block, dict):
        raise MalformedPolicy(MESSAGES["syntax"])
    for operator, keys in block.items():
        if not isinstance(keys, dict) or not keys:
            raise MalformedPolicy(MESSAGES["syntax"])
        for key, raw in keys.items():
            if ":" not in key or not key.partition(":")[0]:
                raise MalformedPolicy(MESSAGES["vendor"])
            values = raw if isinstance(raw, list) else [raw]
            if not all(isinstance(v, (str, bool, int, float)) for v in values):
                raise MalformedPolicy(MESSAGES["syntax"])


def _is_full_access_rcp(raw: Mapping[str, object]) -> bool:
    principal = raw.get("Principal")
    return (raw.get("Action") in ("*", ["*"]) and raw.get("Resource") in ("*", ["*"])
            and principal in ("*", {"AWS": "*"}) and "Condition" not in raw)


def _validate_statement(raw: object, kind: str) -> None:
    if not isinstance(raw, dict):
        raise MalformedPolicy(MESSAGES["syntax"])
    for name in raw:
        if name not in _STATEMENT_FIELDS:
            raise MalformedPolicy(MESSAGES["syntax"])
    sid = raw.get("Sid")
    if sid is not None:
        if not isinstance(sid, str):
            raise MalformedPolicy(MESSAGES["syntax"])
        if kind not in ("resource", "trust", "key") and not _SID_RE.match(sid):
            raise MalformedPolicy(MESSAGES["sid_chars"])
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise MalformedPolicy(MESSAGES["syntax"])
    # Principal
    has_principal = "Principal" in raw or "NotPrincipal" in raw
    if "Principal" in raw and "NotPrincipal" in raw:
        raise MalformedPolicy(MESSAGES["syntax"])
    if kind in _PRINCIPAL_KINDS_WITH_PRINCIPAL:
        if not has_principal:
            raise MalformedPolicy(MESSAGES["missing_principal"])
        element = raw.get("Principal", raw.get("NotPrincipal"))
        _check_principal(element)
        if kind == "rcp":
            if "NotPrincipal" in raw or element not in ("*", {"AWS": "*"}):
                raise MalformedPolicy(MESSAGES["org_type"])
    elif has_principal:
        if kind == "scp":
            raise MalformedPolicy(MESSAGES["org_type"])
        raise MalformedPolicy(MESSAGES["no_principal"])
    # Action
    if "Action" in raw and "NotAction" in raw:
        raise MalformedPolicy(MESSAGES["syntax"])
    actions_raw = raw.get("Action", raw.get("NotAction"))
    if actions_raw is None:
        raise MalformedPolicy(MESSAGES["no_actions"])
    actions = _strings(actions_raw)
    if actions is None:
        raise MalformedPolicy(MESSAGES["syntax"])
    if not actions:
        raise MalformedPolicy(MESSAGES["no_actions"])
    for action in actions:
        _check_action(action)
    # Resource
    if "Resource" in raw and "NotResource" in raw:
        raise MalformedPolicy(MESSAGES["syntax"])
    if kind == "trust":  # a role's trust policy names who may assume it, never what
        for element in ("Resource", "NotResource"):
            if element in raw:
                raise MalformedPolicy(MESSAGES["prohibited"].format(field=element))
    resources_raw = raw.get("Resource", raw.get("NotResource"))
    if resources_raw is None:
        if kind != "trust":
            raise MalformedPolicy(MESSAGES["no_resources"])
    else:
        resources = _strings(resources_raw)
        if resources is None:
            raise MalformedPolicy(MESSAGES["syntax"])
        if not resources:
            raise MalformedPolicy(MESSAGES["no_resources"])
        for resource in resources:
            _check_resource(resource, kind)
    if "Condition" in raw:
        _check_condition(raw["Condition"])
    if kind == "rcp":
        if "NotAction" in raw:
            raise MalformedPolicy(MESSAGES["org_type"])
        if effect == "Allow" and not _is_full_access_rcp(raw):
            raise MalformedPolicy(MESSAGES["org_type"])


# ---------------------------------------------------------------------------------------------------- compile
def _compile_statement(raw: Mapping[str, object], index: int, span: tuple[int, int] | None, text: str,
                       variables: bool) -> Statement:
    not_action = "NotAction" in raw
    actions = _strings(raw["NotAction" if not_action else "Action"]) or []
    not_resource = "NotResource" in raw
    resources_raw = raw.get("NotResource" if not_resource else "Resource")
    resources = compile_resources(_strings(resources_raw) or [], variables=variables) if resources_raw is not None else None
    not_principal = "NotPrincipal" in raw
    principal_raw = raw.get("NotPrincipal" if not_principal else "Principal")
    try:
        conditions = compile_condition_block(raw.get("Condition") or {}, variables=variables)  # type: ignore[arg-type]
    except UnknownOperator as exc:
        raise MalformedPolicy(MESSAGES["condition_type"].format(operator=exc.args[0])) from None
    start, end = span if span is not None else (0, len(text))
    sid = raw.get("Sid")
    principals = compile_principals(principal_raw) if principal_raw is not None else None
    return Statement(
        index=index,
        sid=sid if isinstance(sid, str) else None,
        effect=raw["Effect"],  # type: ignore[arg-type]
        actions=compile_actions(actions),
        not_action=not_action,
        resources=resources,
        not_resource=not_resource,
        principals=principals,
        not_principal=not_principal,
        conditions=conditions,
        start=_position(text, start),
        end=_position(text, end),
        unconditional=(principals is None and not conditions
                       and (resources is None or (resources.match_all and not not_resource))),
    )


def _index(statements: tuple[Statement, ...]) -> tuple[dict[str, tuple[Statement, ...]], tuple[Statement, ...]]:
    generic = tuple(s for s in statements if s.not_action or s.actions.services is None)
    services: set[str] = set()
    for s in statements:
        if not s.not_action and s.actions.services is not None:
            services.update(s.actions.services)
    by_service = {
        service: tuple(
            s for s in statements
            if s.not_action or s.actions.services is None or service in s.actions.services
        )
        for service in services
    }
    return by_service, generic


def parse_policy(text: str, *, kind: PolicyKind = "identity") -> Policy:
    """Parse, validate and compile a policy document.  Raises :class:`MalformedPolicy`."""
    if kind not in KINDS:
        raise ValueError(f"unknown policy kind {kind!r}")
    if not isinstance(text, str) or not text.strip():
        raise MalformedPolicy(MESSAGES["syntax"])
    if _CHARSET_RE.search(text):
        raise MalformedPolicy(MESSAGES["charset"])
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise MalformedPolicy(MESSAGES["syntax"]) from None
    if not isinstance(document, dict):
        raise MalformedPolicy(MESSAGES["syntax"])
    for name in document:
        if name not in _TOP_FIELDS:
            raise MalformedPolicy(MESSAGES["syntax"])
    version = document.get("Version", "2008-10-17")
    if version not in VERSIONS:
        raise MalformedPolicy(MESSAGES["legacy"])
    policy_id = document.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        raise MalformedPolicy(MESSAGES["syntax"])
    if "Statement" not in document:
        raise MalformedPolicy(MESSAGES["syntax"])
    raw_statements = document["Statement"]
    if isinstance(raw_statements, dict):
        raw_statements = [raw_statements]
    if not isinstance(raw_statements, list) or not raw_statements:
        raise MalformedPolicy(MESSAGES["empty_statement"])
    sids: set[str] = set()
    for raw in raw_statements:
        _validate_statement(raw, kind)
        sid = raw.get("Sid")
        if sid:
            if sid in sids:
                raise MalformedPolicy(MESSAGES["sid_unique"])
            sids.add(sid)
    try:
        spans = _statement_spans(text)
    except (ValueError, IndexError):  # pragma: no cover - json.loads already accepted the text
        spans = []
    variables = version == "2012-10-17"
    statements = tuple(
        _compile_statement(raw, i, spans[i] if i < len(spans) else None, text, variables)
        for i, raw in enumerate(raw_statements)
    )
    by_service, generic = _index(statements)
    return Policy(
        text=text,
        kind=kind,
        version=version,
        id=policy_id,
        statements=statements,
        has_allow=any(not s.is_deny for s in statements),
        _by_service=by_service,
        _generic=generic,
    )


@lru_cache(maxsize=2048)
def parse_policy_cached(text: str, kind: PolicyKind = "identity") -> Policy:
    """:func:`parse_policy` with a compile cache: policies are immutable, so compile each text once."""
    return parse_policy(text, kind=kind)
