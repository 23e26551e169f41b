"""OpenID Connect and SAML identity providers: create, read, list, update, delete, tags.

An OIDC provider may carry trusted identity propagation settings (a ContextProvider and an IAM Identity Center
instance), kept beside it in ``OidcProviderConfigRow``. IdentityStoreArn is not reported: no Identity Center
instance exists here to name its identity store.
"""

from __future__ import annotations

import datetime as _dt
import re
import uuid
import xml.etree.ElementTree as ElementTree
from typing import Any

from rootplane.services.context import RequestContext
from rootplane.services.iam import errors, inputs, repo, shapes
from rootplane.services.iam.tables import OidcProviderConfigRow, OidcProviderRow, SamlProviderRow

__all__ = ["IdentityProvidersMixin"]

PROVIDERS_QUOTA = 100
CLIENT_IDS_QUOTA = 100
THUMBPRINTS_QUOTA = 5
_THUMBPRINT_RE = re.compile(r"^[0-9A-Fa-f]{40}$")
_VALID_UNTIL_RE = re.compile(r"validUntil\s*=\s*\"([^\"]+)\"")
# Context provider source keys: ASCII letters, digits, single inner spaces and _ . : / = + - @ #
_SOURCE_KEY_RE = re.compile(r"^[A-Za-z0-9_.:/=+\-@#]+(?: [A-Za-z0-9_.:/=+\-@#]+)*$")
_IDENTITY_CENTER_ARN_RE = re.compile(r"^arn:aws[a-z-]*:sso:::instance/(?:sso)?ins-[a-zA-Z0-9\-.]{16}$")


def _oidc_arn(account_id: str, url: str) -> str:
    return f"arn:aws:iam::{account_id}:oidc-provider/{url.removeprefix('https://')}"


def _oidc(ctx: RequestContext, arn: str) -> OidcProviderRow:
    row = ctx.session.get(OidcProviderRow, arn)
    if row is None or row.account_id != ctx.account_id:
        raise errors.no_such_entity(f"OpenIDConnect Provider not found for arn {arn}")
    return row


def _saml(ctx: RequestContext, arn: str) -> SamlProviderRow:
    row = ctx.session.get(SamlProviderRow, arn)
    if row is None or row.account_id != ctx.account_id:
        raise errors.no_such_entity(f"Manifest not found for arn {arn}")
    return row


def _check_thumbprints(thumbprints: list[str]) -> list[str]:
    if len(thumbprints) > THUMBPRINTS_QUOTA:
        raise errors.limit_exceeded(f"Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: {THUMBPRINTS_QUOTA}")
    for thumbprint in thumbprints:
        if not _THUMBPRINT_RE.match(thumbprint):
            raise errors.validation(f"Thumbprint must be 40 hexadecimal characters: {thumbprint}")
    return list(dict.fromkeys(thumbprints))


def _check_client_ids(client_ids: list[str]) -> list[str]:
    unique = list(dict.fromkeys(client_ids))
    if len(unique) > CLIENT_IDS_QUOTA:
        raise errors.limit_exceeded(f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {CLIENT_IDS_QUOTA}")
    return unique


def _check_context_provider(context: dict[str, Any]) -> dict[str, Any]:
    """A ContextProvider as AWS documents its keys (mutually exclusive subject type members)."""
    if context.get("SubjectTypeValue") is not None and context.get("SubjectTypeSourceKey") is not None:
        raise errors.invalid_input("Specify either SubjectTypeValue or SubjectTypeSourceKey, but not both.")
    keys = [context["SubjectSourceKey"], context.get("SubjectTypeSourceKey"),
            *(item["SourceKey"] for item in context.get("KeyDefinitionList") or [])]
    for key in keys:
        if key is not None and not _SOURCE_KEY_RE.match(key):
            raise errors.invalid_input(f"Invalid source key: {key}")
    return context


def _check_identity_center(arn: str, config: OidcProviderConfigRow | None) -> str:
    if not _IDENTITY_CENTER_ARN_RE.match(arn):
        raise errors.invalid_input(f"Invalid IAM Identity Center instance ARN: {arn}")
    if config is None or config.context_provider is None:
        raise errors.invalid_input("An IAM Identity Center instance requires a context provider on the OIDC provider.")
    return arn


def _check_quota(ctx: RequestContext, row_cls: Any, label: str) -> None:
    if repo.count_providers(ctx.session, row_cls, ctx.account_id) >= PROVIDERS_QUOTA:
        raise errors.limit_exceeded(f"Cannot exceed quota for {label}: {PROVIDERS_QUOTA}")


def _metadata_valid_until(document: str) -> _dt.datetime | None:
    """Parse SAML metadata (InvalidInput unless XML with an EntityDescriptor); its validUntil, if any."""
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError:
        raise errors.invalid_input("Could not parse metadata") from None
    if not root.tag.endswith("EntityDescriptor"):
        raise errors.invalid_input("Could not parse metadata")
    match = _VALID_UNTIL_RE.search(document)
    if match is None:
        return None
    try:
        return _dt.datetime.fromisoformat(match.group(1).replace("Z", "+00:00")).astimezone(_dt.timezone.utc)
    except ValueError:
        return None


class IdentityProvidersMixin:
    # -- OpenID Connect ------------------------------------------------------------------------------------------

    def create_open_id_connect_provider(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        url = params["Url"]
        if not url.startswith("https://") or len(url) <= len("https://"):
            raise errors.validation("The URL must begin with https:// and contain a host name.")
        arn = _oidc_arn(ctx.account_id, url.rstrip("/"))
        if ctx.session.get(OidcProviderRow, arn) is not None:
            raise errors.already_exists(f"Provider with url {url} already exists.")
        _check_quota(ctx, OidcProviderRow, "OpenIdConnectProvidersPerAccount")
        row = repo.put(ctx.session, OidcProviderRow(
            arn=arn, account_id=ctx.account_id, url=url.rstrip("/"),
            client_ids=_check_client_ids(params.get("ClientIDList") or []),
            thumbprints=_check_thumbprints(params.get("ThumbprintList") or []),
            created_at=ctx.now(), tag_list=inputs.merge_tags([], params.get("Tags")),
        ))
        if params.get("ContextProvider") is not None:
            config = repo.put(ctx.session, OidcProviderConfigRow(
                arn=arn, context_provider=_check_context_provider(params["ContextProvider"])))
            if params.get("IdentityCenterInstanceArn") is not None:
                config.identity_center_instance_arn = _check_identity_center(params["IdentityCenterInstanceArn"], config)
        elif params.get("IdentityCenterInstanceArn") is not None:
            _check_identity_center(params["IdentityCenterInstanceArn"], None)
        result: dict[str, Any] = {"OpenIDConnectProviderArn": row.arn}
        if row.tag_list:
            result["Tags"] = shapes.tags(row.tag_list)
        return result

    def get_open_id_connect_provider(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _oidc(ctx, params["OpenIDConnectProviderArn"])
        shape: dict[str, Any] = {"Url": row.url.removeprefix("https://"), "ClientIDList": list(row.client_ids or []),
                                 "ThumbprintList": list(row.thumbprints or []), "CreateDate": row.created_at,
                                 "Tags": shapes.tags(row.tag_list)}
        config = ctx.session.get(OidcProviderConfigRow, row.arn)
        if config is not None and config.context_provider is not None:
            shape["ContextProvider"] = config.context_provider
        if config is not None and config.identity_center_instance_arn is not None:
            shape["IdentityCenterInstanceArn"] = config.identity_center_instance_arn
        return shape

    def update_open_id_connect_provider(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _oidc(ctx, params["OpenIDConnectProviderArn"])
        context, remove_context = params.get("ContextProvider"), bool(params.get("RemoveContextProvider"))
        instance, remove_instance = params.get("IdentityCenterInstanceArn"), bool(params.get("RemoveIdentityCenterInstance"))
        if context is not None and remove_context:
            raise errors.invalid_input("Specify either ContextProvider or RemoveContextProvider, but not both.")
        if instance is not None and remove_instance:
            raise errors.invalid_input(
                "Specify either IdentityCenterInstanceArn or RemoveIdentityCenterInstance, but not both.")
        changes_context, changes_instance = context is not None or remove_context, instance is not None or remove_instance
        if changes_context and changes_instance:
            raise errors.invalid_input("A request can change either the context provider or the IAM Identity Center "
                                       "association, but not both.")
        if not changes_context and not changes_instance:
            raise errors.invalid_input("Specify a configuration to set or remove.")
        config = ctx.session.get(OidcProviderConfigRow, row.arn) or repo.put(
            ctx.session, OidcProviderConfigRow(arn=row.arn))
        if context is not None:
            config.context_provider = _check_context_provider(context)
        elif remove_context:
            if config.identity_center_instance_arn is not None:
                raise errors.invalid_input("Remove the IAM Identity Center association before removing the context "
                                           "provider.")
            config.context_provider = None
        elif instance is not None:
            config.identity_center_instance_arn = _check_identity_center(instance, config)
        else:
            config.identity_center_instance_arn = None
        return None

    def list_open_id_connect_providers(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        rows = repo.list_providers(ctx.session, OidcProviderRow, ctx.account_id)
        return {"OpenIDConnectProviderList": [{"Arn": row.arn} for row in rows]}

    def delete_open_id_connect_provider(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = ctx.session.get(OidcProviderRow, params["OpenIDConnectProviderArn"])
        if row is not None and row.account_id == ctx.account_id:  # AWS answers success for unknown providers
            config = ctx.session.get(OidcProviderConfigRow, row.arn)
            if config is not None:
                repo.remove(ctx.session, config)
            repo.remove(ctx.session, row)
        return None

    def add_client_id_to_open_id_connect_provider(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _oidc(ctx, params["OpenIDConnectProviderArn"])
        row.client_ids = _check_client_ids([*(row.client_ids or []), params["ClientID"]])
        return None

    def remove_client_id_from_open_id_connect_provider(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _oidc(ctx, params["OpenIDConnectProviderArn"])
        row.client_ids = [client for client in (row.client_ids or []) if client != params["ClientID"]]
        return None

    def update_open_id_connect_provider_thumbprint(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        _oidc(ctx, params["OpenIDConnectProviderArn"]).thumbprints = _check_thumbprints(params["ThumbprintList"])
        return None

    def tag_open_id_connect_provider(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _oidc(ctx, params["OpenIDConnectProviderArn"])
        row.tag_list = inputs.merge_tags(row.tag_list, params["Tags"])
        return None

    def untag_open_id_connect_provider(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _oidc(ctx, params["OpenIDConnectProviderArn"])
        row.tag_list = inputs.remove_tags(row.tag_list, params["TagKeys"])
        return None

    def list_open_id_connect_provider_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return shapes.tag_page(_oidc(ctx, params["OpenIDConnectProviderArn"]).tag_list, params)

    # -- SAML ----------------------------------------------------------------------------------------------------

    def create_saml_provider(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name, document = params["Name"], params["SAMLMetadataDocument"]
        arn = f"arn:aws:iam::{ctx.account_id}:saml-provider/{name}"
        if ctx.session.get(SamlProviderRow, arn) is not None:
            raise errors.already_exists(f"SAMLProvider {name} already exists")
        _check_quota(ctx, SamlProviderRow, "SamlProvidersPerAccount")
        row = repo.put(ctx.session, SamlProviderRow(
            arn=arn, account_id=ctx.account_id, provider_uuid=str(uuid.uuid4()), metadata_document=document,
            assertion_encryption_mode=params.get("AssertionEncryptionMode"), created_at=ctx.now(),
            valid_until=_metadata_valid_until(document), tag_list=inputs.merge_tags([], params.get("Tags")),
        ))
        result: dict[str, Any] = {"SAMLProviderArn": row.arn}
        if row.tag_list:
            result["Tags"] = shapes.tags(row.tag_list)
        return result

    def get_saml_provider(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _saml(ctx, params["SAMLProviderArn"])
        shape: dict[str, Any] = {"SAMLProviderUUID": row.provider_uuid, "SAMLMetadataDocument": row.metadata_document,
                                 "CreateDate": row.created_at, "Tags": shapes.tags(row.tag_list)}
        if row.valid_until is not None:
            shape["ValidUntil"] = row.valid_until
        if row.assertion_encryption_mode:
            shape["AssertionEncryptionMode"] = row.assertion_encryption_mode
        return shape

    def list_saml_providers(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        items = []
        for row in repo.list_providers(ctx.session, SamlProviderRow, ctx.account_id):
            item: dict[str, Any] = {"Arn": row.arn, "CreateDate": row.created_at}
            if row.valid_until is not None:
                item["ValidUntil"] = row.valid_until
            items.append(item)
        return {"SAMLProviderList": items}

    def update_saml_provider(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _saml(ctx, params["SAMLProviderArn"])
        document = params.get("SAMLMetadataDocument")
        if document is not None:
            row.valid_until, row.metadata_document = _metadata_valid_until(document), document
        if params.get("AssertionEncryptionMode") is not None:
            row.assertion_encryption_mode = params["AssertionEncryptionMode"]
        return {"SAMLProviderArn": row.arn}

    def delete_saml_provider(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        repo.remove(ctx.session, _saml(ctx, params["SAMLProviderArn"]))
        return None

    def tag_saml_provider(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _saml(ctx, params["SAMLProviderArn"])
        row.tag_list = inputs.merge_tags(row.tag_list, params["Tags"])
        return None

    def untag_saml_provider(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _saml(ctx, params["SAMLProviderArn"])
        row.tag_list = inputs.remove_tags(row.tag_list, params["TagKeys"])
        return None

    def list_saml_provider_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return shapes.tag_page(_saml(ctx, params["SAMLProviderArn"]).tag_list, params)
