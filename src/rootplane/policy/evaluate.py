"""The authorization decision: ``evaluate(facts, policies) -> Decision``.

Pure and deterministic.  The algorithm is the one of aws-spec.md h.3 (AWS's documented evaluation logic):

1. ``sts:GetCallerIdentity`` is always allowed.
2. An explicit Deny in any applicable policy (SCP, RCP, identity, boundary, session, task, resource) wins —
   except the bucket/queue-owner root lockout exception for resource-policy denies (h.4 rule 2).
3. Every RCP level of the resource account, then every SCP level of the principal account, must Allow.
4. Root (long-term or AssumeRoot session) of the resource's own account: allowed.
5. Resource-based policy: same account, naming the user/session ARN, ``*`` or a federated user → allowed; naming the
   role ARN → allowed if boundary and session policies allow; naming the account → delegation only.
   Cross-account: the resource policy must allow (and then the identity side too, except for root).
6. Identity-based policies must allow; then the permissions boundary; then session policies; then the task policy
   when it has Allow statements (the AWS task policies are deny-only and act through step 2).

Every statement is evaluated at most once per decision; policies are pre-indexed by action service prefix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping, NamedTuple, Sequence

from rootplane.policy.document import Policy, Position, Statement

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


def _derived_context(facts: RequestFacts) -> dict[str, tuple[object, ...]]:
    ctx: dict[str, tuple[object, ...]] = {}
    for key, value in facts.context.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            ctx[key.lower()] = tuple(value)
        else:
            ctx[key.lower()] = (value,)
    arn = facts.principal_arn
    defaults: dict[str, object] = {}
    if facts.principal_is_service is not None:
        defaults["aws:principalisawsservice"] = True
        defaults["aws:principalservicename"] = facts.principal_is_service
    else:
        defaults["aws:principalisawsservice"] = False
        defaults["aws:principalarn"] = facts.role_arn or arn
        defaults["aws:principalaccount"] = facts.principal_account
        if facts.principal_is_root:
            defaults["aws:principaltype"] = "Account"
            defaults["aws:userid"] = facts.principal_account
        elif ":assumed-role/" in arn:
            defaults["aws:principaltype"] = "AssumedRole"
        elif ":user/" in arn:
            defaults["aws:principaltype"] = "User"
            defaults["aws:username"] = arn.rsplit("/", 1)[-1]
        elif ":federated-user/" in arn:
            defaults["aws:principaltype"] = "FederatedUser"
    if facts.resource_account is not None:
        defaults["aws:resourceaccount"] = facts.resource_account
    for key, value in defaults.items():
        ctx.setdefault(key, (value,))
    return ctx


@dataclass(frozen=True)
class RequestFacts:
    """What is being asked.  Context keys may be in any case; values are str, list[str], bool, int or datetime.

    Some global keys are derived when the caller does not give them: ``aws:PrincipalArn`` (the role ARN for role
    sessions), ``aws:PrincipalAccount``, ``aws:ResourceAccount``, ``aws:PrincipalType``, ``aws:username`` (IAM
    users), ``aws:userid`` (root), ``aws:PrincipalIsAWSService``, ``aws:PrincipalServiceName``.
    """

    action: str
    resource: str
    principal_arn: str
    principal_account: str
    resource_account: str | None
    context: Mapping[str, object] = field(default_factory=dict)
    principal_is_root: bool = False
    principal_is_service: str | None = None
    role_arn: str | None = None
    principal_is_anonymous: bool = False
    _ctx: Mapping[str, tuple[object, ...]] = field(init=False, repr=False, compare=False)
    _action: str = field(init=False, repr=False, compare=False)
    _service: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ctx", _derived_context(self))
        action = self.action.lower()
        object.__setattr__(self, "_action", action)
        object.__setattr__(self, "_service", action.partition(":")[0])

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
def _statement_matches(st: Statement, facts: RequestFacts, ctx: Mapping[str, tuple[object, ...]]) -> bool:
    hit = st.actions.matches(facts._action)
    if hit == st.not_action:
        return False
    if st.resources is not None:
        hit = st.resources.matches(facts.resource, ctx)
        if hit == st.not_resource:
            return False
    if st.principals is not None:
        if st.not_principal:
            if st.principals.excludes(facts):
                return False
        elif st.principals.naming(facts) is None:
            return False
    for test in st.conditions:
        if not test.holds(ctx):
            return False
    return True


_Hit = tuple[NamedPolicy, Statement, str]


def _scan(policies: Sequence[NamedPolicy], label: str, facts: RequestFacts, denies: list[_Hit],
          allows: list[_Hit], all_allows: bool) -> None:
    """Evaluate every Deny statement; Allow statements only until one matched (unless ``all_allows``)."""
    service = facts._service
    ctx = facts._ctx
    for named in policies:
        for st in named.policy.candidates(service):
            if allows and not all_allows and st.effect != "Deny":
                continue
            if _statement_matches(st, facts, ctx):
                (denies if st.effect == "Deny" else allows).append((named, st, label))


def _matched(hits: Sequence[_Hit]) -> tuple[MatchedStatement, ...]:
    return tuple(
        MatchedStatement(named.name, label, named.source_type, st.sid, st.effect, st.index, st.start, st.end)
        for named, st, label in hits
    )


def _deny(kind: DecisionKind, policy_type: str, hits: Sequence[_Hit] = ()) -> Decision:
    return Decision(False, kind, policy_type, _matched(hits))


_FREE_ALLOW = Decision(True, "allow", None, ())

_NAMING_RANK = {"user_arn": 0, "session_arn": 0, "federated": 0, "wildcard": 0, "service": 0, "role_arn": 1,
                "account": 2}


# ------------------------------------------------------------------------------------------------- decision
def evaluate(facts: RequestFacts, policies: PolicySet, *, explain: bool = False) -> Decision:
    """Decide whether ``facts`` is allowed under ``policies``.

    Every Deny statement is always evaluated (so ``matched`` lists all explicit denies).  For speed, Allow
    statements of one policy type (or one SCP/RCP level) stop at the first match; pass ``explain=True`` (the
    policy simulator) to list every matching Allow statement.
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

    # ---- 1. scan everything once; collect explicit denies and allows per policy type
    if policies.scp_levels is not None:
        for level in policies.scp_levels:
            bucket: list[_Hit] = []
            _scan(level, SCP, facts, denies, bucket, explain)
            scp_allows.append(bucket)
    if policies.rcp_levels is not None:
        for level in policies.rcp_levels:
            bucket = []
            _scan(level, RCP, facts, denies, bucket, explain)
            rcp_allows.append(bucket)
    if policies.identity and not facts.principal_is_root and facts.principal_is_service is None:
        _scan(policies.identity, IDENTITY, facts, denies, identity_allows, explain)
    if policies.boundary is not None:
        _scan(policies.boundary, BOUNDARY, facts, denies, boundary_allows, explain)
    if policies.session is not None:
        _scan(policies.session, SESSION, facts, denies, session_allows, explain)
    if policies.task is not None:
        _scan((policies.task,), SESSION, facts, denies, task_allows, explain)
    if policies.resource is not None:
        resource_denies: list[_Hit] = []
        _scan((policies.resource,), RESOURCE, facts, resource_denies, resource_allows, True)
        if resource_denies and not (
            facts.principal_is_root and facts.same_account and facts._action in ROOT_LOCKOUT_EXEMPT_ACTIONS
        ):
            denies.extend(resource_denies)
    if denies:
        return _deny("explicit_deny", denies[0][2], denies)

    # ---- 2. organization guardrails: every level needs an Allow
    for bucket in rcp_allows:
        if not bucket:
            return _deny("implicit_deny", RCP)
    for bucket in scp_allows:
        if not bucket:
            return _deny("implicit_deny", SCP)

    def allow(*hit_lists: Sequence[_Hit]) -> Decision:
        hits = [hit for hits_ in hit_lists for hit in hits_]
        return Decision(True, "allow", None, _matched(hits))

    # the task policy filters like a session policy when it contains Allow statements
    task_blocks = policies.task is not None and policies.task.policy.has_allow and not task_allows

    # ---- 3. root of the resource's own account
    if facts.principal_is_root and facts.same_account:
        if task_blocks:
            return _deny("implicit_deny", SESSION)
        return allow(resource_allows, task_allows)

    # ---- 4. resource-based policy
    naming = None
    if resource_allows:
        best = 99
        for _, st, _ in resource_allows:
            kind = "wildcard" if st.principals is None or st.not_principal else st.principals.naming(facts)
            rank = _NAMING_RANK.get(kind or "", 99)
            if rank < best:
                best, naming = rank, kind
    if facts.principal_is_service is not None:
        if naming is None:
            return _deny("implicit_deny", RESOURCE)
        return allow(resource_allows)
    if facts.principal_is_anonymous:
        # Unsigned requests have no identity side: only a resource policy granting everyone ("*") allows them.
        if naming != "wildcard":
            return _deny("implicit_deny", RESOURCE)
        return allow(resource_allows)
    if facts.same_account and naming is not None and naming != "account":
        if naming == "role_arn":
            if policies.boundary is not None and not boundary_allows:
                return _deny("implicit_deny", BOUNDARY)
            if policies.session is not None and not session_allows:
                return _deny("implicit_deny", SESSION)
        if task_blocks:
            return _deny("implicit_deny", SESSION)
        return allow(resource_allows)
    if not facts.same_account:
        if naming is None:
            return _deny("implicit_deny", RESOURCE)
        if facts.principal_is_root:
            if task_blocks:
                return _deny("implicit_deny", SESSION)
            return allow(resource_allows)

    # ---- 5..7 identity, boundary, session, task
    if not identity_allows:
        return _deny("implicit_deny", IDENTITY)
    if policies.boundary is not None and not boundary_allows:
        return _deny("implicit_deny", BOUNDARY)
    if policies.session is not None and not session_allows:
        return _deny("implicit_deny", SESSION)
    if task_blocks:
        return _deny("implicit_deny", SESSION)
    return allow(identity_allows, resource_allows)
