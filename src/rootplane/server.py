"""Assemble the server: store (migrated), bootstrap identity, gateway, audit sinks, ASGI app.

``run`` opens the port first and builds the rest on a thread (see ``rootplane.gateway.warmup``), so this module
imports the heavy parts only inside the functions that build them.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from typing import TYPE_CHECKING

from rootplane.core.collector import pause_collection, resume_collection_after
from rootplane.core.config import ServerConfig, is_loopback
from rootplane.core.malloc import share_arenas
from rootplane.gateway.health import health_document
from rootplane.gateway.warmup import WarmingApp

if TYPE_CHECKING:
    from rootplane.core.clock import Clock
    from rootplane.gateway.asgi import GatewayApp
    from rootplane.gateway.pipeline import Gateway
    from rootplane.store.engine import Store
    from rootplane.store.statistics import StatisticsKeeper

__all__ = ["build_gateway", "build_app", "run", "serve"]

log = logging.getLogger("rootplane")

# Optional pieces, each installed when its module exists: (module, function(gateway) that wires it in).
_PLUGINS = ("rootplane.audit.install", "rootplane.console.install", "rootplane.services.cloudwatch.install",
            "rootplane.services.sqs.install")


def _import_without(module: str, hidden: str) -> None:
    """Import ``module`` while the package ``hidden`` cannot be imported (it is importable again afterwards), for
    a module that imports ``hidden`` only to use it if present; nothing when either is already imported."""
    if module in sys.modules or hidden in sys.modules:
        return
    sys.modules[hidden] = None  # type: ignore[assignment] - makes ``import <hidden>`` raise ImportError
    try:
        importlib.import_module(module)
    finally:
        del sys.modules[hidden]


def _import_botocore_without_pyopenssl() -> None:
    """Import botocore's HTTP module while pyOpenSSL is hidden: botocore imports it (and with it cryptography's Rust
    library, about 10 MiB and 0.1 s) only to name the standard library's ``SSLContext``
    (``urllib3.contrib.pyopenssl.orig_util_SSLContext``); without it botocore takes ``urllib3.util.ssl_.SSLContext``,
    the same class. pyOpenSSL is importable again afterwards (the console's webauthn uses it)."""
    _import_without("botocore.httpsession", "OpenSSL")


def _import_uvicorn_without_watchfiles() -> None:
    """Import uvicorn while watchfiles is hidden: uvicorn imports it only for ``--reload``, which rootplane never
    runs, and takes its stat-polling reloader without it (watchfiles' Rust extension: 0.6 MiB resident)."""
    _import_without("uvicorn", "watchfiles")


def build_gateway(config: ServerConfig, clock: Clock | None = None) -> Gateway:
    """A ready gateway over a migrated, bootstrapped store."""
    _import_botocore_without_pyopenssl()
    from rootplane.core.clock import OffsetClock, SystemClock
    from rootplane.gateway.bootstrap import bootstrap
    from rootplane.gateway.pipeline import Gateway
    from rootplane.schema import lazy
    from rootplane.services import cached_tables  # noqa: F401 - publish cached tables' writes from the first commit
    from rootplane.store.engine import Store, sqlite_url

    clock = clock or (OffsetClock() if config.time_travel else SystemClock())
    store = Store(config.database_url or sqlite_url(config.data_dir), lazy())  # tables mapped when first needed
    with store.exclusive("rootplane.start"):  # workers and replicas starting together migrate and bootstrap in turn
        store.migrate()
        bootstrap(store, config, clock)
    if store.group_commit is not None:
        store.group_commit.sync_soon()  # on disk while the first request is served, not after it
    return Gateway(store, config, clock)


def _keep_statistics(store: Store) -> StatisticsKeeper:
    """Keep the PostgreSQL planner's statistics of the store's tables fresh until the keeper is closed (at exit at
    the latest)."""
    import atexit

    from rootplane.store.statistics import StatisticsKeeper

    keeper = StatisticsKeeper(store)
    keeper.start()
    atexit.register(keeper.close)
    return keeper


def build_app(config: ServerConfig, clock: Clock | None = None) -> GatewayApp:
    """The ASGI app over a built gateway, with the optional pieces (auditing, console) installed."""
    _import_botocore_without_pyopenssl()
    from rootplane.gateway.asgi import GatewayApp

    gateway = build_gateway(config, clock)
    app = GatewayApp(gateway)
    app.statistics = _keep_statistics(gateway.store)
    for name in _PLUGINS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
        module.install(app)
    return app


def _graceful_server(app: WarmingApp, config: ServerConfig):
    """A uvicorn server that finishes in-flight requests on SIGINT/SIGTERM and then exits with status 0."""
    import contextlib
    import functools
    import signal

    _import_uvicorn_without_watchfiles()
    import uvicorn

    class GracefulServer(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self):
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    # The source address and scheme are the connection's own (aws:SourceIp, aws:SecureTransport, CloudTrail's
    # sourceIPAddress); X-Forwarded-* count only from proxies the operator names. Without one, uvicorn's
    # proxy-headers middleware is not installed at all (its default trusts every client on 127.0.0.1).
    # No WebSocket endpoint exists: ws="none" spares importing a WebSocket library. Each response goes out in one
    # socket write, and small API calls are answered without ASGI (gateway/http_protocol.py).
    from rootplane.gateway.http_protocol import RootplaneHttpProtocol

    settings = uvicorn.Config(app, host=config.host, port=config.port, log_level="warning", lifespan="on",
                              http=functools.partial(RootplaneHttpProtocol, warming=app,
                                                     request_idle_seconds=config.request_idle_seconds),
                              ws="none", access_log=False,
                              proxy_headers=bool(config.trusted_proxies),
                              forwarded_allow_ips=list(config.trusted_proxies),
                              ssl_certfile=config.tls_cert, ssl_keyfile=config.tls_key,
                              timeout_keep_alive=config.keep_alive_seconds)
    return GracefulServer(settings)


def _banner(config: ServerConfig) -> list[str]:
    """What the server prints on start: where it really listens, and whom its bootstrap key lets in."""
    where = config.listen_url
    if config.endpoint != where:
        where += f" (clients: {config.endpoint})"
    workers = f", {config.workers} workers" if config.workers > 1 else ""
    lines = [f"rootplane listening on {where} (store: {config.store_kind}{workers})"]
    # The secret is shown only while it is the public default; a configured secret is never printed.
    secret = config.bootstrap_secret_key if config.uses_default_key else "(as configured)"
    lines.append(f"bootstrap account {config.bootstrap_account_id}, root user {config.root_email}, "
                 f"access key {config.bootstrap_access_key} / secret {secret}")
    if config.uses_default_key and not is_loopback(config.host):
        lines.append(f"WARNING: {config.host} is reachable from other machines and the root key is the public "
                     "default: anyone who reaches the port is this account's root user")
    if config.trusted_proxies:
        lines.append(f"trusting X-Forwarded-For/-Proto from {', '.join(config.trusted_proxies)}")
    return lines


def run(config: ServerConfig) -> None:
    """Serve until SIGINT/SIGTERM, then shut down cleanly; exit with status 1 if the server cannot be built.

    With ``config.workers`` > 1 the port is bound here and served by that many forked processes
    (rootplane/workers.py)."""
    share_arenas()  # before any thread starts (core/malloc.py)
    for line in _banner(config):
        print(line, flush=True)
    if config.workers > 1:
        from rootplane.workers import supervise

        sys.exit(supervise(config, serve))
    sys.exit(serve(config))


def serve(config: ServerConfig, sockets: list | None = None, run_init: bool = True) -> int:
    """One serving process (on ``sockets`` when given, else binding the port itself); its exit status."""
    progress = _init_progress(config) if run_init else None
    app = WarmingApp(resume_collection_after(lambda: _with_progress(build_app(config), progress)),
                     health_document(config, "starting"))
    server = _graceful_server(app, config)
    app.on_failure = lambda: setattr(server, "should_exit", True)
    init_failed = threading.Event()
    if progress is not None:
        threading.Thread(target=_initialize, args=(app, server, config, progress, init_failed),
                         name="rootplane-init", daemon=True).start()
    pause_collection()  # until the gateway is built (core/collector.py)
    app.start()
    server.run(sockets=sockets)
    built = app.wait()
    if built is None or init_failed.is_set():
        return 1
    built.statistics.close()
    built.gateway.invalidation.close()
    built.gateway.store.dispose()
    return 0


def _init_progress(config: ServerConfig):
    """The progress of ``--init`` scripts (health says "initializing" until they finish), or None without any."""
    if not config.init_dir:
        return None
    from rootplane.init_scripts import InitProgress, init_scripts

    return InitProgress(init_scripts(config.init_dir))


def _with_progress(app: GatewayApp, progress) -> GatewayApp:
    app.gateway.init_progress = progress
    return app


def _initialize(app: WarmingApp, server, config: ServerConfig, progress, failed: threading.Event) -> None:
    """Once the gateway is built and the port serves: run the init scripts; a failure stops a strict server."""
    import time

    from rootplane.init_scripts import run_init_scripts

    if app.wait() is None:
        return
    while not server.started and not server.should_exit:
        time.sleep(0.01)
    if not run_init_scripts(config, progress) and config.init_strict:
        log.error("rootplane init scripts failed (--init-strict): stopping")
        failed.set()
        server.should_exit = True
