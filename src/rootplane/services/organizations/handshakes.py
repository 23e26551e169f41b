"""Handshake rows: invitations and all-features requests."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from rootplane.services.organizations import names, repo
from rootplane.services.organizations.tables import HandshakeRow, OrganizationRow

__all__ = ["new_handshake", "HANDSHAKE_LIFETIME"]

HANDSHAKE_LIFETIME = _dt.timedelta(days=15)


def new_handshake(ctx: Any, org: OrganizationRow, action: str, target_id: str, target_type: str,
                  notes: str | None, parent_id: str | None = None) -> HandshakeRow:
    """An OPEN handshake that expires after 15 days, like AWS's."""
    now = ctx.now()
    handshake = HandshakeRow(id=names.new_handshake_id(), org_id=org.id, action=action, state="OPEN",
                             target_id=target_id, target_type=target_type, notes=notes, requested_at=now,
                             expires_at=now + HANDSHAKE_LIFETIME, parent_id=parent_id)
    repo.put(ctx.session, handshake)
    return handshake
