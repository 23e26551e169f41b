"""One console request as a view sees it: the form, the person (or visitor), API clients, rendering."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from rootplane.auth.principal import Principal
from rootplane.console.api import Origin
from rootplane.console.events import SignInOrigin
from rootplane.console.sessions import ConsoleSession, Visitor

if TYPE_CHECKING:
    from rootplane.console.app import Console

__all__ = ["Page", "View", "error_text"]


def error_text(error: ClientError) -> str:
    """``Code: message`` of an API error, as the console shows it."""
    info = error.response.get("Error", {})
    return f"{info.get('Code', 'Error')}: {info.get('Message', '')}".rstrip(": ")


@dataclass
class Page:
    console: Console
    request: Request
    form: dict[str, str]
    now: _dt.datetime
    origin: Origin
    session: ConsoleSession | None = None
    visitor: Visitor | None = None
    set_cookies: list[str] = field(default_factory=list)

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def query(self) -> dict[str, str]:
        return dict(self.request.query_params)

    @property
    def base_url(self) -> str:
        return f"{self.request.url.scheme}://{self.request.url.netloc}"

    @property
    def identity(self):
        return self.session.identity if self.session is not None else None

    @property
    def event_origin(self) -> SignInOrigin:
        """Where the person is, as the console's own CloudTrail records name it."""
        return SignInOrigin(self.origin.source_ip, self.origin.user_agent, f"{self.base_url}/console/")

    def session_principal(self) -> Principal | None:
        """The principal of the console session's credentials (what the API sees the person as)."""
        credential = self.console.gateway.resolve(self.session.credentials["AccessKeyId"]) if self.session else None
        return credential.principal if credential is not None else None

    # -- the API, as the signed-in person ----------------------------------------------------------------------
    def api(self, service: str, credentials: dict[str, str] | None = None, region: str | None = None) -> Any:
        """A client for ``service`` signed with the console session's credentials (or the given ones)."""
        if credentials is not None:
            return self.console.api.client(service, credentials, self.origin, region)
        assert self.session is not None
        return self.console.api.session_client(service, self.session.credentials, self.origin, region)

    def attempt(self, call, *args, **kwargs) -> tuple[Any, str]:
        """(result, "") or (None, the API error's text)."""
        try:
            return call(*args, **kwargs), ""
        except ClientError as error:
            return None, error_text(error)
        except BotoCoreError as error:
            return None, str(error)

    # -- answers -----------------------------------------------------------------------------------------------
    def flash(self, kind: str, message: str) -> None:
        if self.session is not None:
            self.session.flash(kind, message)

    def render(self, template: str, status: int = 200, **values: Any) -> Response:
        csrf = self.session.csrf if self.session else (self.visitor.csrf if self.visitor else "")
        flashes = self.session.take_flashes() if self.session else []
        html = self.console.templates.get_template(template).render(
            csrf_token=csrf, identity=self.identity, flashes=flashes, now=self.now, **values)
        return self._finish(HTMLResponse(html, status_code=status))

    def redirect(self, path: str) -> Response:
        return self._finish(RedirectResponse(path, status_code=303))

    def _finish(self, response: Response) -> Response:
        for cookie in self.set_cookies:
            response.headers.append("set-cookie", cookie)
        response.headers["cache-control"] = "no-store"
        response.headers["x-frame-options"] = "DENY"
        response.headers["content-security-policy"] = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
        response.headers["referrer-policy"] = "no-referrer"
        return response


@dataclass(frozen=True)
class View:
    """A console page: its path, handler, methods, and whether it is for visitors (not signed in)."""

    path: str
    handler: Callable[[Page], Response]
    methods: tuple[str, ...] = ("GET",)
    public: bool = False
