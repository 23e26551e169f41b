"""The console's root sign-in over plain HTTP, without a browser: the e-mail and password forms (with the CSRF
token each page carries), then the forced registration of a virtual MFA device with two consecutive codes at the
server's time. The console's cookies are kept by hand (on loopback they are marked Secure even over http)."""

from __future__ import annotations

import http.client
import re
import urllib.parse

import pyotp

from server_clock import ServerClock

__all__ = ["ConsoleHttp", "sign_in_root"]

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_SECRET = re.compile(r'id="mfa-secret">([A-Z2-7=]+)<')


class ConsoleHttp:
    """One browser-less visitor of the console: cookies, the last page's CSRF token, no redirects followed."""

    def __init__(self, server) -> None:
        self.server, self.cookies, self.csrf = server, {}, ""

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, Location, body) of one request; a POST sends ``form`` with the CSRF token."""
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode({**form, "csrf_token": self.csrf})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, value = header.split(";", 1)[0].split("=", 1)
                self.cookies[name] = value
                if value == "":
                    del self.cookies[name]
            token = _CSRF.search(text)
            if token:
                self.csrf = token[1]
            return response.status, response.headers.get("Location", ""), text
        finally:
            connection.close()


def sign_in_root(server, email: str, password: str) -> ConsoleHttp:
    """The root user's first console sign-in: e-mail, password, forced MFA registration; returns the signed-in
    visitor (a ConsoleLogin Success record with MFAUsed Yes is written)."""
    console = ConsoleHttp(server)
    console.request("GET", "/console/signin")
    assert console.request("POST", "/console/signin", {"email": email})[1].endswith("/console/signin/password")
    console.request("GET", "/console/signin/password")
    status, location, _ = console.request("POST", "/console/signin/password", {"password": password})
    assert location.endswith("/console/mfa/register"), (status, location)
    secret = _SECRET.search(console.request("GET", "/console/mfa/register")[2])[1]
    step, totp = ServerClock(server).step(), pyotp.TOTP(secret)
    status, location, _ = console.request("POST", "/console/mfa/register", {
        "code1": totp.generate_otp(step - 1), "code2": totp.generate_otp(step)})
    assert location.endswith("/console/"), (status, location)
    return console
