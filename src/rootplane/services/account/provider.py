"""AWS Account Management operations (rest-json), one mixin per area."""

from __future__ import annotations

from rootplane.services.account.account_ops import AccountOperations
from rootplane.services.account.contact_ops import ContactOperations
from rootplane.services.account.phone_ops import PhoneOperations
from rootplane.services.account.region_ops import RegionOperations
from rootplane.services.provider import Provider

__all__ = ["AccountProvider", "PROVIDER"]


class AccountProvider(AccountOperations, ContactOperations, PhoneOperations, RegionOperations, Provider):
    service_name = "account"


PROVIDER = AccountProvider()
