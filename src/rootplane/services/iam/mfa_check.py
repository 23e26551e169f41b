"""The one check of virtual MFA codes: everything that accepts a TOTP code calls this module.

- :func:`check_code`: a code presented to sign in or to prove MFA (STS GetSessionToken and AssumeRole today; the
  console sign-in and S3 ``x-amz-mfa`` are meant to call it too). Each caller words its own refusal.
- :func:`accept_pair`: the two consecutive codes of IAM EnableMFADevice and ResyncMFADevice.

The rules, as real AWS answered (aws-captures/mfa.json):

- a code matches the device's step (server step + the drift learned by enabling/resyncing) up to
  ``CODE_TOLERANCE`` steps before or after it;
- a code is accepted once per device: the device remembers the steps it accepted (``used_steps``). Enable and
  Resync refuse a pair holding a spent code and spend their second code (AWS accepts the first one afterwards);
- after ``LOCK_THRESHOLD`` consecutive wrong codes the device is locked: codes are refused unchecked until
  ``locked_until``. The lock lasts ``LOCK_SECONDS`` and doubles with each further wrong code, up to
  ``LOCK_MAX_SECONDS``; an accepted code clears the count. AWS documents no lockout error: it answers a locked
  device as it answers an unknown one (the recording), so callers map LOCKED and UNKNOWN_DEVICE to one refusal.
  Enable/Resync are not locked (they need two consecutive codes and IAM permissions; AWS resyncs a locked device).

Failures are counted in the store inside the request's transaction; :func:`check_code` sets
``ctx.keep_writes_on_error`` so the gateway commits that count although the caller answers with an error.
Call it before the request writes anything else.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable

from rootplane.auth.principal import Principal
from rootplane.services.context import RequestContext
from rootplane.services.iam import repo, totp
from rootplane.services.iam.tables import MfaDeviceRow

__all__ = ["MfaCheck", "check_code", "accept_pair", "accept_code", "owner_of", "CODE_TOLERANCE", "LOCK_THRESHOLD",
           "LOCK_SECONDS", "LOCK_MAX_SECONDS", "ENABLE_WINDOW", "RESYNC_WINDOW"]

CODE_TOLERANCE = 2      # steps either way of the device's step (recorded: -2 and +2 accepted, -10 and +10 refused)
ENABLE_WINDOW = 10      # steps back the first code of EnableMFADevice may lie (the user reads two codes in a row)
RESYNC_WINDOW = 20      # steps either way ResyncMFADevice searches (recorded: +10 and +20 accepted)
LOCK_THRESHOLD = 3      # consecutive wrong codes that lock the device (recorded: the third locks)
LOCK_SECONDS = 30       # the first lock; each further wrong code doubles it
LOCK_MAX_SECONDS = 3600
# Spent steps older than this behind the server step can never match again (widest window: resync + tolerance).
_FORGET_AFTER = RESYNC_WINDOW + 1 + CODE_TOLERANCE + 1


class MfaCheck(enum.Enum):
    """The outcome of :func:`check_code`."""

    ACCEPTED = "accepted"
    UNKNOWN_DEVICE = "unknown-device"  # no such device, or not enabled for this owner
    LOCKED = "locked"                  # too many wrong codes lately: refused without looking at the code
    WRONG_CODE = "wrong-code"          # not a fresh code of the device's step (counted)


def owner_of(principal: Principal) -> str:
    """The ``owner_id`` an MFA device of this caller carries: the account id for root, else the user id."""
    return principal.account_id if principal.is_root else principal.user_id


def check_code(ctx: RequestContext, serial_number: str, code: str, owner_id: str) -> MfaCheck:
    """Check ``code`` against device ``serial_number`` enabled for ``owner_id`` (see :func:`owner_of`).

    The device row is locked for the transaction (PostgreSQL ``FOR UPDATE``; SQLite serializes writers), so
    concurrent guesses are counted one after the other.
    """
    device = repo.find_mfa_device(ctx.session, serial_number, for_update=True)
    if device is None or device.owner_id is None or device.owner_id != owner_id:
        return MfaCheck.UNKNOWN_DEVICE
    outcome = accept_code(device, code, ctx.now())
    if outcome is MfaCheck.WRONG_CODE:
        ctx.keep_writes_on_error = True
    return outcome


def accept_code(device: MfaDeviceRow, code: str, now: _dt.datetime) -> MfaCheck:
    """The rules of :func:`check_code` on one device row: lock, window, single use, failure count."""
    if device.locked_until is not None and now < device.locked_until:
        return MfaCheck.LOCKED
    now_step = totp.step_of(now)
    expected = now_step + device.drift
    spent = set(device.used_steps or ())
    for step in range(expected - CODE_TOLERANCE, expected + CODE_TOLERANCE + 1):
        if step not in spent and totp.matches(device.seed, code, step):
            _spend(device, step, now_step)
            device.failed_attempts, device.locked_until = 0, None
            return MfaCheck.ACCEPTED
    device.failed_attempts = (device.failed_attempts or 0) + 1
    beyond = device.failed_attempts - LOCK_THRESHOLD
    if beyond >= 0:
        seconds = min(LOCK_SECONDS << min(beyond, 16), LOCK_MAX_SECONDS)
        device.locked_until = now + _dt.timedelta(seconds=seconds)
    return MfaCheck.WRONG_CODE


def accept_pair(device: MfaDeviceRow, code1: str, code2: str, first_steps: Iterable[int], now_step: int) -> bool:
    """Enable/Resync: ``code1`` and ``code2`` are the codes of steps ``t`` and ``t + 1`` for a ``t`` in
    ``first_steps``, neither spent. On success spends the second code and learns the device's drift."""
    spent = set(device.used_steps or ())
    for step in first_steps:
        if step in spent or step + 1 in spent:
            continue
        if totp.matches(device.seed, code1, step) and totp.matches(device.seed, code2, step + 1):
            _spend(device, step + 1, now_step)
            device.drift = step + 1 - now_step
            return True
    return False


def _spend(device: MfaDeviceRow, step: int, now_step: int) -> None:
    """Remember ``step`` as used; forget steps no check can reach any more (the list stays a few dozen long)."""
    oldest = now_step - _FORGET_AFTER
    device.used_steps = sorted({s for s in device.used_steps or () if s >= oldest} | {step})
