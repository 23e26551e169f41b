"""The outbox keeps every message (GET /_rootplane/outbox) and relays it to --smtp-url (a local aiosmtpd server)."""

from __future__ import annotations

import time

import pytest
from aiosmtpd.controller import Controller

from harness import free_port, start_server


class Inbox:
    """aiosmtpd handler collecting (recipients, raw message)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture(scope="module")
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def _invite(running, email: str) -> str:
    orgs = running.client("organizations")
    orgs.create_organization()
    return orgs.invite_account_to_organization(Target={"Id": email, "Type": "EMAIL"})["Handshake"]["Id"]


def test_outbox_lists_and_relays(smtp):
    controller, inbox = smtp
    running = start_server(args=("--smtp-url", f"smtp://{controller.hostname}:{controller.port}"))
    try:
        handshake_id = _invite(running, "Invitee@Example.com")
        listed = running.get_json("/_rootplane/outbox?to=invitee@example.com")
        assert len(listed) == 1 and {"id", "to", "subject", "body", "sent_at"} <= set(listed[0])
        assert handshake_id in listed[0]["body"] and listed[0]["to"] == "Invitee@Example.com"
        assert running.get_json("/_rootplane/outbox?to=nobody@example.com") == []
        deadline = time.monotonic() + 5
        while not inbox.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        recipients, raw = inbox.messages[-1]
        assert recipients == ["Invitee@Example.com"] and "Subject: AWS Organizations invitation" in raw
    finally:
        running.close()


def test_failed_relay_never_fails_the_request():
    running = start_server(args=("--smtp-url", f"smtp://127.0.0.1:{free_port()}"))
    try:
        _invite(running, "lost@example.com")
        assert running.get_json("/_rootplane/outbox")[-1]["to"] == "lost@example.com"
    finally:
        running.close()
