"""The document ``GET /_rootplane/health`` answers, while starting and once serving (standard library only)."""

from __future__ import annotations

from typing import Any

from rootplane import __version__
from rootplane.core.config import ServerConfig
from rootplane.core.services import SERVICES

__all__ = ["health_document"]


def health_document(config: ServerConfig, status: str) -> dict[str, Any]:
    """``status`` ("starting"; "initializing" while ``--init`` scripts run; "ok"; "degraded" while the store does
    not answer), version, store kind, served services and endpoint."""
    return {"status": status, "version": __version__, "store": config.store_kind, "services": list(SERVICES),
            "endpoint": config.endpoint}
