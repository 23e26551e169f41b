"""CloudTrail records of the sign-in service: ``ConsoleLogin`` and the password-recovery events.

They are ``ApiCall``s handed to the gateway's audit sinks like any API call, with the facts AWS's sign-in records
carry (``eventSource`` signin.amazonaws.com, ``eventType`` AwsConsoleSignIn, ``requestParameters`` null), so they
reach Event history and EventBridge ("AWS Console Sign In via CloudTrail").
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable

from rootplane.audit.call import ApiCall
from rootplane.auth.principal import Principal
from rootplane.core import ids

__all__ = ["SignInOrigin", "console_login", "password_recovery", "mfa_enabled", "root_credential_changed",
           "console_setting_changed"]

_SOURCE = "signin.amazonaws.com"
_TYPE = "AwsConsoleSignIn"
FAILED = "Failed authentication"


class SignInOrigin:
    """Where a person signs in from: client address, browser, and the console URL."""

    def __init__(self, source_ip: str, user_agent: str, login_to: str) -> None:
        self.source_ip, self.user_agent, self.login_to = source_ip, user_agent, login_to


def _call(principal: Principal, operation: str, origin: SignInOrigin, now: _dt.datetime, response: dict,
          additional: dict, error_message: str | None = None) -> ApiCall:
    call = ApiCall(request_id=ids.request_id(), service="signin", operation=operation, region="us-east-1",
                   principal=principal, event_time=now, source_ip=origin.source_ip, user_agent=origin.user_agent,
                   params={}, access_key_id=principal.access_key_id)
    call.audit.update({
        "event_source": _SOURCE, "event_type": _TYPE, "read_only": False, "request_parameters": None,
        "response_elements": response, "additional_event_data": additional,
        "verbatim_elements": True,
    })
    if error_message:
        call.audit["error_message"] = error_message
    if principal.name and not principal.arn:
        call.audit["user_name"] = principal.name  # unknown IAM user names are hidden
    return call


def console_login(sinks: Iterable[Callable[[ApiCall], None]], principal: Principal, origin: SignInOrigin,
                  now: _dt.datetime, success: bool, mfa_used: bool) -> None:
    """Record one sign-in attempt in the signing-in account."""
    call = _call(principal, "ConsoleLogin", origin, now, {"ConsoleLogin": "Success" if success else "Failure"},
                 {"LoginTo": origin.login_to, "MobileVersion": "No", "MFAUsed": "Yes" if mfa_used else "No"},
                 None if success else FAILED)
    for sink in sinks:
        sink(call)


def password_recovery(sinks: Iterable[Callable[[ApiCall], None]], principal: Principal, origin: SignInOrigin,
                      now: _dt.datetime, completed: bool) -> None:
    """Record ``PasswordRecoveryRequested`` (a link was sent) or ``PasswordRecoveryCompleted``."""
    name = "PasswordRecoveryCompleted" if completed else "PasswordRecoveryRequested"
    call = _call(principal, name, origin, now, {name: "Success"}, {})
    for sink in sinks:
        sink(call)


def mfa_enabled(sinks: Iterable[Callable[[ApiCall], None]], principal: Principal, origin: SignInOrigin,
                now: _dt.datetime, serial_number: str, operation: str = "EnableMFADevice") -> None:
    """Record the console's assignment of a root MFA device as IAM's ``EnableMFADevice`` (codes never recorded), or
    its removal (``operation`` DeactivateMFADevice)."""
    call = ApiCall(request_id=ids.request_id(), service="iam", operation=operation, region="us-east-1",
                   principal=principal, event_time=now, source_ip=origin.source_ip, user_agent=origin.user_agent,
                   params={"serialNumber": serial_number}, access_key_id=principal.access_key_id)
    call.audit["request_parameters"] = {"serialNumber": serial_number}
    for sink in sinks:
        sink(call)


def root_credential_changed(sinks: Iterable[Callable[[ApiCall], None]], principal: Principal, origin: SignInOrigin,
                            now: _dt.datetime, name: str) -> None:
    """Record a root user's console-only credential change as the sign-in service does: ``PasswordUpdated`` or
    ``EmailUpdated`` (``eventType`` AwsConsoleSignIn; no password, address or code in the record)."""
    call = _call(principal, name, origin, now, {name: "Success"}, {})
    for sink in sinks:
        sink(call)


def console_setting_changed(sinks: Iterable[Callable[[ApiCall], None]], principal: Principal, origin: SignInOrigin,
                            now: _dt.datetime, event_source: str, name: str, request_parameters: dict | None) -> None:
    """Record a console-only setting change (no public API) under the console service AWS names for it, e.g.
    billingconsole.amazonaws.com ``UpdateIAMAccessPreference`` or supportplans.amazonaws.com
    ``CreateSupportPlanSchedule``, as an ``AwsApiCall`` of the console session."""
    call = ApiCall(request_id=ids.request_id(), service=event_source.split(".", 1)[0], operation=name,
                   region="us-east-1", principal=principal, event_time=now, source_ip=origin.source_ip,
                   user_agent=origin.user_agent, params={}, access_key_id=principal.access_key_id)
    call.audit.update({"event_source": event_source, "read_only": False, "request_parameters": request_parameters,
                       "response_elements": None})
    for sink in sinks:
        sink(call)
