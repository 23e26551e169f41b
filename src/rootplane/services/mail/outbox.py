"""The outbox: ``send`` stores a message in the request's transaction and relays it after commit."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rootplane.services.mail.relay import relay
from rootplane.services.mail.tables import MailMessageRow
from rootplane.store.engine import on_commit

__all__ = ["send", "send_text_message", "send_message", "list_messages"]

LIST_LIMIT = 1000


def send(ctx: Any, to: str, subject: str, body: str) -> None:
    """Queue a message: stored now, relayed to ``ctx.config.smtp_url`` (if set) once the transaction commits."""
    ctx.session.add(MailMessageRow(recipient=to, subject=subject, body=body, sent_at=ctx.now()))
    smtp_url = getattr(ctx.config, "smtp_url", None)
    if smtp_url:
        # Relay in the background: a slow or unreachable SMTP server never delays or fails the request.
        ctx.on_commit(lambda: threading.Thread(target=relay, args=(smtp_url, to, subject, body), daemon=True).start())


def send_text_message(ctx: Any, phone_number: str, body: str) -> None:
    """An SMS: kept in the outbox under the phone number (``/_rootplane/outbox?to=+1...``), never relayed by SMTP."""
    ctx.session.add(MailMessageRow(recipient=phone_number, subject="SMS", body=body, channel="sms", sent_at=ctx.now()))


def send_message(session: Session, to: str, subject: str, body: str, now, smtp_url: str | None) -> None:
    """Like ``send`` outside a request (audit writer, SNS): stored in ``session``, relayed after its commit."""
    session.add(MailMessageRow(recipient=to, subject=subject, body=body, sent_at=now))
    if smtp_url:
        on_commit(session, lambda: relay(smtp_url, to, subject, body))


def list_messages(session: Session, to: str | None) -> list[dict[str, Any]]:
    """The latest messages (oldest first), optionally only those sent to ``to`` (case-insensitive)."""
    query = select(MailMessageRow).order_by(MailMessageRow.id.desc()).limit(LIST_LIMIT)
    if to:
        query = query.where(func.lower(MailMessageRow.recipient) == to.strip().lower())
    rows = reversed(list(session.scalars(query)))
    return [
        {"id": row.id, "channel": row.channel, "to": row.recipient, "subject": row.subject, "body": row.body,
         "sent_at": row.sent_at.isoformat()}
        for row in rows
    ]
