"""Internal endpoints under /_rootplane/: health, mail outbox. Not AWS APIs, not signed."""

from __future__ import annotations

import json
from typing import Any

from rootplane.authz.gather import source
from rootplane.gateway.health import health_document
from rootplane.gateway.state import STATE_ROUTES
from rootplane.wire.http import HttpRequest, HttpResponse

__all__ = ["handle_internal", "json_response"]


def json_response(data: Any, status: int = 200) -> HttpResponse:
    body = json.dumps(data, indent=1, default=str).encode()
    return HttpResponse(status, [("Content-Type", "application/json")], body)


def _health(gateway, request: HttpRequest) -> HttpResponse:
    return json_response(health_document(gateway.config, "ok"))


def _outbox(gateway, request: HttpRequest) -> HttpResponse:
    mail = source("rootplane.services.mail.outbox")
    if mail is None:
        return json_response([])
    with gateway.store.transaction(write=False) as session:
        return json_response(mail.list_messages(session, request.query.get("to")))


def _clock(gateway, request: HttpRequest) -> HttpResponse:
    """Test servers (``--time-travel``): POST {"advance": seconds} moves the business clock forward."""
    if request.method == "POST":
        if not gateway.config.time_travel or not hasattr(gateway.clock, "advance"):
            return json_response({"error": "time travel is disabled (start the server with --time-travel)"}, 403)
        try:
            seconds = float(json.loads(request.body or b"{}").get("advance", 0))
        except (ValueError, TypeError, AttributeError):
            return json_response({"error": "body must be {\"advance\": seconds}"}, 400)
        gateway.clock.advance(seconds)
        gateway.credentials.forget()
    return json_response({"now": gateway.clock.now().isoformat()})


def _sns_certificate(gateway, request: HttpRequest) -> HttpResponse:
    """The certificate SNS message signatures verify against (SigningCertURL)."""
    signing = source("rootplane.services.sns.signing")
    if signing is None:
        return json_response({"error": "not found", "path": request.path}, 404)
    with gateway.store.transaction() as session:
        pem = signing.certificate_pem(session)
    return HttpResponse(200, [("Content-Type", "application/x-pem-file")], pem.encode())


_ROUTES = {"/_rootplane/health": _health, "/_rootplane/outbox": _outbox, "/_rootplane/clock": _clock,
           "/_rootplane/sns/SimpleNotificationService.pem": _sns_certificate}
_METHODS = {"/_rootplane/clock": ("GET", "POST")}
_ROUTES.update(STATE_ROUTES)  # reset, snapshot, restore (gateway/state.py)
_METHODS.update(dict.fromkeys(STATE_ROUTES, ("POST",)))


def handle_internal(gateway, request: HttpRequest) -> HttpResponse:
    path = request.path.rstrip("/") or request.path
    route = _ROUTES.get(path)
    if route is None or request.method not in _METHODS.get(path, ("GET", "HEAD")):
        return json_response({"error": "not found", "path": request.path}, 404)
    return route(gateway, request)
