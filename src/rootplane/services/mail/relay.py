"""Relay a message to an SMTP server given as ``smtp://[user:password@]host[:port]`` (``smtps://`` for TLS)."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

__all__ = ["relay"]

log = logging.getLogger("rootplane.mail")

SENDER = "no-reply@rootplane.local"


def relay(smtp_url: str, to: str, subject: str, body: str, timeout: float = 10.0) -> bool:
    """Send one message; returns False (and logs, without the body) when the relay fails."""
    url = urlsplit(smtp_url)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = SENDER, to, subject
    message.set_content(body)
    secure = url.scheme == "smtps"
    port = url.port or (465 if secure else 25)
    try:
        client_class = smtplib.SMTP_SSL if secure else smtplib.SMTP
        with client_class(url.hostname or "127.0.0.1", port, timeout=timeout) as client:
            if url.username:
                client.login(unquote(url.username), unquote(url.password or ""))
            client.send_message(message)
        return True
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("SMTP relay to %s:%s failed for a message to %s: %s", url.hostname, port, to, type(exc).__name__)
        return False
