"""The server's public endpoint and SMTP relay, for SNS deliveries that start outside a request (EventBridge targets,
CloudWatch alarm actions). Set once at start-up by the audit installer; a module of its own, so that setting them
loads no delivery code (issue #19: start-up builds only what the first request needs)."""

from __future__ import annotations

__all__ = ["configure", "endpoint", "smtp_url"]

_settings: dict[str, str | None] = {"endpoint": "http://localhost:4566", "smtp_url": None}


def configure(public_endpoint: str, relay_url: str | None) -> None:
    """Called once at start-up by the audit installer."""
    _settings.update(endpoint=public_endpoint, smtp_url=relay_url)


def endpoint() -> str:
    return _settings["endpoint"] or ""


def smtp_url() -> str | None:
    return _settings["smtp_url"]
