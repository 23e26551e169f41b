"""Queries of the console's sign-in state. Writers lock what they read on PostgreSQL (``locks_rows``)."""

from __future__ import annotations

import datetime as _dt
import secrets

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rootplane.services.signin.tables import ConsoleSecretRow, ConsoleStateRow, PasskeyRow, SignInThrottleRow
from rootplane.store.engine import locks_rows

__all__ = ["find_state", "add_state", "update_state", "delete_state", "prune_states", "throttle_row", "delete_throttle",
           "prune_throttle", "find_secret", "ensure_secret",
           "list_passkeys", "find_passkey", "find_passkey_by_serial", "add_passkey", "delete_passkey"]


def find_state(session: Session, id_sha256: str) -> ConsoleStateRow | None:
    return session.get(ConsoleStateRow, id_sha256)


def add_state(session: Session, row: ConsoleStateRow) -> None:
    session.add(row)


def update_state(session: Session, id_sha256: str, sealed: bytes, expires_at: _dt.datetime) -> None:
    """Rewrite a stored state (nothing happens when it was deleted)."""
    session.execute(update(ConsoleStateRow).where(ConsoleStateRow.id_sha256 == id_sha256)
                    .values(sealed=sealed, expires_at=expires_at))


def delete_state(session: Session, id_sha256: str) -> None:
    session.execute(delete(ConsoleStateRow).where(ConsoleStateRow.id_sha256 == id_sha256))


def prune_states(session: Session, now: _dt.datetime) -> None:
    """Drop expired sessions and visitors (the table stays bounded by live states)."""
    session.execute(delete(ConsoleStateRow).where(ConsoleStateRow.expires_at < now))


def throttle_row(session: Session, key: str, created_at: _dt.datetime | None = None) -> SignInThrottleRow | None:
    """The throttle row of ``key`` (locked in writing transactions on PostgreSQL); with ``created_at``, a new one
    (no failures yet) when there is none."""
    statement = select(SignInThrottleRow).where(SignInThrottleRow.key == key)
    if locks_rows(session):
        statement = statement.with_for_update()
    row = session.scalars(statement).first()
    if row is None and created_at is not None:
        try:
            with session.begin_nested():
                row = SignInThrottleRow(key=key, failures=0, last_failure=created_at)
                session.add(row)
                session.flush()
        except IntegrityError:  # another server process counted this key first (PostgreSQL)
            row = session.scalars(statement).first()
    return row


def delete_throttle(session: Session, key: str) -> None:
    session.execute(delete(SignInThrottleRow).where(SignInThrottleRow.key == key))


def prune_throttle(session: Session, quiet_since: _dt.datetime, now: _dt.datetime) -> None:
    """Forget keys whose last failure is older than ``quiet_since`` and whose lock has ended."""
    session.execute(delete(SignInThrottleRow).where(
        SignInThrottleRow.last_failure < quiet_since,
        (SignInThrottleRow.locked_until.is_(None)) | (SignInThrottleRow.locked_until <= now)))


def find_secret(session: Session, name: str) -> bytes | None:
    row = session.get(ConsoleSecretRow, name)
    return row.value if row is not None else None


def ensure_secret(session: Session, name: str) -> bytes:
    """The console secret ``name``, created (32 random bytes) by whichever writer asks first."""
    value = find_secret(session, name)
    if value is not None:
        return value
    try:
        with session.begin_nested():
            session.add(ConsoleSecretRow(name=name, value=secrets.token_bytes(32)))
    except IntegrityError:  # another server process created it first (PostgreSQL)
        pass
    return find_secret(session, name)


def list_passkeys(session: Session, account_id: str) -> list[PasskeyRow]:
    return list(session.scalars(select(PasskeyRow).where(PasskeyRow.account_id == account_id)
                                .order_by(PasskeyRow.created_at)))


def find_passkey(session: Session, account_id: str, credential_id: str) -> PasskeyRow | None:
    row = session.get(PasskeyRow, credential_id)
    return row if row is not None and row.account_id == account_id else None


def find_passkey_by_serial(session: Session, account_id: str, serial_number: str) -> PasskeyRow | None:
    return session.scalar(select(PasskeyRow).where(PasskeyRow.account_id == account_id,
                                                   PasskeyRow.serial_number == serial_number))


def add_passkey(session: Session, row: PasskeyRow) -> None:
    session.add(row)
    session.flush()


def delete_passkey(session: Session, account_id: str, serial_number: str) -> bool:
    deleted = session.execute(delete(PasskeyRow).where(PasskeyRow.account_id == account_id,
                                                       PasskeyRow.serial_number == serial_number))
    return bool(deleted.rowcount)
