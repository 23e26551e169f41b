"""Enabling all features: the management account's request, every invited member's approval, the final step.

AWS: EnableAllFeatures sends an ENABLE_ALL_FEATURES handshake to every invited account; once all of them accepted,
Organizations sends APPROVE_ALL_FEATURES to the management account, which finalizes by accepting it (or the
ENABLE_ALL_FEATURES request itself). Accounts created by the organization need no approval.
"""

from __future__ import annotations

from typing import Any

from rootplane.services.accounts import repo as accounts
from rootplane.services.mail.outbox import send
from rootplane.services.organizations import repo
from rootplane.services.organizations.errors import handshake_constraint
from rootplane.services.organizations.handshakes import new_handshake
from rootplane.services.organizations.tables import HandshakeRow, OrganizationRow

__all__ = ["request_all_features", "accepted", "ready_to_finalize", "is_request", "pending_request"]

ENABLE = "ENABLE_ALL_FEATURES"
APPROVE = "APPROVE_ALL_FEATURES"


def is_request(handshake: HandshakeRow) -> bool:
    """The management account's own ENABLE_ALL_FEATURES request (its party is the organization)."""
    return handshake.action == ENABLE and handshake.parent_id is None


def pending_request(ctx: Any, org: OrganizationRow) -> HandshakeRow | None:
    """The organization's ENABLE_ALL_FEATURES request still in progress (open, not expired), if any."""
    for existing in repo.list_handshakes(ctx.session, org_id=org.id, target_ids=(org.id,), action=ENABLE, limit=100):
        if existing.state in ("REQUESTED", "OPEN") and existing.expires_at > ctx.now():
            return existing
    return None


def request_all_features(ctx: Any, org: OrganizationRow) -> HandshakeRow:
    """The request plus one approval handshake per invited member (APPROVE_ALL_FEATURES at once when none). The
    request is REQUESTED while members have still to answer, OPEN once all have (API_Handshake.html's State)."""
    if pending_request(ctx, org) is not None:
        raise handshake_constraint("ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION",
                                   "The handshake request is invalid because the organization has already started the "
                                   "process to enable all features.")
    request = new_handshake(ctx, org, ENABLE, org.id, "ORGANIZATION", None)
    members = repo.invited_member_ids(ctx.session, org.id)
    if members:
        request.state = "REQUESTED"
    for account_id in members:
        approval = new_handshake(ctx, org, ENABLE, account_id, "ACCOUNT", None, parent_id=request.id)
        account = accounts.find_account(ctx.session, account_id)
        if account is not None:
            send(ctx, account.email, "AWS Organizations: approve enabling all features",
                 f"Organization {org.id} asks your account {account_id} to approve enabling all features. "
                 f"Handshake: {approval.id}.")
    if not members:
        new_handshake(ctx, org, APPROVE, org.management_account_id, "ACCOUNT", None, parent_id=request.id)
    return request


def ready_to_finalize(ctx: Any, request: HandshakeRow) -> bool:
    """Every invited member approved (the APPROVE_ALL_FEATURES handshake exists)."""
    return any(child.action == APPROVE for child in repo.list_child_handshakes(ctx.session, request.id))


def accepted(ctx: Any, org: OrganizationRow, handshake: HandshakeRow) -> None:
    """React to an accepted all-features handshake: a member approval, or the management account's final step."""
    if handshake.action == ENABLE and handshake.parent_id is not None:
        children = repo.list_child_handshakes(ctx.session, handshake.parent_id)
        request = repo.find_handshake(ctx.session, handshake.parent_id)
        if all(child.state == "ACCEPTED" for child in children):
            new_handshake(ctx, org, APPROVE, org.management_account_id, "ACCOUNT", None,
                          parent_id=handshake.parent_id)
            if request is not None and request.state == "REQUESTED":
                request.state = "OPEN"
        return
    request = handshake if is_request(handshake) else repo.find_handshake(ctx.session, handshake.parent_id or "")
    for step in [request, *repo.list_child_handshakes(ctx.session, request.id)] if request is not None else []:
        if step.action in (ENABLE, APPROVE) and step.state == "OPEN":
            step.state = "ACCEPTED"
    org.feature_set = "ALL"
