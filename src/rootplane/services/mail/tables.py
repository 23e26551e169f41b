"""Rows: every message the server has sent."""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rootplane.store.base import Base, UtcDateTime

__all__ = ["MailMessageRow"]


class MailMessageRow(Base):
    """One sent message (the outbox keeps them all; ``/_rootplane/outbox`` lists them)."""

    __tablename__ = "mail_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recipient: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str] = mapped_column(String(998))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    channel: Mapped[str] = mapped_column(String(8), default="email", server_default="email")  # email | sms
