"""Rows of the console's sign-in state (services/signin/repo.py reads and writes them)."""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from rootplane.services.accounts import tables as _accounts_tables  # noqa: F401 - maps accounts (foreign keys)
from rootplane.store.base import Base, UtcDateTime

__all__ = ["ConsoleStateRow", "SignInThrottleRow", "ConsoleSecretRow", "PasskeyRow"]


class ConsoleStateRow(Base):
    """A console session or a visitor signing in. Only the SHA-256 of the cookie's random id is stored, and the
    state itself is sealed under a key derived from that id (console/sessions.py): the store alone opens nothing."""

    __tablename__ = "signin_console_states"

    id_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # session | visitor
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime(), index=True)


class SignInThrottleRow(Base):
    """Consecutive sign-in failures of one key (an account, a client address) and its back-off."""

    __tablename__ = "signin_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_failure: Mapped[_dt.datetime] = mapped_column(UtcDateTime(), index=True)


class ConsoleSecretRow(Base):
    """A random key of the console shared by every server process (the password recovery links' HMAC key)."""

    __tablename__ = "signin_secrets"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


class PasskeyRow(Base):
    """A root user's passkey (WebAuthn credential), an MFA device of the console: its public key and signature
    counter. ``serial_number`` is the device's ARN (``arn:aws:iam::<account>:u2f/root/<name>``)."""

    __tablename__ = "signin_passkeys"

    credential_id: Mapped[str] = mapped_column(String(1400), primary_key=True)  # base64url
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"),
                                            index=True)
    serial_number: Mapped[str] = mapped_column(String(256), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
