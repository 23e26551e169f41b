"""GetContextKeysForCustomPolicy / GetContextKeysForPrincipalPolicy: the condition keys and policy variables
that policies reference, as written, each once (first spelling wins, compared case-insensitively)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from rootplane.policy import MalformedPolicy, parse_policy_cached
from rootplane.services.context import RequestContext
from rootplane.services.iam import errors
from rootplane.services.iam.simulate import source_policies

__all__ = ["ContextKeysMixin", "context_keys"]

_VARIABLE_RE = re.compile(r"\$\{([^}?]+?)(?:\s*,\s*'[^']*')?\}")


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _variables(value: Any) -> Iterable[str]:
    for text in _strings(value):
        yield from (match.strip() for match in _VARIABLE_RE.findall(text) if ":" in match)


def _keys_of(document: dict[str, Any]) -> Iterable[str]:
    """The statements' keys in the order their members are written: a Resource's ``${aws:username}`` before the
    Condition's ``aws:CurrentTime`` when Resource comes first (the AWS CLI reference's
    get-context-keys-for-custom-policy example); within a Condition, its keys, then its variables."""
    statements = document.get("Statement") or []
    for statement in statements if isinstance(statements, list) else [statements]:
        for member, value in statement.items():
            if member == "Condition":
                for block in (value or {}).values():
                    yield from block
            if member in ("Resource", "NotResource", "Condition"):
                yield from _variables(value)


def context_keys(texts: Iterable[str]) -> list[str]:
    """Every context key the documents reference, deduplicated case-insensitively in first-seen order."""
    found: dict[str, str] = {}
    for text in texts:
        for key in _keys_of(json.loads(text)):
            found.setdefault(key.lower(), key)
    return list(found.values())


def _checked(texts: list[str]) -> list[str]:
    for text in texts:
        try:
            parse_policy_cached(text, "identity")
        except MalformedPolicy as exc:
            raise errors.invalid_input(str(exc)) from None
    return texts


class ContextKeysMixin:
    def get_context_keys_for_custom_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {"ContextKeyNames": context_keys(_checked(params["PolicyInputList"]))}

    def get_context_keys_for_principal_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        identity, _ = source_policies(ctx, params["PolicySourceArn"])
        texts = [named.policy.text for named in identity] + _checked(params.get("PolicyInputList") or [])
        return {"ContextKeyNames": context_keys(texts)}
