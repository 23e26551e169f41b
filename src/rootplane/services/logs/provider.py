"""Amazon CloudWatch Logs operations (one class per family: groups and streams, events, metric filters, resource
policies)."""

from __future__ import annotations

from rootplane.services.logs.event_ops import EventOperations
from rootplane.services.logs.filter_ops import FilterOperations
from rootplane.services.logs.group_ops import GroupOperations
from rootplane.services.logs.policy_ops import PolicyOperations
from rootplane.services.provider import Provider

__all__ = ["LogsProvider", "PROVIDER"]


class LogsProvider(GroupOperations, EventOperations, FilterOperations, PolicyOperations, Provider):
    service_name = "logs"


PROVIDER = LogsProvider()
