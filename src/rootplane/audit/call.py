"""The facts of one API call, handed to audit sinks (CloudTrail) after the transaction ends."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

from rootplane.auth.principal import Principal

__all__ = ["ApiCall"]


@dataclass
class ApiCall:
    """An authenticated call, allowed or denied, successful or failed."""

    request_id: str
    service: str
    operation: str
    region: str
    principal: Principal
    event_time: _dt.datetime
    source_ip: str
    user_agent: str
    params: dict[str, Any]
    result: dict[str, Any] | None = None
    error_code: str | None = None
    error_message: str | None = None
    access_key_id: str | None = None
    audit: dict[str, Any] = field(default_factory=dict)
    host: str = ""
