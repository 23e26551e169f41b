"""The authorization decision: ``evaluate(facts, policies) -> Decision``.

Pure and deterministic.  The algorithm is the one of aws-spec.md h.3 (AWS's documented evaluation logic):

1. ``sts:GetCallerIdentity`` is always allowed.
2. An explicit Deny in any applicable policy (SCP, RCP, identity, boundary, session, task, resource) wins —
   except the bucket/queue-owner root lockout exception for resource-policy denies (h.4 rule 2).
3. Every RCP level of the resource account, then every SCP level of the principal account, must Allow.
4. Root (long-term or AssumeRoot session) of the resource's own account: allowed.
   A KMS key policy (kind "key") binds the root too: it is allowed only when the key policy allows it.
5. Resource-based policy: same account, naming the user/session ARN, ``*`` or a federated user → allowed; naming the
   role ARN → allowed if boundary and session policies allow; naming the account → delegation only.  A role trust
   policy (kind "trust") must allow in every case: without it the identity side is never consulted.
   Cross-account: the resource policy must allow (and then the identity side too, except for root).
   A grant of the resource's access control list (S3 ACLs, ``granted_as``) counts as a resource policy naming the
   requester so: its account ("account") or everyone ("wildcard").  With ``acl_only`` (an S3 object another account
   owns) only that grant allows on the resource's side, for every requester: the resource policy can only deny.
   A KMS key policy must allow in every case: naming the account only enables the identity side (AWS KMS).
6. Identity-based policies must allow; then the permissions boundary; then session policies; then the task policy
   when it has Allow statements (the AWS task policies are deny-only and act through step 2).

Every statement is evaluated at most once per decision.  What does not depend on the request is computed once:
each policy remembers, per action, its (Deny, Allow) statements whose Action/NotAction covers it; each statement
remembers how decisions report it.  Within one decision, each condition test (tests are interned across
statements and policies) and each resource template is evaluated once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Literal, Mapping, NamedTuple, Sequence

from rootplane.policy.document import Policy, Position, Statement
from rootplane.policy.variables import Context

__all__ = [
    "RequestFacts", "PolicySet", "NamedPolicy", "MatchedStatement", "Decision", "DecisionKind", "evaluate",
    "POLICY_TYPES", "ROOT_LOCKOUT_EXEMPT_ACTIONS",
]

DecisionKind = Literal["allow", "explicit_deny", "implicit_deny"]

SCP = "service control policy"
RCP = "resource control policy"
IDENTITY = "identity-based policy"
RESOURCE = "resource-based policy"
BOUNDARY = "permissions boundary"
SESSION = "session policy"
POLICY_TYPES = (SCP, RCP, IDENTITY, BOUNDARY, SESSION, RESOURCE)

#: Actions for which a resource-policy Deny does not bind the resource owner's root (aws-spec.md h.4 rule 2).
#: sqs:GetQueueUrl belongs with the SQS pair: the documented unlock flow (aws-spec.md n.6) starts with GetQueueUrl
#: on a queue whose policy denies everyone.
ROOT_LOCKOUT_EXEMPT_ACTIONS = frozenset({
    "s3:getbucketpolicy", "s3:putbucketpolicy", "s3:deletebucketpolicy",
    "sqs:getqueueattributes", "sqs:setqueueattributes", "sqs:getqueueurl",
})
_ALWAYS_ALLOWED = frozenset({"sts:getcalleridentity"})


class NamedPolicy(NamedTuple):
    """A policy as it applies to a request: its name or ARN, the compiled document, a source-type label.

    ``source_type`` is free text reported by the simulator (``SourcePolicyType``), e.g. ``"IAM Policy"``,
    ``"user"``, ``"group"``, ``"role"``, ``"aws-managed"``, ``"resource"``.
    """

    name: str
    policy: Policy
    source_type: str = "IAM Policy"


@lru_cache(maxsize=1024)
def _principal_keys(principal_arn: str, principal_account: str, resource_account: str | None,
                    principal_is_root: bool, principal_is_service: str | None, role_arn: str | None) -> Context:
    """The global keys derived from the principal when the caller does not give them (shared: never mutated)."""
    keys: dict[str, object] = {}
    if principal_is_service is not None:
        keys["aws:principalisawsservice"] = True
        keys["aws:principalservicename"] = principal_is_service
    else:
        keys["aws:principalisawsservice"] = False
        keys["aws:principalarn"] = role_arn or principal_arn
        keys["aws:principalaccount"] = principal_account
        if principal_is_root:
            keys["aws:principaltype"] = "Account"
            keys["aws:userid"] = principal_account
        elif ":assumed-role/" in principal_arn:
            keys["aws:principaltype"] = "AssumedRole"
        elif ":user/" in principal_arn:
            keys["aws:principaltype"] = "User"
            keys["aws:username"] = principal_arn.rsplit("/", 1)[-1]
        elif ":federated-user/" in principal_arn:
            keys["aws:principaltype"] = "FederatedUser"
    if resource_account is not None:
        keys["aws:resourceaccount"] = resource_account
    return keys


_LOWERCASE_KEYS: set[str] = set()  # context keys seen in lower case (the authorizer gives every key so)


def _lowercase(given: Mapping[str, object]) -> Mapping[str, object]:
    """``given`` with lower-case keys and without None values: ``given`` itself when it already is so."""
    if given.keys() <= _LOWERCASE_KEYS and None not in given.values():
        return given
    lowered = {key.lower(): value for key, value in given.items() if value is not None}
    if len(_LOWERCASE_KEYS) > 8192:
        _LOWERCASE_KEYS.clear()
    _LOWERCASE_KEYS.update(lowered.keys() & given.keys())
    return lowered


def _derived_context(facts: RequestFacts) -> Context:
    derived = _principal_keys(facts.principal_arn, facts.principal_account, facts.resource_account,
                              facts.principal_is_root, facts.principal_is_service, facts.role_arn)
    given = facts.context
    if callable(given):  # keys worked out on first need (the authorizer's: most decisions never read them)
        given = given()
    return {**derived, **_lowercase(given)}


class _DerivedContext:
    """``facts._ctx``: the condition context (lower-case keys, see :data:`Context`), derived on first use and kept.

    Decisions that reach no condition and no policy variable never build it.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, facts: RequestFacts | None, owner: type) -> Context:
        if facts is None:
            return self  # type: ignore[return-value]
        ctx = facts.__dict__[self.name] = _derived_context(facts)  # a non-data descriptor: later reads skip this
        return ctx


@dataclass(frozen=True, init=False)
class RequestFacts:
    """What is being asked.  Context keys may be in any case; values are str, list[str], bool, int or datetime.

    Some global keys are derived when the caller does not give them: ``aws:PrincipalArn`` (the role ARN for role
    sessions), ``aws:PrincipalAccount``, ``aws:ResourceAccount``, ``aws:PrincipalType``, ``aws:username`` (IAM
    users), ``aws:userid`` (root), ``aws:PrincipalIsAWSService``, ``aws:PrincipalServiceName``.  A None value is
    an absent key.  ``context`` is read when a decision first needs it (a condition or a policy variable), so it
    must not change after the facts are made; it may also be a function returning the mapping, called then (at
    most once per facts): a decision that needs no context never computes it.
    """

    action: str
    resource: str
    principal_arn: str
    principal_account: str
    resource_account: str | None
    context: Mapping[str, object] | Callable[[], Mapping[str, object]]
    principal_is_root: bool
    principal_is_service: str | None
    role_arn: str | None
    principal_is_anonymous: bool
    unique_id: str | None  # the IAM unique id of the calling user, or of the role behind a role session
    _action: str = field(init=False, repr=False, compare=False)  # lower-cased

    _ctx = _DerivedContext()

    def __init__(self, action: str, resource: str, principal_arn: str, principal_account: str,
                 resource_account: str | None,
                 context: Mapping[str, object] | Callable[[], Mapping[str, object]] | None = None,
                 principal_is_root: bool = False, principal_is_service: str | None = None,
                 role_arn: str | None = None, principal_is_anonymous: bool = False,
                 unique_id: str | None = None) -> None:
        # Frozen: attributes go straight into __dict__ (one store each, not object.__setattr__ per field).
        self.__dict__.update(
            action=action, resource=resource, principal_arn=principal_arn, principal_account=principal_account,
            resource_account=resource_account, context={} if context is None else context,
            principal_is_root=principal_is_root, principal_is_service=principal_is_service, role_arn=role_arn,
            principal_is_anonymous=principal_is_anonymous, unique_id=unique_id, _action=action.lower(),
        )

    @property
    def same_account(self) -> bool:
        return self.resource_account is None or self.resource_account == self.principal_account


@dataclass(frozen=True)
class PolicySet:
    """What applies to the request (see module docstring).  ``None`` means "this policy type does not apply"."""

    identity: Sequence[NamedPolicy] = ()
    boundary: Sequence[NamedPolicy] | None = None
    session: Sequence[NamedPolicy] | None = None
    scp_levels: Sequence[Sequence[NamedPolicy]] | None = None
    rcp_levels: Sequence[Sequence[NamedPolicy]] | None = None
    resource: NamedPolicy | None = None
    task: NamedPolicy | None = None


@dataclass(frozen=True, slots=True)
class MatchedStatement:
    """A statement that took part in the decision."""

    policy_name: str
    policy_type: str       # one of POLICY_TYPES
    source_type: str       # NamedPolicy.source_type
    sid: str | None
    effect: str
    index: int
    start: Position
    end: Position


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome and its reasons."""

    allowed: bool
    kind: DecisionKind
    deny_policy_type: str | None
    matched: tuple[MatchedStatement, ...]

    def message(self, principal_arn: str, action: str, resource: str) -> str:
        """AWS's AccessDenied message (empty for an allow)."""
        if self.allowed:
            return ""
        head = f"User: {principal_arn} is not authorized to perform: {action} on resource: {resource}"
        policy_type = self.deny_policy_type or IDENTITY
        if self.kind == "explicit_deny":
            article = "an" if policy_type[0] in "aeiou" else "a"
            return f"{head} with an explicit deny in {article} {policy_type}"
        return f"{head} because no {policy_type} allows the {action} action"


# ------------------------------------------------------------------------------------------------- matching
def _statement_matches(st: Statement, facts: RequestFacts, memo: dict[object, object], bounded: bool = False) -> bool:
    """Resource, principal, then conditions (the action is already known to match).

    ``memo`` holds, for one decision, each condition test's outcome and each resource template's match.
    ``bounded``: the caller has a permissions boundary, whom a NotPrincipal never excludes (IAM User Guide,
    "AWS JSON policy elements: NotPrincipal": such a Deny "will always deny any IAM principal that has a
    permissions boundary policy attached, regardless of the values specified in the NotPrincipal element").
    """
    if st.resources is not None and st.resources.matches(facts, memo) == st.not_resource:
        return False
    if st.principals is not None:
        if st.not_principal:
            if not bounded and st.principals.excludes(facts):
                return False
        elif st.principals.naming(facts) is None:
            return False
    for test in st.conditions:
        holds = memo.get(test)
        if holds is None:
            holds = memo[test] = test.holds(facts._ctx)
        if not holds:
            return False
    return True


_Hit = tuple[NamedPolicy, Statement, str]


def _scan(policies: Sequence[NamedPolicy], label: str, facts: RequestFacts, memo: dict[object, object],
          denies: list[_Hit], allows: list[_Hit], all_allows: bool, bounded: bool = False) -> None:
    """Evaluate every Deny statement; Allow statements only until one matched (unless ``all_allows``)."""
    action = facts._action
    for named in policies:
        policy = named.policy
        applicable = policy._by_action.get(action) or policy.applicable(action)
        for st in applicable[0]:
            if st.unconditional or _statement_matches(st, facts, memo, bounded):
                denies.append((named, st, label))
        if allows and not all_allows:
            continue
        for st in applicable[1]:
            if st.unconditional or _statement_matches(st, facts, memo, bounded):
                allows.append((named, st, label))
                if not all_allows:
                    break


def _report(named: NamedPolicy, st: Statement, label: str) -> tuple[MatchedStatement, Decision]:
    """How a decision reports a hit, and the decision that reports only this hit (an allow, or an explicit deny
    of ``label`` for a Deny statement).  Made once per (statement, policy name, policy type, source type)."""
    key = (named.name, label, named.source_type)
    found = st.reports.get(key)
    if found is None:
        if len(st.reports) >= 64:
            st.reports.clear()
        matched = MatchedStatement(named.name, label, named.source_type, st.sid, st.effect, st.index, st.start, st.end)
        if st.is_deny:
            solo = Decision(False, "explicit_deny", label, (matched,))
        else:
            solo = Decision(True, "allow", None, (matched,))
        found = st.reports[key] = (matched, solo)
    return found


def _decide(allowed: bool, hits: Sequence[_Hit]) -> Decision:
    """An allow, or an explicit deny (of the first hit's policy type), reporting ``hits``."""
    if not hits:
        return _FREE_ALLOW
    if len(hits) == 1:
        return _report(*hits[0])[1]
    matched = tuple([_report(named, st, label)[0] for named, st, label in hits])
    return Decision(True, "allow", None, matched) if allowed else Decision(False, "explicit_deny", hits[0][2], matched)


_IMPLICIT_DENY = {policy_type: Decision(False, "implicit_deny", policy_type, ()) for policy_type in POLICY_TYPES}
_FREE_ALLOW = Decision(True, "allow", None, ())

_NAMING_RANK = {"user_arn": 0, "session_arn": 0, "federated": 0, "wildcard": 0, "service": 0, "role_arn": 1,
                "account": 2}


# ------------------------------------------------------------------------------------------------- decision
def evaluate(facts: RequestFacts, policies: PolicySet, *, explain: bool = False,
             granted_as: str | None = None, acl_only: bool = False) -> Decision:
    """Decide whether ``facts`` is allowed under ``policies``.

    Every Deny statement is always evaluated (so ``matched`` lists all explicit denies).  For speed, Allow
    statements of one policy type (or one SCP/RCP level) stop at the first match; pass ``explain=True`` (the
    policy simulator) to list every matching Allow statement.  ``granted_as``: how an access control list of the
    resource grants the action to the requester ("account" or "wildcard"), an Allow of the resource-based side;
    ``acl_only``: the only one (the resource policy's Allow statements do not count, no requester owns it).
    """
    if facts._action in _ALWAYS_ALLOWED:
        return _FREE_ALLOW
    denies: list[_Hit] = []
    scp_allows: list[list[_Hit]] = []
    rcp_allows: list[list[_Hit]] = []
    identity_allows: list[_Hit] = []
    boundary_allows: list[_Hit] = []
    session_allows: list[_Hit] = []
    task_allows: list[_Hit] = []
    resource_allows: list[_Hit] = []
    memo: dict[object, object] = {}

    # ---- 1. scan everything once; collect explicit denies and allows per policy type
    if policies.scp_levels is not None:
        for level in policies.scp_levels:
            bucket: list[_Hit] = []
            _scan(level, SCP, facts, memo, denies, bucket, explain)
            scp_allows.append(bucket)
    if policies.rcp_levels is not None:
        for level in policies.rcp_levels:
            bucket = []
            _scan(level, RCP, facts, memo, denies, bucket, explain)
            rcp_allows.append(bucket)
    if policies.identity and not facts.principal_is_root and facts.principal_is_service is None:
        _scan(policies.identity, IDENTITY, facts, memo, denies, identity_allows, explain)
    if policies.boundary is not None:
        _scan(policies.boundary, BOUNDARY, facts, memo, denies, boundary_allows, explain)
    if policies.session is not None:
        _scan(policies.session, SESSION, facts, memo, denies, session_allows, explain)
    if policies.task is not None:
        _scan((policies.task,), SESSION, facts, memo, denies, task_allows, explain)
    if policies.resource is not None:
        resource_denies: list[_Hit] = []
        _scan((policies.resource,), RESOURCE, facts, memo, resource_denies, resource_allows, True,
              policies.boundary is not None)
        if resource_denies and not (
            facts.principal_is_root and facts.same_account and facts._action in ROOT_LOCKOUT_EXEMPT_ACTIONS
        ):
            denies.extend(resource_denies)
    if denies:
        return _decide(False, denies)

    # ---- 2. organization guardrails: every level needs an Allow
    for bucket in rcp_allows:
        if not bucket:
            return _IMPLICIT_DENY[RCP]
    for bucket in scp_allows:
        if not bucket:
            return _IMPLICIT_DENY[SCP]

    same_account = facts.same_account and not acl_only
    if acl_only:
        resource_allows = []
    # the task policy filters like a session policy when it contains Allow statements
    task_blocks = policies.task is not None and policies.task.policy.has_allow and not task_allows

    # ---- 3. root of the resource's own account (a KMS key policy binds it too: no Allow in it, no access)
    key_policy = policies.resource is not None and policies.resource.policy.kind == "key"
    if facts.principal_is_root and same_account:
        if key_policy and not resource_allows:
            return _IMPLICIT_DENY[RESOURCE]
        if task_blocks:
            return _IMPLICIT_DENY[SESSION]
        return _decide(True, resource_allows + task_allows)

    # ---- 4. resource-based policy
    naming = None
    if resource_allows:
        best = 99
        for _, st, _ in resource_allows:
            kind = "wildcard" if st.principals is None or st.not_principal else st.principals.naming(facts)
            rank = _NAMING_RANK.get(kind or "", 99)
            if rank < best:
                best, naming = rank, kind
    if granted_as is not None and _NAMING_RANK[granted_as] < _NAMING_RANK.get(naming or "", 99):
        naming = granted_as
    if naming is None and (key_policy or policies.resource is not None and policies.resource.policy.kind == "trust"):
        # A role's trust policy must itself allow: an identity policy never stands in for it (AWS: "both the
        # trust policy and the identity policy must allow"; in the same account naming the user is enough).
        # A KMS key policy likewise: "Without permission from the key policy, IAM policies that allow
        # permissions have no effect"; naming the account is what enables them (step 5).
        return _IMPLICIT_DENY[RESOURCE]
    if facts.principal_is_service is not None:
        if naming is None:
            return _IMPLICIT_DENY[RESOURCE]
        return _decide(True, resource_allows)
    if facts.principal_is_anonymous:
        # Unsigned requests have no identity side: only a resource policy granting everyone ("*") allows them.
        if naming != "wildcard":
            return _IMPLICIT_DENY[RESOURCE]
        return _decide(True, resource_allows)
    if same_account and naming is not None and naming != "account":
        if naming == "role_arn":
            if policies.boundary is not None and not boundary_allows:
                return _IMPLICIT_DENY[BOUNDARY]
            if policies.session is not None and not session_allows:
                return _IMPLICIT_DENY[SESSION]
        if task_blocks:
            return _IMPLICIT_DENY[SESSION]
        return _decide(True, resource_allows)
    if not same_account:
        if naming is None:
            return _IMPLICIT_DENY[RESOURCE]
        if facts.principal_is_root:
            if task_blocks:
                return _IMPLICIT_DENY[SESSION]
            return _decide(True, resource_allows)

    # ---- 5..7 identity, boundary, session, task
    if not identity_allows:
        return _IMPLICIT_DENY[IDENTITY]
    if policies.boundary is not None and not boundary_allows:
        return _IMPLICIT_DENY[BOUNDARY]
    if policies.session is not None and not session_allows:
        return _IMPLICIT_DENY[SESSION]
    if task_blocks:
        return _IMPLICIT_DENY[SESSION]
    return _decide(True, identity_allows + resource_allows)
