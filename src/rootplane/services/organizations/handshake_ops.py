"""Invitations: InviteAccountToOrganization, Accept/Decline/Cancel/DescribeHandshake, ListHandshakes*."""

from __future__ import annotations

import re
from typing import Any

from rootplane.services.accounts import repo as accounts
from rootplane.services.context import RequestContext
from rootplane.services.mail.outbox import send
from rootplane.services.organizations import features, repo
from rootplane.services.organizations.caller import management_account, management_only, management_or_delegate
from rootplane.services.organizations.errors import handshake_constraint, invalid_input, org_error
from rootplane.services.organizations.handshakes import new_handshake
from rootplane.services.organizations.membership import add_member
from rootplane.services.organizations.paging import decode_token, finish_page, page_size
from rootplane.services.organizations.quota import HANDSHAKE_LIMIT_MESSAGE, organization_full
from rootplane.services.organizations.shapes import handshake_shape
from rootplane.services.organizations.tables import HandshakeRow, OrganizationRow
from rootplane.services.organizations.tags import put_tags

__all__ = ["HandshakeOperations"]

_FINAL = {"ACCEPTED", "DECLINED", "CANCELED", "EXPIRED"}
_ALREADY_MEMBER = "The handshake request is invalid because the invited account is already a member of an organization."
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")  # the model's Email pattern (CreateAccount)


def _shape(ctx: Any, org: OrganizationRow, handshake: HandshakeRow) -> dict[str, Any]:
    mgmt = management_account(ctx, org)
    return handshake_shape(org, handshake, mgmt.email, mgmt.name, ctx.now())


def _caller_targets(ctx: Any) -> tuple[str, ...]:
    """The ids an invitation to the caller may carry: its account id and its root e-mail address."""
    account = accounts.find_account(ctx.session, ctx.account_id)
    return (ctx.account_id, account.email) if account is not None else (ctx.account_id,)


def _handshake(ctx: Any, handshake_id: str, *, as_target: bool) -> tuple[OrganizationRow, HandshakeRow]:
    """A handshake the caller may act on (as invited account, or as the inviting management account)."""
    handshake = repo.find_handshake(ctx.session, handshake_id)
    org = repo.find_organization(ctx.session, handshake.org_id) if handshake is not None else None
    if handshake is None or org is None:
        raise org_error("HandshakeNotFoundException")
    is_owner = org.management_account_id == ctx.account_id
    is_target = (handshake.target_id.lower() in {t.lower() for t in _caller_targets(ctx)}
                 or (is_owner and features.is_request(handshake)))
    if not (is_target if as_target else is_target or is_owner):
        raise org_error("HandshakeNotFoundException")
    return org, handshake


def _filter(params: dict[str, Any]) -> tuple[str | None, str | None]:
    """``Filter``'s one criterion, (ActionType, ParentHandshakeId): AWS takes one or the other, never both."""
    wanted = params.get("Filter") or {}
    if wanted.get("ActionType") and wanted.get("ParentHandshakeId"):
        raise invalid_input("MAX_LIMIT_EXCEEDED_FILTER", "You can specify only one filter parameter for the operation.")
    return wanted.get("ActionType"), wanted.get("ParentHandshakeId")


def _transition(ctx: Any, org: OrganizationRow, handshake: HandshakeRow, state: str) -> None:
    current = handshake_shape(org, handshake, "", "", ctx.now())["State"]
    if current == state:
        raise org_error("HandshakeAlreadyInStateException")
    if current in _FINAL:
        raise org_error("InvalidHandshakeTransitionException")
    handshake.state = state


class HandshakeOperations:
    """Invitations to join an organization."""

    def invite_account_to_organization(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_only(ctx)
        target = params["Target"]
        target_id, target_type = target["Id"], target["Type"]
        if target_type == "ORGANIZATION":
            raise invalid_input("INVALID_PARTY_TYPE_TARGET",
                                "You specified the wrong type of entity (account, organization, or email) as a party.")
        if target_type == "EMAIL" and not _EMAIL.fullmatch(target_id):
            raise invalid_input("INVALID_EMAIL_ADDRESS_TARGET",
                                "You specified an invalid email address for the invited account owner.")
        account = (accounts.find_account(ctx.session, target_id) if target_type == "ACCOUNT"
                   else repo.find_account_by_email(ctx.session, target_id))
        if account is not None:
            membership = repo.find_membership(ctx.session, account.account_id)
            if membership is not None and membership.org_id == org.id:
                # InviteAccountToOrganization models no DuplicateAccountException
                raise handshake_constraint("ALREADY_IN_AN_ORGANIZATION", _ALREADY_MEMBER)
        if features.pending_request(ctx, org) is not None:
            raise handshake_constraint("INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES",
                                       "You can't issue new invitations to join an organization while it's in the "
                                       "process of enabling all features. You can resume inviting accounts after you "
                                       "finalize the process when all accounts have agreed to the change.")
        if organization_full(ctx, org):
            raise handshake_constraint("ACCOUNT_NUMBER_LIMIT_EXCEEDED", HANDSHAKE_LIMIT_MESSAGE)
        for existing in repo.list_handshakes(ctx.session, org_id=org.id, target_ids=(target_id,), action="INVITE",
                                             limit=100):
            if handshake_shape(org, existing, "", "", ctx.now())["State"] not in _FINAL:
                raise org_error("DuplicateHandshakeException")
        handshake = new_handshake(ctx, org, "INVITE", target_id, target_type, params.get("Notes"))
        put_tags(ctx, handshake.id, params.get("Tags") or [])
        mgmt = management_account(ctx, org)
        recipient = account.email if account is not None else target_id if target_type == "EMAIL" else None
        if recipient is not None:
            send(ctx, recipient, "AWS Organizations invitation",
                 f"The AWS account {mgmt.account_id} ({mgmt.email}) invites your account to join organization "
                 f"{org.id}. Handshake: {handshake.id}.")
        return {"Handshake": _shape(ctx, org, handshake)}

    def accept_handshake(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org, handshake = _handshake(ctx, params["HandshakeId"], as_target=True)
        if handshake.action == "INVITE" and handshake_shape(org, handshake, "", "", ctx.now())["State"] not in _FINAL:
            if repo.find_membership(ctx.session, ctx.account_id) is not None:
                raise handshake_constraint("ALREADY_IN_AN_ORGANIZATION", _ALREADY_MEMBER)
            if organization_full(ctx, org, accepting=handshake):
                raise handshake_constraint("ACCOUNT_NUMBER_LIMIT_EXCEEDED", HANDSHAKE_LIMIT_MESSAGE)
        if features.is_request(handshake) and not features.ready_to_finalize(ctx, handshake):
            raise org_error("InvalidHandshakeTransitionException")
        _transition(ctx, org, handshake, "ACCEPTED")
        if handshake.action == "INVITE":
            add_member(ctx, org, ctx.account_id, "INVITED")
        else:
            features.accepted(ctx, org, handshake)
        return {"Handshake": _shape(ctx, org, handshake)}

    def decline_handshake(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org, handshake = _handshake(ctx, params["HandshakeId"], as_target=True)
        _transition(ctx, org, handshake, "DECLINED")
        return {"Handshake": _shape(ctx, org, handshake)}

    def cancel_handshake(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org, handshake = _handshake(ctx, params["HandshakeId"], as_target=False)
        if org.management_account_id != ctx.account_id:
            raise org_error("AccessDeniedException")
        _transition(ctx, org, handshake, "CANCELED")
        return {"Handshake": _shape(ctx, org, handshake)}

    def describe_handshake(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org, handshake = _handshake(ctx, params["HandshakeId"], as_target=False)
        return {"Handshake": _shape(ctx, org, handshake)}

    def list_handshakes_for_account(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        (action, parent_id), size = _filter(params), page_size(params)
        rows = repo.list_handshakes(ctx.session, target_ids=_caller_targets(ctx), action=action, parent_id=parent_id,
                                    after=decode_token(params.get("NextToken")), limit=size + 1)
        rows, token = finish_page(rows, size, lambda h: h.id)
        shapes = []
        for handshake in rows:
            org = repo.find_organization(ctx.session, handshake.org_id)
            if org is not None:
                shapes.append(_shape(ctx, org, handshake))
        return {"Handshakes": shapes, "NextToken": token}

    def list_handshakes_for_organization(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_or_delegate(ctx)
        (action, parent_id), size = _filter(params), page_size(params)
        rows = repo.list_handshakes(ctx.session, org_id=org.id, action=action, parent_id=parent_id,
                                    after=decode_token(params.get("NextToken")), limit=size + 1)
        rows, token = finish_page(rows, size, lambda h: h.id)
        return {"Handshakes": [_shape(ctx, org, h) for h in rows], "NextToken": token}
