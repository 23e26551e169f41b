"""The console's MFA checks at sign-in, through IAM's one code check (services/iam/mfa_check.py: window, single
use, lockout).

``verify_mfa_code`` is the one code check of a sign-in; ``assign_root_device`` is the console-only "Assign MFA
device" of a root user (AWS has no API for it: EnableMFADevice needs an IAM user name): the virtual device the root
created with CreateVirtualMFADevice becomes the root's once two consecutive codes match, as EnableMFADevice does.
"""

from __future__ import annotations

import datetime as _dt

from sqlalchemy.orm import Session

from rootplane.services.iam import repo, totp
from rootplane.services.iam.mfa_check import ENABLE_WINDOW, MfaCheck, accept_code, accept_pair
from rootplane.services.iam.quotas import MFA_DEVICES_PER_USER

__all__ = ["verify_mfa_code", "mfa_serials", "assign_root_device"]


def mfa_serials(session: Session, account_id: str, owner_id: str) -> list[str]:
    """Serial numbers of the MFA devices enabled for a user (``owner_id``: user id, or account id for root)."""
    page = repo.list_mfa_devices(session, account_id, owner_id, None, MFA_DEVICES_PER_USER)
    return [device.serial_number for device in page.rows]


def verify_mfa_code(session: Session, account_id: str, owner_id: str, code: str, now: _dt.datetime) -> bool:
    """True when ``code`` is a fresh valid code of one of the owner's devices (the device then refuses it again)."""
    code = code.strip()
    if not (len(code) == 6 and code.isdigit()):
        return False
    page = repo.list_mfa_devices(session, account_id, owner_id, None, MFA_DEVICES_PER_USER)
    return any(accept_code(device, code, now) is MfaCheck.ACCEPTED for device in page.rows)


def assign_root_device(session: Session, account_id: str, serial_number: str, code1: str, code2: str,
                       now: _dt.datetime) -> bool:
    """Enable an unassigned virtual device of the account for its root user; False when the codes do not match."""
    device = repo.find_mfa_device(session, serial_number)
    if device is None or device.account_id != account_id or device.owner_id is not None:
        return False
    now_step = totp.step_of(now)
    if not accept_pair(device, code1.strip(), code2.strip(), range(now_step - ENABLE_WINDOW, now_step + 1), now_step):
        return False
    device.owner_id, device.enabled_at = account_id, now
    return True
