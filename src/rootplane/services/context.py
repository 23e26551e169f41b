"""What a service handler gets: the caller, the transaction, the clock; never HTTP."""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rootplane.auth.principal import Principal
from rootplane.core.clock import Clock
from rootplane.core.config import ServerConfig

if TYPE_CHECKING:  # annotations only: the ORM loads with the first session (issue #19)
    from sqlalchemy.orm import Session

__all__ = ["RequestContext", "Handler", "PollAgain"]


class PollAgain(Exception):
    """Raised by :meth:`RequestContext.poll_again`: roll back, wait a moment, run the request again."""

    def __init__(self, deadline: float) -> None:
        super().__init__("poll again")
        self.deadline = deadline


@dataclass
class RequestContext:
    """One request as a handler sees it.

    ``session`` is the open store transaction (committed after the handler returns, rolled back on error); None
    for the provider's ``storeless_operations``.
    ``after_commit`` callbacks run once the transaction has committed (mail, deliveries, cache invalidation).
    ``audit`` collects facts for the CloudTrail record (e.g. resources touched, redacted response elements).
    """

    request_id: str
    service: str
    operation: str
    region: str
    principal: Principal
    session: Session
    clock: Clock
    config: ServerConfig
    source_ip: str = "127.0.0.1"
    user_agent: str = ""
    host: str = ""
    secure_transport: bool = False
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    audit: dict[str, Any] = field(default_factory=dict)
    # Set by the gateway: authorize extra actions inside a handler (e.g. CopyObject's source) as
    # ``ctx.authorizer(ctx, checks)``. It takes the context as an argument rather than closing over it: a context
    # holding a closure over itself is a reference cycle, which kept the request's session and every row it loaded
    # alive until a full garbage collection (issue #19: RSS after a read load).
    authorizer: Callable[[RequestContext, list[Any]], None] | None = None
    # Set by the gateway when it re-runs a long poll: the time.monotonic() at which waiting ends.
    poll_deadline: float | None = None
    # Set by a handler whose refusal must still be stored (a counted wrong MFA code): the gateway commits the
    # transaction, then answers the error. Set it before anything else is written.
    keep_writes_on_error: bool = False

    @property
    def account_id(self) -> str:
        """The account the caller acts in (the target member account for root sessions)."""
        return self.principal.account_id

    def now(self) -> _dt.datetime:
        return self.clock.now()

    def on_commit(self, callback: Callable[[], None]) -> None:
        self.after_commit.append(callback)

    def poll_again(self, seconds: float) -> None:
        """Long polling (SQS WaitTimeSeconds): nothing to return yet, so end this transaction and have the gateway
        run the request again shortly, in a fresh transaction that sees newer commits. Returns normally once
        ``seconds`` have passed since the first run, so the handler can answer with what it has.
        """
        deadline = self.poll_deadline if self.poll_deadline is not None else time.monotonic() + seconds
        if time.monotonic() < deadline:
            raise PollAgain(deadline)


Handler = Callable[[RequestContext, dict[str, Any]], dict[str, Any] | None]
