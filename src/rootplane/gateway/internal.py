"""Internal endpoints under /_rootplane/: health, mail outbox, test clock, SNS certificate, CloudTrail events' deciding
statements. Not AWS APIs, not signed.

With ``--internal-token`` every one of them except health (probes) and the SNS signing certificate (public, fetched
by subscribers that verify SNS signatures, as AWS serves it) needs ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from rootplane.core.services import optional_module
from rootplane.gateway.health import health_document
from rootplane.gateway.state import STATE_ROUTES
from rootplane.store.engine import StoreUnavailable
from rootplane.wire.http import HttpRequest, HttpResponse

__all__ = ["handle_internal", "json_response"]


def json_response(data: Any, status: int = 200) -> HttpResponse:
    body = json.dumps(data, indent=1, default=str).encode()
    return HttpResponse(status, [("Content-Type", "application/json")], body)


def _health(gateway, request: HttpRequest) -> HttpResponse:
    """503 "degraded" (and why) while the store does not answer. Else "ok" (200) once serving; with ``--init``
    scripts, "initializing" (503) until every script has run (and "failed" (503) when one failed under
    ``--init-strict``: the server is stopping), their states under ``init`` as LocalStack's
    ``/_localstack/init/ready`` reports them. Each document carries the sections in ``gateway.health_reports``
    (``audit``: the CloudTrail writer's queue, whether it waits for the store, calls it dropped)."""
    reports = {name: report() for name, report in gateway.health_reports.items()}
    problem = gateway.store.ping()
    if problem is not None:
        return json_response({**health_document(gateway.config, "degraded"), "problem": f"store: {problem}",
                              **reports}, 503)
    progress = gateway.init_progress
    if progress is None:
        return json_response({**health_document(gateway.config, "ok"), **reports})
    init = progress.document()
    status = "initializing" if not progress.completed else "failed" if (
        not progress.ok and gateway.config.init_strict) else "ok"
    return json_response({**health_document(gateway.config, status), "init": init, **reports},
                         200 if status == "ok" else 503)


def _outbox(gateway, request: HttpRequest) -> HttpResponse:
    mail = optional_module("rootplane.services.mail.outbox")
    if mail is None:
        return json_response([])
    with gateway.store.transaction(write=False) as session:
        return json_response(mail.list_messages(session, request.query.get("to")))


_MAX_DECISION_IDS = 500


def _decisions(gateway, request: HttpRequest) -> HttpResponse:
    """``?ids=<eventID>,...``: each CloudTrail event's deciding statement (what authorization decided, kept beside
    the record, never in it), for ``rootplane policy stream``. Event ids are the caller's own, from LookupEvents."""
    repo = optional_module("rootplane.services.cloudtrail.repo")
    history = optional_module("rootplane.services.cloudtrail.history")
    ids = [i for i in (request.query.get("ids") or "").split(",") if i][:_MAX_DECISION_IDS]
    if repo is None or history is None or not ids:
        return json_response({})
    with gateway.store.transaction(write=False) as session, history.reading(session) as reader:
        return json_response(repo.deciding_statements(reader, ids))


def _advance_seconds(body: bytes) -> float:
    """The ``advance`` of a clock request: a JSON number (ValueError otherwise; the clock checks its range)."""
    try:
        document = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("body must be JSON: {\"advance\": seconds}") from exc
    seconds = document.get("advance", 0) if isinstance(document, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise ValueError("body must be {\"advance\": seconds} with a number of seconds")
    try:
        return float(seconds)
    except OverflowError as exc:
        raise ValueError("advance is too large") from exc


def _freeze(body: bytes) -> bool | None:
    """The optional ``freeze`` of a clock request (true: the clock stands still; false: it runs again)."""
    document = json.loads(body or b"{}")
    frozen = document.get("freeze") if isinstance(document, dict) else None
    if frozen is not None and not isinstance(frozen, bool):
        raise ValueError("freeze must be true or false")
    return frozen


def _clock(gateway, request: HttpRequest) -> HttpResponse:
    """Test servers (``--time-travel``): POST {"advance": seconds} moves the business clock forward;
    {"freeze": true} stops it (replays of recordings judge answers to the second), {"freeze": false} restarts it."""
    if request.method == "POST":
        if not gateway.config.time_travel or not hasattr(gateway.clock, "advance"):
            return json_response({"error": "time travel is disabled (start the server with --time-travel)"}, 403)
        try:
            seconds = _advance_seconds(request.body)
            frozen = _freeze(request.body)
            gateway.clock.advance(seconds)
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)
        if frozen is not None:
            gateway.clock.freeze(frozen)
        gateway.credentials.forget()
    return json_response({"now": gateway.clock.now().isoformat()})


def _sns_certificate(gateway, request: HttpRequest) -> HttpResponse:
    """The certificate SNS message signatures verify against (SigningCertURL)."""
    signing = optional_module("rootplane.services.sns.signing")
    if signing is None:
        return json_response({"error": "not found", "path": request.path}, 404)
    with gateway.store.transaction() as session:
        pem = signing.certificate_pem(session)
    return HttpResponse(200, [("Content-Type", "application/x-pem-file")], pem.encode())


_ROUTES = {"/_rootplane/health": _health, "/_rootplane/outbox": _outbox, "/_rootplane/clock": _clock,
           "/_rootplane/cloudtrail/decisions": _decisions,
           "/_rootplane/sns/SimpleNotificationService.pem": _sns_certificate}
_METHODS = {"/_rootplane/clock": ("GET", "POST")}
_ROUTES.update(STATE_ROUTES)  # reset, snapshot, restore (gateway/state.py)
_METHODS.update(dict.fromkeys(STATE_ROUTES, ("POST",)))
_OPEN = frozenset({"/_rootplane/health", "/_rootplane/sns/SimpleNotificationService.pem"})


def _authorized(token: str | None, request: HttpRequest) -> bool:
    """Whether the request carries the bearer token (constant-time comparison); always True without a token."""
    if token is None:
        return True
    scheme, _, presented = (request.header("authorization") or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), token.encode())


def handle_internal(gateway, request: HttpRequest) -> HttpResponse:
    path = request.path.rstrip("/") or request.path
    if path not in _OPEN and not _authorized(gateway.config.internal_token, request):
        response = json_response({"error": "unauthorized: send Authorization: Bearer <internal token>"}, 401)
        response.set_header("WWW-Authenticate", 'Bearer realm="rootplane"')
        return response
    route = _ROUTES.get(path)
    if route is None or request.method not in _METHODS.get(path, ("GET", "HEAD")):
        return json_response({"error": "not found", "path": request.path}, 404)
    try:
        return route(gateway, request)
    except StoreUnavailable as exc:
        return json_response({"error": f"the store is unavailable: {exc}"}, 503)
