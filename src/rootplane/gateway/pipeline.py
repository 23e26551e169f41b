"""The request pipeline: detect -> authenticate -> parse+validate -> authorize -> handle -> serialize -> audit."""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from collections.abc import Callable
from typing import Any

from rootplane.audit.call import ApiCall
from rootplane.authz.checks import checks_for
from rootplane.core import ids
from rootplane.core.clock import Clock, SystemClock, utcnow
from rootplane.core.config import ServerConfig
from rootplane.core.errors import AwsError, internal_failure, not_implemented, service_unavailable
from rootplane.gateway.authenticate import authenticate, family_of, identify
from rootplane.gateway.bootstrap import key_aliases
from rootplane.gateway.credentials import CredentialCache, resolve_access_key
from rootplane.gateway.internal import handle_internal
from rootplane.gateway.invalidation import Invalidation
from rootplane.gateway.key_usage import KeyUsageRecorder
from rootplane.services.context import PollAgain, RequestContext
from rootplane.services.provider import find_handler, find_provider, is_storeless, takes_write_lock
from rootplane.store.engine import Store, StoreUnavailable
from rootplane.store.errors import is_lost_race
from rootplane.wire.detect import Route, detect
from rootplane.wire.http import HttpRequest, HttpResponse
from rootplane.wire.models import service_model
from rootplane.wire.protocols import protocol_for
from rootplane.wire.validate import validate

__all__ = ["Gateway"]

log = logging.getLogger("rootplane.gateway")

POLL_INTERVAL = 0.1  # seconds between runs of a long-polling request (RequestContext.poll_again)
# Runs again of a write that lost a race to another process (Gateway._run). A name other processes create and delete
# in turn can make a write lose several times in a row: 6 threads on 2 servers creating and deleting 6 alarms, one
# PutMetricAlarm in some thousands lost three times (2 re-runs answered it InternalFailure). A re-run happens only
# after another transaction's commit changed what this one wrote, so the bound is rarely reached.
RACE_RERUNS = 8

AuditSink = Callable[[ApiCall], None]


@functools.lru_cache(maxsize=None)
def _authorizer() -> Callable[[RequestContext, list, str], None]:
    from rootplane.authz.authorizer import authorize as authorize_checks

    return authorize_checks


def authorize(ctx: RequestContext, checks: list, protocol: str) -> None:
    """Raise AccessDenied unless every check is allowed (authz/authorizer.py). The policy engine loads with the
    first request that has a check to make: a GetCallerIdentity has none (issue #19: first answer); later ones
    find it without an import statement (which costs a microsecond even when the module is loaded)."""
    if checks:
        _authorizer()(ctx, checks, protocol)


# A served service of each protocol, whose error serializer answers requests for services rootplane does not serve.
_STAND_IN = {"json": "organizations", "query": "sts", "rest-json": "account", "rest-xml": "s3",
             "smithy-rpc-v2-cbor": "cloudwatch"}


def _foreign_service(route: Route) -> tuple[Route, AwsError]:
    """A request for a service rootplane does not serve: AWS's unknown-operation error in the client's protocol,
    naming the service and the operation."""
    protocol = route.protocol or "query"
    name, service = route.unknown_name or "", route.unknown_service or "unknown"
    message = f"rootplane does not serve the '{service}' service (operation {name})."
    code, status = {"query": ("InvalidAction", 400), "rest-json": ("UnknownOperationException", 404),
                    "smithy-rpc-v2-cbor": ("UnknownOperationException", 404),
                    "rest-xml": ("NotImplemented", 501)}.get(protocol, ("UnknownOperationException", 400))
    stand_in = Route(service=_STAND_IN.get(protocol, "sts"), operation=None, protocol=protocol, path_params={},
                     unknown_name=name, unknown_service=service)
    return stand_in, AwsError(code, message, status)


def _unknown_operation(route: Route) -> AwsError:
    name = route.unknown_name or ""
    if route.protocol == "query":
        version = service_model(route.service).api_version
        return AwsError("InvalidAction", f"Could not find operation {name} for version {version}", 400)
    if route.protocol == "ec2":
        return AwsError("InvalidAction", f"The action {name} is not valid for this web service.", 400)
    if route.protocol in ("rest-json", "smithy-rpc-v2-cbor"):
        return AwsError("UnknownOperationException", "Unknown operation", 404)
    if route.protocol == "rest-xml":
        method, _, path = name.partition(" ")  # S3 names the method and the resource's type
        resource = path.strip("/")
        kind = "OBJECT" if "/" in resource else "BUCKET" if resource else "SERVICE"
        return AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405,
                        fields={"Method": method, "ResourceType": kind})
    return AwsError("UnknownOperationException", f"Unknown operation {name}".strip(), 400)


def _served(route: Route) -> tuple[Route, AwsError | None]:
    """The route and None, or for a service rootplane does not serve a stand-in route speaking the client's
    protocol and the unknown-operation error it answers."""
    return (route, None) if route.service is not None else _foreign_service(route)


def _request_id(route: Route) -> str:
    """A new request id in the route's service's form: S3's 16 upper-hex digits, else a UUID."""
    return ids.s3_request_id() if route.protocol == "rest-xml" else ids.request_id()


def _unsigned_allowed(route: Route) -> bool:
    """Whether the route's operation is one its provider lists in ``unsigned_operations`` (served without SigV4)."""
    if route.operation is None:
        return False
    provider = find_provider(route.service)
    return route.operation.name in getattr(provider, "unsigned_operations", ())


class Gateway:
    """Turns an HttpRequest into an HttpResponse. Thread-safe; one instance per server process."""

    def __init__(self, store: Store, config: ServerConfig, clock: Clock | None = None) -> None:
        self.store = store
        self.config = config
        self.clock = clock or SystemClock()
        self.credentials = CredentialCache(ttl=config.credential_cache_seconds)
        self.invalidation = Invalidation(self)
        self.key_aliases = key_aliases(config)
        self.key_usage = KeyUsageRecorder(store)
        self.audit_sinks: list[AuditSink] = []
        self.init_progress = None  # an InitProgress while ``--init`` scripts run (server.run); health reports it
        # Sections optional pieces add to the health document (name -> current state): the audit writer's queue.
        self.health_reports: dict[str, Callable[[], dict]] = {}
        # Reset and restore (gateway/state.py): run before the state is replaced (drain queued writes) and after
        # (drop what was cached from the old state).
        self.before_state_change: list[Callable[[], None]] = []
        self.after_state_change: list[Callable[[], None]] = []

    # -- credentials -------------------------------------------------------------------------------------------
    def resolve(self, access_key_id: str):
        access_key_id = self.key_aliases.get(access_key_id, access_key_id)  # the bootstrap key's configured id

        def load():
            try:
                return resolve_access_key(self.store, access_key_id)
            except StoreUnavailable as exc:
                log.warning("store unavailable while resolving a key: %s", exc)
                raise service_unavailable(exc.disk_full) from None

        return self.credentials.get(access_key_id, load)

    # -- the pipeline ------------------------------------------------------------------------------------------
    def route(self, request: HttpRequest) -> Route | None:
        """Which service and operation a request is for (None for internal endpoints)."""
        return None if request.path.startswith("/_rootplane/") else detect(request)

    @staticmethod
    def may_wait(route: Route | None) -> bool:
        """True when the operation may wait (its provider lists it in ``waiting_operations``)."""
        if route is None or route.service is None or route.operation is None:
            return False
        provider = find_provider(route.service)
        return provider is not None and route.operation.name in provider.waiting_operations

    def admit_body(self, request: HttpRequest) -> tuple[HttpResponse | None, bool]:
        """Before a large body is read: ``(refusal, signed)`` from the headers and query string alone.

        ``refusal`` is the answer when authentication already fails without the body (malformed or missing
        signature, unknown or inactive key, wrong session token), so the body is never buffered; ``signed`` says
        whether the request claims a signature by a known key (False for anonymous S3 and internal requests).
        """
        if request.path.startswith("/_rootplane/"):
            return None, False
        route, foreign_error = _served(detect(request))
        try:
            if foreign_error is not None:
                raise foreign_error
            signed, _ = identify(request, family_of(route.protocol), self.resolve, _unsigned_allowed(route))
        except AwsError as error:
            return self._error_response(route, error, _request_id(route), request), False
        return None, signed is not None

    def handle(self, request: HttpRequest, route: Route | None = None) -> HttpResponse:
        if request.path.startswith("/_rootplane/"):
            return handle_internal(self, request)
        route, foreign_error = _served(route or detect(request))
        request_id = _request_id(route)
        protocol = protocol_for(route.protocol)
        call: ApiCall | None = None
        try:
            if foreign_error is not None:
                raise foreign_error
            now = self.clock.now()
            family = family_of(route.protocol)
            principal, signed, access_key_id = authenticate(
                request, family, self.resolve, utcnow(), now, unsigned_ok=_unsigned_allowed(route),
                signing_name=service_model(route.service).signing_name)
            if route.operation is None:
                raise _unknown_operation(route)
            operation = route.operation
            region = signed.region if signed is not None and signed.region else self.config.default_region  # SigV2: none
            params = protocol.parse(operation, request, route.path_params)
            call = ApiCall(
                request_id=request_id, service=route.service, operation=operation.name, region=region,
                principal=principal, event_time=now, source_ip=request.client_ip,
                user_agent=request.header("user-agent", "") or "", params=params,
                access_key_id=access_key_id, host=request.host,
            )
            if operation.input_shape is not None:
                validate(operation.input_shape, params, style=route.protocol, service=route.service,
                         refuse_nul=self.store.kind != "sqlite")
            handler = find_handler(route.service, operation.name)
            if handler is None:
                raise not_implemented(route.service, operation.name)
            result, ctx = self._run(handler, request, request_id, route, operation.name, region, principal, params, call)
            call.result = result
            self.invalidation.revoked(ctx.audit.pop("revoked_access_keys", ()))
            for callback in ctx.after_commit:
                self._safely(callback)
            response = protocol.serialize(operation, result or {}, request_id)
        except AwsError as error:
            if call is not None:
                call.error_code, call.error_message = error.code, error.message
            response = self._error_response(route, error, request_id, request)
        except StoreUnavailable as exc:
            log.warning("store unavailable in %s (request %s): %s", route.service, request_id, exc)
            error = service_unavailable(exc.disk_full)
            if call is not None:
                call.error_code, call.error_message = error.code, error.message
            response = self._error_response(route, error, request_id, request)
        except Exception:  # noqa: BLE001 - the one place that turns surprises into InternalFailure
            log.exception("unexpected failure in %s.%s (request %s)", route.service,
                          route.operation.name if route.operation else "?", request_id)
            error = internal_failure(request_id)
            if call is not None:
                call.error_code, call.error_message = error.code, error.message
            response = self._error_response(route, error, request_id, request)
        if call is not None:
            if call.access_key_id and not call.principal.is_temporary:
                self.key_usage.used(call.access_key_id, call.service, call.region, call.event_time)
            for sink in self.audit_sinks:
                self._safely(lambda sink=sink: sink(call))
        return response

    def _run(self, handler, *args):
        """Run the handler in a transaction; a long poll (PollAgain) re-runs it in fresh transactions, and so does a
        write that lost a race to another process on PostgreSQL (several workers' write transactions run side by side
        there: two PutRule or CreateTopic calls for one name both found none and a constraint refused the second
        insert, or an UpdateAlias updated or a DeleteBucket deleted a row another worker had deleted meanwhile), at
        most ``RACE_RERUNS`` times: the re-run sees the winner's write and answers as AWS does after it (an update,
        the existing topic, EntityAlreadyExists, NotFoundException, NoSuchBucket), instead of InternalFailure or a
        second success."""
        deadline: float | None = None
        reruns = 0
        while True:
            try:
                return self._run_once(handler, *args, poll_deadline=deadline)
            except PollAgain as again:
                deadline = again.deadline
                time.sleep(max(0.0, min(POLL_INTERVAL, deadline - time.monotonic())))
            except Exception as exc:  # noqa: BLE001 - only a lost race is run again; anything else propagates
                if self.store.kind != "postgresql" or reruns == RACE_RERUNS or not is_lost_race(exc):
                    raise
                reruns += 1
                args[-1].audit.clear()  # the ApiCall: what the lost attempt noted for its record is void

    def _run_once(self, handler, request, request_id, route, operation_name, region, principal, params, call,
                  poll_deadline):
        write = takes_write_lock(route.service, operation_name, params)
        refusal: AwsError | None = None
        storeless = is_storeless(route.service, operation_name, region)
        with contextlib.nullcontext(None) if storeless else self.store.transaction(write=write) as session:
            ctx = RequestContext(
                request_id=request_id, service=route.service, operation=operation_name, region=region,
                principal=principal, session=session, clock=self.clock, config=self.config,
                source_ip=request.client_ip, user_agent=request.header("user-agent", "") or "",
                host=request.host, secure_transport=request.scheme == "https",
            )
            ctx.audit = call.audit
            ctx.poll_deadline = poll_deadline
            ctx.authorizer = functools.partial(authorize, protocol=route.protocol)
            try:
                authorize(ctx, checks_for(ctx, route.service, operation_name, params), route.protocol)
                result = handler(ctx, params)
            except AwsError as error:
                if not ctx.keep_writes_on_error:
                    raise
                refusal = error  # committed below, then answered (e.g. a counted wrong MFA code)
        if refusal is not None:
            raise refusal
        return result, ctx

    def unavailable(self, request: HttpRequest, route: Route | None) -> HttpResponse:
        """503 ServiceUnavailable in the route's protocol: the store could not make a commit durable."""
        route, _ = _served(route or detect(request))
        error = AwsError("ServiceUnavailable", "The store could not make the write durable; retry.", 503)
        return self._error_response(route, error, _request_id(route), request)

    @staticmethod
    def _error_response(route: Route, error: AwsError, request_id: str, request: HttpRequest) -> HttpResponse:
        """``error`` serialized in the protocol of the route's service."""
        return protocol_for(route.protocol).serialize_error(service_model(route.service), route.operation, error,
                                                            request_id, request=request)

    @staticmethod
    def _safely(callback: Callable[[], Any]) -> None:
        try:
            callback()
        except Exception:  # noqa: BLE001 - a failing side effect must not fail the answered request
            log.exception("after-commit callback failed")
