"""AWS Organizations operations (JSON 1.1), one mixin per area."""

from __future__ import annotations

from rootplane.services.organizations.access_ops import AccessOperations
from rootplane.services.organizations.account_ops import AccountOperations
from rootplane.services.organizations.delegation import ResourcePolicyOperations
from rootplane.services.organizations.handshake_ops import HandshakeOperations
from rootplane.services.organizations.organization_ops import OrganizationOperations
from rootplane.services.organizations.policy_ops import PolicyOperations
from rootplane.services.organizations.tags import TagOperations
from rootplane.services.organizations.unit_ops import UnitOperations
from rootplane.services.provider import Provider

__all__ = ["OrganizationsProvider", "PROVIDER"]


class OrganizationsProvider(OrganizationOperations, UnitOperations, AccountOperations, PolicyOperations,
                            AccessOperations, HandshakeOperations, TagOperations, ResourcePolicyOperations,
                            Provider):
    service_name = "organizations"


PROVIDER = OrganizationsProvider()
