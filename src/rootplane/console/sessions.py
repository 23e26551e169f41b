"""Server-side state behind the console's cookies: visitors on their way in, and signed-in console sessions.

Cookies carry only a random id (HttpOnly, SameSite=Strict, Secure over HTTPS and on loopback hosts, which
browsers treat as secure). Each state has its own CSRF token that every form must return. Console sessions end
after ``IDLE`` without a request or ``ABSOLUTE`` after sign-in, whichever comes first.
"""

from __future__ import annotations

import datetime as _dt
import hmac
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

__all__ = ["Visitor", "ConsoleSession", "StateTable", "IDLE", "ABSOLUTE", "VISITOR_LIFETIME", "csrf_matches",
           "SESSION_COOKIE", "VISITOR_COOKIE", "cookie_header", "clear_cookie_header"]

IDLE = _dt.timedelta(minutes=30)
ABSOLUTE = _dt.timedelta(hours=12)
VISITOR_LIFETIME = _dt.timedelta(minutes=15)
SESSION_COOKIE = "rp_console"
VISITOR_COOKIE = "rp_signin"
_LOOPBACK = ("localhost", "127.0.0.1", "[::1]")


def _token() -> str:
    return secrets.token_urlsafe(32)


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), given.encode())


@dataclass
class Visitor:
    """Someone signing in or recovering a password: what the previous steps established."""

    id: str = field(default_factory=_token)
    csrf: str = field(default_factory=_token)
    created: _dt.datetime | None = None
    email: str = ""
    # Set once the password was right: who is signing in (rootplane.console.signin.Identity) and what is left.
    identity: Any = None
    step: str = ""                      # "" | "mfa" | "register"
    enrolment: Any = None               # credentials used only to register root's first MFA device
    device_serial: str = ""
    device_seed: str = ""
    notice: str = ""

    def expired(self, now: _dt.datetime) -> bool:
        return self.created is not None and now - self.created > VISITOR_LIFETIME


@dataclass
class ConsoleSession:
    """A signed-in person: who, and the console session credentials the pages call the API with."""

    identity: Any
    credentials: dict[str, str]
    created: _dt.datetime
    last_seen: _dt.datetime
    id: str = field(default_factory=_token)
    csrf: str = field(default_factory=_token)
    flashes: list[tuple[str, str]] = field(default_factory=list)
    clients: dict[str, Any] = field(default_factory=dict)
    origin: Any = None  # rootplane.console.api.Origin the cached clients send as
    # A root e-mail change waiting for its one-time code: (new address, code, expiry).
    email_change: tuple[str, str, _dt.datetime] | None = None

    def expired(self, now: _dt.datetime) -> bool:
        return now - self.last_seen > IDLE or now - self.created > ABSOLUTE

    def flash(self, kind: str, message: str) -> None:
        self.flashes.append((kind, message))

    def take_flashes(self) -> list[tuple[str, str]]:
        flashes, self.flashes = self.flashes, []
        return flashes


S = TypeVar("S", Visitor, ConsoleSession)


class StateTable(Generic[S]):
    """Id -> state, thread-safe and bounded (the oldest entries go first when full)."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self._states: dict[str, S] = {}
        self._lock = threading.Lock()

    def add(self, state: S) -> S:
        with self._lock:
            while len(self._states) >= self.max_entries:
                self._states.pop(next(iter(self._states)))
            self._states[state.id] = state
        return state

    def get(self, state_id: str | None, now: _dt.datetime) -> S | None:
        """The live state of ``state_id`` (expired states are dropped)."""
        state = self._states.get(state_id or "")
        if state is not None and state.expired(now):
            self.remove(state.id)
            return None
        return state

    def remove(self, state_id: str) -> S | None:
        with self._lock:
            return self._states.pop(state_id, None)


def _secure(host: str, scheme: str) -> bool:
    return scheme == "https" or host.rsplit(":", 1)[0] in _LOOPBACK or host in _LOOPBACK


def cookie_header(name: str, value: str, host: str, scheme: str) -> str:
    parts = [f"{name}={value}", "Path=/console", "HttpOnly", "SameSite=Strict"]
    if _secure(host, scheme):
        parts.append("Secure")
    return "; ".join(parts)


def clear_cookie_header(name: str) -> str:
    return f"{name}=; Path=/console; Max-Age=0; HttpOnly; SameSite=Strict"
