"""Server-side state behind the console's cookies: visitors on their way in, and signed-in console sessions,
kept in the store (services/signin) so a restart or another server process on the same store keeps them.

Cookies carry only a random id (HttpOnly, SameSite=Strict, Secure over HTTPS and on loopback hosts, which
browsers treat as secure). Each state has its own CSRF token that every form must return. Console sessions end
after ``IDLE`` without a request or ``ABSOLUTE`` after sign-in, whichever comes first.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Generic, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from rootplane.console.signin import Identity
from rootplane.services.signin import repo as signin_repo
from rootplane.services.signin.tables import ConsoleStateRow

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
    passkey_challenge: str = ""         # the WebAuthn challenge of the MFA page, answered once

    def expired(self, now: _dt.datetime) -> bool:
        return self.created is not None and now - self.created > VISITOR_LIFETIME

    def expires_at(self) -> _dt.datetime:
        return self.created + VISITOR_LIFETIME


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
    # A root e-mail change waiting for its one-time code: (new address, code, expiry).
    email_change: tuple[str, str, _dt.datetime] | None = None
    passkey_challenge: str = ""  # the WebAuthn challenge of a passkey registration, answered once

    def expired(self, now: _dt.datetime) -> bool:
        return now - self.last_seen > IDLE or now - self.created > ABSOLUTE

    def expires_at(self) -> _dt.datetime:
        return min(self.last_seen + IDLE, self.created + ABSOLUTE)

    def flash(self, kind: str, message: str) -> None:
        self.flashes.append((kind, message))

    def take_flashes(self) -> list[tuple[str, str]]:
        flashes, self.flashes = self.flashes, []
        return flashes


S = TypeVar("S", Visitor, ConsoleSession)
_KINDS = {Visitor: "visitor", ConsoleSession: "session"}


def _digest(state_id: str) -> str:
    return hashlib.sha256(b"rootplane-console-state-id\0" + state_id.encode()).hexdigest()


def _sealing_key(state_id: str) -> AESGCM:
    return AESGCM(hashlib.sha256(b"rootplane-console-state-key\0" + state_id.encode()).digest())


def _when(value: _dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _at(value: str | None) -> _dt.datetime | None:
    return _dt.datetime.fromisoformat(value) if value else None


def _identity_of(value: dict | None) -> Identity | None:
    return Identity(**{**value, "mfa_serials": tuple(value["mfa_serials"])}) if value else None


def _encode(state: Visitor | ConsoleSession) -> dict:
    values = {f.name: getattr(state, f.name) for f in fields(state) if f.name != "id"}
    values["identity"] = asdict(state.identity) if state.identity is not None else None
    for name in ("created", "last_seen"):
        if name in values:
            values[name] = _when(values[name])
    if isinstance(state, ConsoleSession) and state.email_change is not None:
        email, code, expires = state.email_change
        values["email_change"] = [email, code, _when(expires)]
    return values


def _decode(kind: type[S], state_id: str, values: dict) -> S:
    values = {**values, "id": state_id, "identity": _identity_of(values.get("identity"))}
    for name in ("created", "last_seen"):
        if name in values:
            values[name] = _at(values[name])
    if kind is ConsoleSession:
        values["flashes"] = [tuple(flash) for flash in values.get("flashes", [])]
        pending = values.get("email_change")
        values["email_change"] = (pending[0], pending[1], _at(pending[2])) if pending else None
    return kind(**values)


class StateTable(Generic[S]):
    """Id -> state, in the store (services/signin): every server process sharing the store sees the same states.

    Only a digest of the id is stored, and the state is sealed (AES-256-GCM) under a key derived from the id, which
    only the person's cookie carries."""

    def __init__(self, store, kind: type[S]) -> None:
        self.store = store
        self.kind = kind
        self.kind_name = _KINDS[kind]

    def add(self, state: S) -> S:
        """Store a new state (and drop expired ones)."""
        digest, sealed = self._sealed(state)
        with self.store.transaction() as session:
            signin_repo.prune_states(session, state.created)
            signin_repo.add_state(session, ConsoleStateRow(id_sha256=digest, kind=self.kind_name, sealed=sealed,
                                                           expires_at=state.expires_at()))
        return state

    def save(self, state: S) -> None:
        """Write a request's changes (last seen, flashes, sign-in steps); a state removed meanwhile (signed out on
        another request or process) stays removed."""
        digest, sealed = self._sealed(state)
        with self.store.transaction() as session:
            signin_repo.update_state(session, digest, sealed, state.expires_at())

    def _sealed(self, state: S) -> tuple[str, bytes]:
        digest = _digest(state.id)
        nonce = secrets.token_bytes(12)
        plain = json.dumps(_encode(state), separators=(",", ":")).encode()
        return digest, nonce + _sealing_key(state.id).encrypt(nonce, plain, f"{self.kind_name}:{digest}".encode())

    def get(self, state_id: str | None, now: _dt.datetime) -> S | None:
        """The live state of ``state_id`` (expired states are dropped)."""
        if not state_id or len(state_id) > 128:
            return None
        digest = _digest(state_id)
        with self.store.transaction(write=False) as session:
            row = signin_repo.find_state(session, digest)
            found = (row.kind, row.sealed) if row is not None else None
        if found is None or found[0] != self.kind_name:
            return None
        try:
            plain = _sealing_key(state_id).decrypt(found[1][:12], found[1][12:], f"{self.kind_name}:{digest}".encode())
            state = _decode(self.kind, state_id, json.loads(plain))
        except (InvalidTag, ValueError, TypeError, KeyError):
            return None
        if state.expired(now):
            self.remove(state_id)
            return None
        return state

    def remove(self, state_id: str) -> None:
        with self.store.transaction() as session:
            signin_repo.delete_state(session, _digest(state_id))


def _secure(host: str, scheme: str) -> bool:
    return scheme == "https" or host.rsplit(":", 1)[0] in _LOOPBACK or host in _LOOPBACK


def cookie_header(name: str, value: str, host: str, scheme: str) -> str:
    parts = [f"{name}={value}", "Path=/console", "HttpOnly", "SameSite=Strict"]
    if _secure(host, scheme):
        parts.append("Secure")
    return "; ".join(parts)


def clear_cookie_header(name: str) -> str:
    return f"{name}=; Path=/console; Max-Age=0; HttpOnly; SameSite=Strict"
