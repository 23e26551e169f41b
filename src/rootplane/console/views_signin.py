"""Sign-in (root: e-mail, password, MFA; IAM users: account, user name, password, MFA), forced MFA registration
for root, sign-out, and root password recovery."""

from __future__ import annotations

import datetime as _dt

import segno
from botocore.exceptions import ClientError
from starlette.responses import Response

from rootplane.console import events, passkeys, signin
from rootplane.console.mfa_check import assign_root_device, verify_mfa_code
from rootplane.console.page import Page, View, error_text
from rootplane.console.sessions import (
    ABSOLUTE, SESSION_COOKIE, VISITOR_COOKIE, ConsoleSession, clear_cookie_header,
)
from rootplane.services.iam import totp

__all__ = ["VIEWS", "end_session"]

WRONG = "Your authentication information is incorrect. Please try again."
LOCKED = "There have been too many failed sign-in attempts. Wait a few minutes and try again."
ROOT_DEVICE = "root-account-mfa-device"
ENROLMENT = _dt.timedelta(minutes=15)


def _record(page: Page, principal, success: bool, mfa_used: bool) -> None:
    if principal is not None:
        events.console_login(page.console.audit_sinks(), principal, page.event_origin, page.now, success, mfa_used)


def _throttle_keys(page: Page, account: str) -> tuple[str, str]:
    return f"account:{account}", f"address:{page.origin.source_ip}"


def _locked(page: Page, account_key: str, address_key: str) -> bool:
    console = page.console
    with console.store.transaction(write=False) as session:
        return (console.account_throttle.locked(session, account_key, page.now)
                or console.address_throttle.locked(session, address_key, page.now))


def _failed(page: Page, account_key: str, address_key: str) -> None:
    console = page.console
    with console.store.transaction() as session:
        console.account_throttle.failed(session, account_key, page.now)
        console.address_throttle.failed(session, address_key, page.now)


def _succeeded(page: Page, account_key: str) -> None:
    with page.console.store.transaction() as session:
        page.console.account_throttle.succeeded(session, account_key)


def _password_checked(page: Page, attempt: signin.Attempt, typed_account: str, retry: Response) -> Response | None:
    """Throttle, record and refuse a failed or locked attempt (returns the answer), or None to go on."""
    account_key, address_key = _throttle_keys(page, attempt.account_id or typed_account.lower())
    if _locked(page, account_key, address_key):
        _failed(page, account_key, address_key)
        _record(page, attempt.principal, False, False)
        return retry(LOCKED)
    if attempt.identity is None:
        _failed(page, account_key, address_key)
        _record(page, attempt.principal, False, False)
        return retry(WRONG)
    _succeeded(page, account_key)
    return None


def _next_step(page: Page, identity: signin.Identity) -> Response:
    """After the right password: MFA, MFA registration (root without a device), or the console."""
    visitor = page.visitor
    visitor.identity = identity
    if identity.mfa_serials:
        visitor.step = "mfa"
        return page.redirect("/console/signin/mfa")
    if identity.is_root:
        visitor.step = "register"
        return page.redirect("/console/mfa/register")
    return _open_session(page, identity, mfa_used=False)


def _open_session(page: Page, identity: signin.Identity, mfa_used: bool) -> Response:
    console = page.console
    with console.store.transaction() as session:
        credentials = signin.issue(session, identity, page.now, ABSOLUTE, mfa=mfa_used)
        signin.mark_used(session, identity, page.now)
    _record(page, _principal(page, identity), True, mfa_used)
    console.visitors.remove(page.visitor.id)
    state = console.sessions.add(ConsoleSession(identity=identity, credentials=credentials, created=page.now,
                                                last_seen=page.now))
    page.set_cookies.append(console.cookie(page.request, SESSION_COOKIE, state.id))
    page.set_cookies.append(clear_cookie_header(VISITOR_COOKIE))
    page.session, page.visitor = state, None
    return page.redirect("/console/")


def _principal(page: Page, identity: signin.Identity):
    with page.console.store.transaction(write=False) as session:
        return signin.principal_of(session, identity)


# -- root: e-mail, then password ---------------------------------------------------------------------------------
def signin_root(page: Page) -> Response:
    if page.session is not None:
        return page.redirect("/console/")
    if page.method == "POST":
        page.visitor.email, page.visitor.identity, page.visitor.step = page.form.get("email", "").strip(), None, ""
        if not page.visitor.email:
            return page.render("signin_root.html", error="Enter the email address of your root user.")
        return page.redirect("/console/signin/password")
    notice, page.visitor.notice = page.visitor.notice, ""
    return page.render("signin_root.html", notice=notice)


def signin_password(page: Page) -> Response:
    visitor = page.visitor
    if not visitor.email:
        return page.redirect("/console/signin")
    retry = lambda error: page.render("signin_password.html", email=visitor.email, error=error)  # noqa: E731
    if page.method == "GET":
        return retry("")
    with page.console.store.transaction(write=False) as session:
        attempt = signin.check_root(session, visitor.email, page.form.get("password", ""))
    refused = _password_checked(page, attempt, visitor.email, retry)
    return refused or _next_step(page, attempt.identity)


# -- IAM users -------------------------------------------------------------------------------------------------
def signin_iam(page: Page) -> Response:
    if page.session is not None:
        return page.redirect("/console/")
    form = page.form
    retry = lambda error: page.render("signin_iam.html", error=error, account=form.get("account", ""),  # noqa: E731
                                      user_name=form.get("user_name", ""))
    if page.method == "GET":
        return retry("")
    with page.console.store.transaction(write=False) as session:
        attempt = signin.check_user(session, form.get("account", ""), form.get("user_name", ""),
                                    form.get("password", ""))
    refused = _password_checked(page, attempt, form.get("account", ""), retry)
    return refused or _next_step(page, attempt.identity)


# -- MFA -------------------------------------------------------------------------------------------------------
def signin_mfa(page: Page) -> Response:
    """The MFA step: a code of a virtual device, or a passkey (WebAuthn) of a root user."""
    visitor = page.visitor
    identity = visitor.identity
    if identity is None or visitor.step != "mfa":
        return page.redirect("/console/signin")
    retry = lambda error: _mfa_page(page, identity, error)  # noqa: E731
    if page.method == "GET":
        return retry("")
    account_key, address_key = _throttle_keys(page, identity.account_id)
    principal = _principal(page, identity)
    if _locked(page, account_key, address_key):
        _failed(page, account_key, address_key)
        _record(page, principal, False, True)
        return retry(LOCKED)
    answer = page.form.get("passkey_response")
    challenge, visitor.passkey_challenge = visitor.passkey_challenge, ""  # a challenge is answered once
    with page.console.store.transaction() as session:
        if answer is not None:
            ok = passkeys.authenticate(session, identity.account_id, answer, challenge, page.base_url,
                                       page.request.url.hostname or "")
        else:
            ok = verify_mfa_code(session, identity.account_id, identity.owner_id, page.form.get("code", ""),
                                 page.now)
    if not ok:
        _failed(page, account_key, address_key)
        _record(page, principal, False, True)
        return retry("The passkey was not accepted. Try again." if answer is not None
                     else "The MFA code is not valid. Enter the current code from your device.")
    _succeeded(page, account_key)
    return _open_session(page, identity, mfa_used=True)


def _mfa_page(page: Page, identity: signin.Identity, error: str) -> Response:
    """The MFA form(s): the code form when the person has a virtual device, the passkey form when a root user has
    a passkey (with a fresh challenge)."""
    with_passkey = any(passkeys.is_passkey(serial) for serial in identity.mfa_serials)
    options = ""
    if with_passkey:
        with page.console.store.transaction(write=False) as session:
            options, page.visitor.passkey_challenge = passkeys.authentication_options(
                session, identity.account_id, page.request.url.hostname or "")
    with_code = not all(passkeys.is_passkey(serial) for serial in identity.mfa_serials)
    return page.render("signin_mfa.html", error=error, with_code=with_code, passkey_options=options)


def _qr_data_uri(text: str) -> str:
    return segno.make(text, error="m").png_data_uri(scale=5, border=4)


def _start_registration(page: Page) -> str:
    """Create the root user's virtual MFA device through the API (enrolment credentials); "" or the error."""
    visitor, identity = page.visitor, page.visitor.identity
    if visitor.enrolment is None:
        with page.console.store.transaction() as session:
            visitor.enrolment = signin.issue(session, identity, page.now, ENROLMENT, mfa=False)
    iam = page.api("iam", visitor.enrolment)
    try:
        try:
            device = iam.create_virtual_mfa_device(VirtualMFADeviceName=ROOT_DEVICE)["VirtualMFADevice"]
        except ClientError as error:
            if error.response["Error"]["Code"] != "EntityAlreadyExists":
                raise
            serial = f"arn:aws:iam::{identity.account_id}:mfa/{ROOT_DEVICE}"
            iam.delete_virtual_mfa_device(SerialNumber=serial)  # an unfinished registration's unassigned device
            device = iam.create_virtual_mfa_device(VirtualMFADeviceName=ROOT_DEVICE)["VirtualMFADevice"]
    except ClientError as error:
        return error_text(error)
    visitor.device_serial = device["SerialNumber"]
    visitor.device_seed = device["Base32StringSeed"].decode()  # botocore returns the blob: the base32 text
    return ""


def register_mfa(page: Page) -> Response:
    """Root without MFA: register a virtual device (two consecutive codes) before any console session exists."""
    visitor = page.visitor
    identity = visitor.identity
    if identity is None or visitor.step != "register":
        return page.redirect("/console/signin")
    error = "" if visitor.device_serial else _start_registration(page)
    if not error and page.method == "POST":
        with page.console.store.transaction() as session:
            assigned = assign_root_device(session, identity.account_id, visitor.device_serial,
                                          page.form.get("code1", ""), page.form.get("code2", ""), page.now)
        if assigned:
            events.mfa_enabled(page.console.audit_sinks(), _enrolment_principal(page), page.event_origin, page.now,
                               visitor.device_serial)
            _end_enrolment(page)
            return _open_session(page, identity, mfa_used=True)
        error = "The MFA codes are not valid. Enter two consecutive codes from your app."
    uri = totp.provisioning_uri(ROOT_DEVICE, identity.account_id, visitor.device_seed) if visitor.device_seed else ""
    return page.render("register_mfa.html", error=error, secret=visitor.device_seed,
                       qr=_qr_data_uri(uri) if uri else "", serial=visitor.device_serial)


def _enrolment_principal(page: Page):
    credential = page.console.gateway.resolve(page.visitor.enrolment["AccessKeyId"])
    return credential.principal if credential is not None else _principal(page, page.visitor.identity)


def _end_enrolment(page: Page) -> None:
    enrolment, page.visitor.enrolment = page.visitor.enrolment, None
    if enrolment is not None:
        with page.console.store.transaction() as session:
            signin.revoke(session, enrolment["AccessKeyId"])
        page.console.gateway.credentials.forget(enrolment["AccessKeyId"])


# -- sign-out --------------------------------------------------------------------------------------------------
def end_session(page: Page) -> None:
    """Revoke the console session's credentials, forget the session and clear its cookie."""
    state = page.session
    with page.console.store.transaction() as session:
        signin.revoke(session, state.credentials["AccessKeyId"])
    page.console.gateway.credentials.forget(state.credentials["AccessKeyId"])
    page.console.sessions.remove(state.id)
    page.session = None
    page.set_cookies.append(clear_cookie_header(SESSION_COOKIE))


def sign_out(page: Page) -> Response:
    end_session(page)
    return page.redirect("/console/signin")


# -- password recovery -----------------------------------------------------------------------------------------
SENT = ("If that email address belongs to a root user whose password can be reset, we sent it a message with "
        "instructions. Check your inbox.")


def forgot_password(page: Page) -> Response:
    if page.method == "GET":
        return page.render("forgot.html", email=page.visitor.email)
    email = page.form.get("email", "").strip()
    address_key = f"recovery:{page.origin.source_ip}"
    console = page.console
    with console.store.transaction() as session:
        account = None
        if not console.address_throttle.locked(session, address_key, page.now):
            console.address_throttle.failed(session, address_key, page.now)  # every request counts: no mail flood
            account = console.recovery.request(session, email, page.now, page.base_url, console.gateway.config.smtp_url)
    if account is not None:
        principal = signin.principal_of_root(account.account_id)
        events.password_recovery(console.audit_sinks(), principal, page.event_origin, page.now, completed=False)
    return page.render("forgot.html", email=email, sent=SENT)


def reset_password(page: Page) -> Response:
    token = page.form.get("token") or page.query.get("token", "")
    console = page.console
    if page.method == "GET":
        with console.store.transaction(write=False) as session:
            valid = console.recovery.redeem(session, token, page.now) is not None
        return page.render("reset.html", token=token if valid else "",
                           error="" if valid else "This link is not valid. It may have expired or already been used.")
    password = page.form.get("password", "")
    if password != page.form.get("confirm", ""):
        return page.render("reset.html", token=token, error="The passwords do not match.")
    with console.store.transaction() as session:
        account, error = console.recovery.reset(session, token, password, page.now)
    if error:
        return page.render("reset.html", token=token if account is not None else "", error=error)
    events.password_recovery(console.audit_sinks(), signin.principal_of_root(account.account_id), page.event_origin,
                             page.now, completed=True)
    page.visitor.email, page.visitor.notice = account.email, "Your password was changed. Sign in with it now."
    return page.redirect("/console/signin")


_BOTH = ("GET", "POST")
VIEWS = [
    View("/console/signin", signin_root, _BOTH, public=True),
    View("/console/signin/password", signin_password, _BOTH, public=True),
    View("/console/signin/iam", signin_iam, _BOTH, public=True),
    View("/console/signin/mfa", signin_mfa, _BOTH, public=True),
    View("/console/mfa/register", register_mfa, _BOTH, public=True),
    View("/console/forgot", forgot_password, _BOTH, public=True),
    View("/console/reset", reset_password, _BOTH, public=True),
    View("/console/signout", sign_out, ("POST",)),
]
