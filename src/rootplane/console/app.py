"""The console's ASGI app: routing, cookies, CSRF, then the view on a worker thread (views call the API)."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import parse_qsl

import anyio.to_thread
import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from rootplane.console import (
    views_account, views_activity, views_iam, views_passkeys, views_root_access, views_signin, views_support,
)
from rootplane.console.api import ApiClients, Origin
from rootplane.console.page import Page, View
from rootplane.console.recovery import Recovery
from rootplane.console.sessions import (
    SESSION_COOKIE, VISITOR_COOKIE, ConsoleSession, StateTable, Visitor, cookie_header, csrf_matches,
)
from rootplane.console.throttle import Throttle

__all__ = ["Console"]

log = logging.getLogger("rootplane.console")

_HERE = Path(__file__).parent
MAX_FORM = 256 * 1024


class Console:
    """The console's parts (its state lives in the store) and the ASGI app that serves ``/console``."""

    def __init__(self, gateway) -> None:
        self.gateway = gateway
        self.clock = gateway.clock
        self.store = gateway.store
        self.sessions: StateTable[ConsoleSession] = StateTable(self.store, ConsoleSession)
        self.visitors: StateTable[Visitor] = StateTable(self.store, Visitor)
        self.account_throttle = Throttle(free_failures=5)
        self.address_throttle = Throttle(free_failures=20)
        self.recovery = Recovery()
        self.api = ApiClients(gateway)
        self.templates = jinja2.Environment(loader=jinja2.FileSystemLoader(_HERE / "templates"), autoescape=True)
        views = [*views_signin.VIEWS, *views_account.VIEWS, *views_iam.VIEWS, *views_root_access.VIEWS,
                 *views_activity.VIEWS, *views_support.VIEWS, *views_passkeys.VIEWS]
        routes = [Route(view.path, self._endpoint(view), methods=list(view.methods)) for view in views]
        routes.append(Mount("/console/static", StaticFiles(directory=_HERE / "static"), name="static"))
        routes.append(Route("/console", lambda request: RedirectResponse("/console/", 307)))
        self.app = Starlette(routes=routes)

    async def __call__(self, scope, receive, send) -> None:
        await self.app(scope, receive, send)

    def audit_sinks(self):
        return list(self.gateway.audit_sinks)

    # -- dispatch ----------------------------------------------------------------------------------------------
    def _endpoint(self, view: View):
        async def endpoint(request: Request) -> Response:
            form: dict[str, str] = {}
            if request.method == "POST":
                body = await request.body()
                if len(body) > MAX_FORM:
                    return HTMLResponse("Form too large", status_code=413)
                form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
                if any("\x00" in text for pair in form.items() for text in pair):
                    # no field of the console holds one, and a PostgreSQL store could not look it up
                    return HTMLResponse("Form holds a NUL character", status_code=400)
            return await anyio.to_thread.run_sync(self._dispatch, view, request, form)
        return endpoint

    def _dispatch(self, view: View, request: Request, form: dict[str, str]) -> Response:
        now = self.clock.now()
        client = request.client.host if request.client else "127.0.0.1"
        origin = Origin(client, request.headers.get("user-agent", ""))
        page = Page(self, request, form, now, origin)
        page.session = self.sessions.get(request.cookies.get(SESSION_COOKIE), now)
        if page.session is not None:
            page.session.last_seen = now
        if view.public:
            page.visitor = self.visitors.get(request.cookies.get(VISITOR_COOKIE), now)
            if page.visitor is None:
                page.visitor = self.visitors.add(Visitor(created=now))
                page.set_cookies.append(self.cookie(request, VISITOR_COOKIE, page.visitor.id))
            expected = page.visitor.csrf
        else:
            if page.session is None:
                return RedirectResponse("/console/signin", status_code=303)
            expected = page.session.csrf
        if request.method == "POST" and not csrf_matches(expected, form.get("csrf_token")):
            return page.render("error.html", status=403, title="Request refused",
                               message="This form is out of date or did not come from this console "
                                       "(CSRF check failed). Reload the page and try again.")
        try:
            response = view.handler(page)
        except Exception:  # noqa: BLE001 - a page never answers with a traceback
            log.exception("console page %s failed", request.url.path)
            response = page.render("error.html", status=500, title="Something went wrong",
                                   message="The console could not complete this request. Try again.")
        self._save(page)
        return response

    def _save(self, page: Page) -> None:
        """Keep what the request changed (last seen, flashes, sign-in steps) for the next request, on any process."""
        if page.session is not None:
            self.sessions.save(page.session)
        if page.visitor is not None:
            self.visitors.save(page.visitor)

    @staticmethod
    def cookie(request: Request, name: str, value: str) -> str:
        return cookie_header(name, value, request.headers.get("host", ""), request.url.scheme)
