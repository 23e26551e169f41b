"""``rootplane serve --workers N``: N forked processes serving one listening socket (PostgreSQL stores only).

The supervisor binds the port, forks the workers (each builds its own gateway: migration and bootstrap run one
worker at a time under a PostgreSQL advisory lock) and waits. SIGINT/SIGTERM are passed on to every worker, which
finishes its in-flight requests. A worker that dies while the server runs (a crash, a kill) is replaced; one that
fails to start stops the whole server with status 1. Init scripts run once, in the first worker.
Standard library only: nothing heavy is imported before the fork.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from collections.abc import Callable

from rootplane.core.config import ServerConfig

__all__ = ["supervise", "bind"]

#: A worker that exits within this many seconds of its start failed to start (not a crash to recover from).
_START_GRACE = 10.0
_BACKLOG = 2048


def bind(config: ServerConfig) -> socket.socket:
    """The listening socket every worker accepts on."""
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((config.host, config.port))
    sock.listen(_BACKLOG)
    sock.set_inheritable(True)
    return sock


def supervise(config: ServerConfig, serve: Callable[..., int]) -> int:
    """Run ``config.workers`` processes of ``serve(config, sockets, run_init)`` until stopped; the exit status."""
    sock = bind(config)
    workers: dict[int, float] = {}
    stopping = False

    def start(first: bool) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            status = 1
            try:
                for sig in (signal.SIGINT, signal.SIGTERM):
                    signal.signal(sig, signal.SIG_DFL)
                status = serve(config, sockets=[sock], run_init=first)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status)
        workers[pid] = time.monotonic()

    def stop(_signum=None, _frame=None) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(workers):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    for index in range(config.workers):
        start(first=index == 0)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    status = 0
    while workers:
        try:
            pid, wait_status = os.wait()
        except ChildProcessError:
            break
        started = workers.pop(pid, None)
        if started is None or stopping:
            continue
        code = os.waitstatus_to_exitcode(wait_status)
        if code > 0 and time.monotonic() - started < _START_GRACE:
            print(f"rootplane worker {pid} failed to start (status {code}): stopping", file=sys.stderr, flush=True)
            status = 1
            stop()
            continue
        print(f"rootplane worker {pid} ended (status {code}): starting another", file=sys.stderr, flush=True)
        start(first=False)
    sock.close()
    return status
