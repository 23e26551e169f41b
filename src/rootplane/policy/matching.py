"""Matchers for the Action, Resource and Principal elements, compiled once per statement.

- Actions: ``service:Name``, case-insensitive, ``*``/``?`` wildcards, compiled as resources are (exact names, then
  prefixes, then one regex or linear-time globs: see ``compile_globs``).
- Resources: case-sensitive glob over the ARN, segment-wise (a wildcard in the first five ARN parts does not cross
  ``:``; in the resource part it does).  ``*`` alone matches everything.  Policy variables in the pattern are
  resolved per request.
- Principals: ``"*"``, ``{"AWS": ...}`` (account id / ``:root`` ARN = the whole account; user, role, assumed-role
  session ARNs; the unique id ``AIDA...``/``AROA...`` of a user or role, which is how a saved resource or trust
  policy names the user or role it was written for), ``{"Service": ...}``, ``{"Federated": ...}``,
  ``{"CanonicalUser": ...}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Literal, Sequence

from rootplane.policy.variables import Globs, Template, compile_globs, parse_template

if TYPE_CHECKING:  # pragma: no cover
    from rootplane.policy.evaluate import RequestFacts

__all__ = [
    "ActionMatcher", "ResourceMatcher", "PrincipalMatcher", "PrincipalNaming", "compile_actions",
    "compile_resources", "compile_principals", "action_service", "UNIQUE_ID_RE",
]

PrincipalNaming = Literal["wildcard", "account", "user_arn", "session_arn", "role_arn", "service", "federated", "canonical"]


def action_service(action: str) -> str:
    """The lower-case service prefix of an action (``iam`` for ``iam:CreateUser``; ``*`` for ``*``)."""
    head, sep, _ = action.partition(":")
    return head.lower() if sep else "*"


@dataclass(frozen=True, slots=True)
class ActionMatcher:
    """Matches a lower-cased action name."""

    globs: Globs
    match_all: bool
    services: frozenset[str] | None  # service prefixes it can match; None = any service

    def matches(self, action_lower: str) -> bool:
        return self.match_all or self.globs.matches(action_lower)


def compile_actions(values: Iterable[str]) -> ActionMatcher:
    """Compile the strings of an Action/NotAction element."""
    patterns: list[str] = []
    services: set[str] | None = set()
    match_all = False
    for value in values:
        low = value.lower()
        if low == "*":
            match_all = True
            services = None
            continue
        service = low.partition(":")[0]
        if services is not None:
            if "*" in service or "?" in service:
                services = None
            else:
                services.add(service)
        patterns.append(low)
    globs = compile_globs((parse_template(p, False) for p in patterns), arn=False)
    return ActionMatcher(globs, match_all, frozenset(services) if services is not None else None)


@dataclass(frozen=True, slots=True)
class ResourceMatcher:
    """Matches a resource ARN (case-sensitive, segment-wise globbing, policy variables)."""

    match_all: bool
    globs: Globs                     # the patterns without variables
    templates: tuple[Template, ...]  # patterns with variables, resolved per request

    def matches(self, facts: RequestFacts, memo: dict[object, object]) -> bool:
        """Whether ``facts.resource`` matches.  ``memo`` (one per decision) keeps each template's outcome."""
        resource = facts.resource
        if self.match_all or self.globs.matches(resource):
            return True
        for template in self.templates:
            hit = memo.get(template)
            if hit is None:
                hit = memo[template] = template.matches(resource, facts._ctx, arn=True)
            if hit:
                return True
        return False


def compile_resources(values: Sequence[str], *, variables: bool) -> ResourceMatcher:
    """Compile the strings of a Resource/NotResource element."""
    templates = [parse_template(value, variables) for value in values if value != "*"]
    return ResourceMatcher(
        match_all="*" in values,
        globs=compile_globs((t for t in templates if not t.has_vars), arn=True),
        templates=tuple(t for t in templates if t.has_vars),
    )


_ACCOUNT_RE = re.compile(r"^\d{12}$")
#: The unique id of an IAM user (AIDA) or role (AROA).
UNIQUE_ID_RE = re.compile(r"^A(?:ID|RO)A[A-Z0-9]{17}$")
_ROOT_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):root$")


@dataclass(frozen=True, slots=True)
class PrincipalMatcher:
    """The compiled Principal/NotPrincipal element."""

    wildcard: bool
    accounts: frozenset[str]
    arns: frozenset[str]
    ids: frozenset[str]  # unique ids of users and roles
    services: frozenset[str]
    federated: frozenset[str]
    canonical: frozenset[str]

    def naming(self, facts: RequestFacts) -> PrincipalNaming | None:
        """How (if at all) this element names the caller.  The most specific naming wins."""
        if facts.principal_is_service is not None:
            if facts.principal_is_service.lower() in self.services:
                return "service"
            return "wildcard" if self.wildcard else None
        arn = facts.principal_arn
        if arn in self.arns:
            if facts.principal_is_root:
                return "account"
            return "session_arn" if ":assumed-role/" in arn else "user_arn"
        if facts.role_arn is not None and facts.role_arn in self.arns:
            return "role_arn"
        if facts.unique_id is not None and facts.unique_id in self.ids:
            return "user_arn" if facts.role_arn is None else "role_arn"
        if arn in self.federated:
            return "federated"
        if facts.principal_account in self.accounts:
            return "account"
        if self.wildcard:
            return "wildcard"
        return None

    def matches(self, facts: RequestFacts) -> bool:
        return self.naming(facts) is not None

    def excludes(self, facts: RequestFacts) -> bool:
        """NotPrincipal semantics: True when the caller is *listed* (exact names only, as AWS documents).

        An account entry excludes only that account's root user; a role ARN does not exclude its sessions
        (list the assumed-role session ARN).
        """
        if self.wildcard:
            return True
        if facts.principal_is_service is not None:
            return facts.principal_is_service.lower() in self.services
        if facts.principal_arn in self.arns or facts.principal_arn in self.federated:
            return True
        if facts.role_arn is None and facts.unique_id is not None and facts.unique_id in self.ids:
            return True
        return facts.principal_is_root and facts.principal_account in self.accounts


def compile_principals(element: object) -> PrincipalMatcher:
    """Compile an already-validated Principal/NotPrincipal element."""
    wildcard = False
    accounts: set[str] = set()
    arns: set[str] = set()
    ids: set[str] = set()
    services: set[str] = set()
    federated: set[str] = set()
    canonical: set[str] = set()
    if element == "*":
        wildcard = True
    elif isinstance(element, dict):
        for kind, raw in element.items():
            values = [raw] if isinstance(raw, str) else list(raw)
            for value in values:
                if kind == "AWS":
                    if value == "*":
                        wildcard = True
                    elif _ACCOUNT_RE.match(value):
                        accounts.add(value)
                    elif (m := _ROOT_ARN_RE.match(value)) is not None:
                        accounts.add(m.group(1))
                        arns.add(value)
                    elif UNIQUE_ID_RE.match(value):
                        ids.add(value)
                    else:
                        arns.add(value)
                elif kind == "Service":
                    if value == "*":
                        wildcard = True
                    services.add(value.lower())
                elif kind == "Federated":
                    federated.add(value)
                elif kind == "CanonicalUser":
                    canonical.add(value)
    return PrincipalMatcher(wildcard, frozenset(accounts), frozenset(arns), frozenset(ids), frozenset(services),
                            frozenset(federated), frozenset(canonical))
