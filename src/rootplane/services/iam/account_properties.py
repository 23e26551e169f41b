"""Account-level IAM properties (``Namespace/PropertyName`` keys, e.g. ``RoleManager/Enabled``) and the STS
global endpoint token version (SetSecurityTokenServicePreferences)."""

from __future__ import annotations

from typing import Any

from rootplane.services.context import RequestContext
from rootplane.services.iam import errors, repo

__all__ = ["AccountPropertiesMixin", "DEFAULT_PROPERTIES"]

#: Every known property with its default; all are booleans written as "true"/"false".
DEFAULT_PROPERTIES = {"RoleManager/Enabled": "false"}
_BOOLEANS = ("true", "false")
_TOKEN_VERSIONS = {"v1Token": 1, "v2Token": 2}


def _check(properties: dict[str, str]) -> None:
    """Keys known, ``Namespace/Name`` with one slash, one namespace per request, boolean values."""
    namespaces = set()
    for key, value in properties.items():
        namespace, _, name = key.partition("/")
        if key.count("/") != 1 or not namespace or not name:
            raise errors.invalid_input(f"Invalid property key format: {key}. Expected format: Namespace/PropertyName.")
        if key not in DEFAULT_PROPERTIES:
            raise errors.invalid_input(f"Unsupported account property: {key}.")
        if value not in _BOOLEANS:
            raise errors.invalid_input(f"Invalid value for account property {key}: {value}. Expected true or false.")
        namespaces.add(namespace)
    if len(namespaces) > 1:
        raise errors.invalid_input("All properties in a request must belong to the same namespace.")


class AccountPropertiesMixin:
    def get_account_properties(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        settings = repo.find_settings(ctx.session, ctx.account_id)
        stored = (settings.properties if settings is not None else None) or {}
        return {"Properties": {**DEFAULT_PROPERTIES, **stored}}

    def put_account_properties(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        properties = params["Properties"]
        if not properties:
            raise errors.invalid_input("Properties must not be empty.")
        _check(properties)
        settings = repo.settings(ctx.session, ctx.account_id)
        settings.properties = {**(settings.properties or {}), **properties}
        return None

    def set_security_token_service_preferences(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        repo.settings(ctx.session, ctx.account_id).sts_token_version = \
            _TOKEN_VERSIONS[params["GlobalEndpointTokenVersion"]]
        return None
