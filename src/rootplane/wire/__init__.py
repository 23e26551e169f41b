"""Server-side AWS wire layer: detect service/operation, parse requests, serialize responses, validate input.

Everything is driven by botocore's service models; there are no per-operation templates.
"""

from __future__ import annotations

from .detect import Route, detect
from .models import SERVICES, service_model
from .protocols import Protocol, protocol_for

__all__ = ["SERVICES", "service_model", "Route", "detect", "Protocol", "protocol_for"]
