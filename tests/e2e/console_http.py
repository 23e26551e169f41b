"""The console's root sign-in over plain HTTP, without a browser: the e-mail and password forms (with the CSRF
token each page carries), then the forced registration of a virtual MFA device with two consecutive codes at the
server's time; password recovery through the outbox's reset link for a root user without a password. The console's
cookies are kept by hand (on loopback they are marked Secure even over http)."""

from __future__ import annotations

import http.client
import re
import urllib.parse
from dataclasses import dataclass

import pyotp

from harness import Server
from root_access_org import CREATE_PASSWORD, DELETE_CREDENTIALS
from server_clock import ServerClock

__all__ = ["ConsoleHttp", "MfaDevice", "RootRegistration", "open_root_registration", "register_root_mfa",
           "sign_in_root", "recover_root_password", "register_member_root_mfa", "RECOVERED_PASSWORD"]

RECOVERED_PASSWORD = "Rec0vered-Horse!"  # what tests set through "Forgot password"

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_SECRET = re.compile(r'id="mfa-secret">([A-Z2-7=]+)<')
_SERIAL = re.compile(r"Device: <code>([^<]+)</code>")
_RESET_LINK = re.compile(r"(/console/reset\?token=\S+)")


class ConsoleHttp:
    """One browser-less visitor of the console: cookies, the last page's CSRF token, no redirects followed."""

    def __init__(self, server: Server) -> None:
        self.server, self.cookies, self.csrf = server, {}, ""

    def _connection(self) -> http.client.HTTPConnection:
        if self.server.ca_bundle:
            return http.client.HTTPSConnection("127.0.0.1", self.server.port, timeout=30,
                                               context=self.server._ssl_context())
        return http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, Location, body) of one request; a POST sends ``form`` with the CSRF token."""
        connection = self._connection()
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


@dataclass(frozen=True)
class MfaDevice:
    """A virtual MFA device as the console showed it: its serial number and base32 seed (for later codes)."""

    serial: str
    seed: str

    def code(self, step: int) -> str:
        """The device's code of one TOTP time step."""
        return pyotp.TOTP(self.seed).generate_otp(step)


@dataclass
class RootRegistration:
    """The forced MFA registration page of a root user's first sign-in: the console has created the device (still
    unassigned); ``finish`` assigns it with two consecutive codes."""

    console: ConsoleHttp
    device: MfaDevice

    def finish(self) -> MfaDevice:
        """Post the codes of the server's previous and current steps; the root is then signed in with MFA (a
        ConsoleLogin Success record with MFAUsed Yes is written). Later codes must use a later step."""
        step = ServerClock(self.console.server).step()
        status, location, _ = self.console.request("POST", "/console/mfa/register", {
            "code1": self.device.code(step - 1), "code2": self.device.code(step)})
        assert location.endswith("/console/"), (status, location)
        return self.device


def open_root_registration(server: Server, email: str, password: str) -> RootRegistration:
    """Sign in as a root user without MFA (e-mail, then password) and open the forced registration page."""
    console = ConsoleHttp(server)
    console.request("GET", "/console/signin")
    assert console.request("POST", "/console/signin", {"email": email})[1].endswith("/console/signin/password")
    console.request("GET", "/console/signin/password")
    status, location, _ = console.request("POST", "/console/signin/password", {"password": password})
    assert location.endswith("/console/mfa/register"), (status, location)
    page = console.request("GET", "/console/mfa/register")[2]
    return RootRegistration(console, MfaDevice(serial=_SERIAL.search(page)[1], seed=_SECRET.search(page)[1]))


def register_root_mfa(server: Server, email: str, password: str) -> MfaDevice:
    """The root user's first console sign-in, which registers its virtual MFA device; returns the device."""
    return open_root_registration(server, email, password).finish()


def sign_in_root(server: Server, email: str, password: str) -> ConsoleHttp:
    """The root user's first console sign-in (forced MFA registration); returns the signed-in visitor."""
    registration = open_root_registration(server, email, password)
    registration.finish()
    return registration.console


def recover_root_password(server: Server, email: str, password: str) -> None:
    """The "Forgot password" of a root user that may recover it: the reset link from the outbox sets ``password``."""
    console = ConsoleHttp(server)
    console.request("GET", "/console/forgot")
    console.request("POST", "/console/forgot", {"email": email})
    mails = server.get_json(f"/_rootplane/outbox?to={urllib.parse.quote(email)}")
    links = [match[1] for mail in mails for match in [_RESET_LINK.search(mail["body"])] if match]
    assert links, f"no reset link was sent to {email}"
    console.request("GET", links[-1])
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(links[-1]).query)["token"][0]
    status, location, page = console.request("POST", "/console/reset",
                                             {"token": token, "password": password, "confirm": password})
    assert location.endswith("/console/signin"), (status, location, page)


def register_member_root_mfa(server: Server, operator: dict, account_id: str, email: str) -> MfaDevice:
    """A member root without a password (centralized root access) registers MFA in the console and is left without
    a password again: ``operator`` (allowed sts:AssumeRoot) creates its login profile, the root-inbox owner recovers
    a password, signs in and registers the device, then ``operator`` deletes the password."""
    def root_iam(task_policy_arn: str):
        credentials = server.client_for(operator, "sts").assume_root(
            TargetPrincipal=account_id, TaskPolicyArn={"arn": task_policy_arn})["Credentials"]
        return server.client_for(credentials, "iam")

    root_iam(CREATE_PASSWORD).create_login_profile()
    recover_root_password(server, email, RECOVERED_PASSWORD)
    device = register_root_mfa(server, email, RECOVERED_PASSWORD)
    root_iam(DELETE_CREDENTIALS).delete_login_profile()
    return device
