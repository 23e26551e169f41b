"""RFC 6238 vectors and the MFA code rules of services/iam/mfa_check.py (window, single use, drift, lockout)."""

from __future__ import annotations

import datetime as _dt
from types import SimpleNamespace

from rootplane.services.iam import totp
from rootplane.services.iam.mfa_check import LOCK_MAX_SECONDS, LOCK_SECONDS, LOCK_THRESHOLD, MfaCheck, accept_code, accept_pair
from rootplane.services.iam.repo import decode_marker, encode_marker

SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # ASCII "12345678901234567890"


def test_rfc6238_sha1_vectors():
    assert totp.code_at(SEED, 59 // 30) == "287082"
    assert totp.code_at(SEED, 1111111109 // 30) == "081804"
    assert totp.code_at(SEED, 1111111111 // 30) == "050471"
    assert totp.code_at(SEED, 1234567890 // 30) == "005924"
    assert totp.code_at(SEED, 2000000000 // 30) == "279037"


NOW = _dt.datetime.fromtimestamp(1234567890, _dt.timezone.utc)
STEP = totp.step_of(NOW)


def _device(**fields) -> SimpleNamespace:
    return SimpleNamespace(**{"seed": SEED, "drift": 0, "used_steps": [], "failed_attempts": 0, "locked_until": None,
                              **fields})


def _code(offset: int) -> str:
    return totp.code_at(SEED, STEP + offset)


def test_codes_up_to_two_steps_away_are_accepted_once():
    device = _device()
    for offset in (-2, -1, 0, 1, 2):
        assert accept_code(device, _code(offset), NOW) is MfaCheck.ACCEPTED
        assert accept_code(device, _code(offset), NOW) is MfaCheck.WRONG_CODE
        device.failed_attempts = 0  # keep this test clear of the lockout
    for offset in (-3, 3, -10, 10):
        assert accept_code(device, _code(offset), NOW) is MfaCheck.WRONG_CODE
        device.failed_attempts = 0


def test_drift_moves_the_window():
    device = _device(drift=10)
    assert accept_code(device, _code(0), NOW) is MfaCheck.WRONG_CODE
    assert accept_code(device, _code(12), NOW) is MfaCheck.ACCEPTED


def test_consecutive_wrong_codes_lock_with_back_off_and_a_good_code_resets():
    device = _device()
    for _ in range(LOCK_THRESHOLD - 1):
        assert accept_code(device, "000000", NOW) is MfaCheck.WRONG_CODE
    assert device.locked_until is None
    assert accept_code(device, "000000", NOW) is MfaCheck.WRONG_CODE
    assert device.locked_until == NOW + _dt.timedelta(seconds=LOCK_SECONDS)
    assert accept_code(device, _code(0), NOW) is MfaCheck.LOCKED  # the right code is refused while locked
    assert device.used_steps == []  # ... and not spent
    later = NOW + _dt.timedelta(seconds=LOCK_SECONDS)
    assert accept_code(device, "000000", later) is MfaCheck.WRONG_CODE
    assert device.locked_until == later + _dt.timedelta(seconds=2 * LOCK_SECONDS)  # doubled
    device.failed_attempts = 100
    assert accept_code(device, "000000", device.locked_until) is MfaCheck.WRONG_CODE
    assert (device.locked_until - later).total_seconds() <= 2 * LOCK_SECONDS + LOCK_MAX_SECONDS
    unlocked = device.locked_until
    code = totp.code_at(SEED, totp.step_of(unlocked))
    assert accept_code(device, code, unlocked) is MfaCheck.ACCEPTED
    assert (device.failed_attempts, device.locked_until) == (0, None)


def test_pairs_must_be_consecutive_fresh_codes_and_spend_the_second():
    device = _device()
    window = range(STEP - 10, STEP + 1)
    assert not accept_pair(device, _code(0), _code(0), window, STEP)
    assert not accept_pair(device, _code(0), _code(-1), window, STEP)
    assert accept_pair(device, _code(-1), _code(0), window, STEP)
    assert device.used_steps == [STEP] and device.drift == 0
    assert accept_code(device, _code(-1), NOW) is MfaCheck.ACCEPTED  # AWS: the first code stays usable
    assert not accept_pair(device, _code(0), _code(1), range(STEP - 20, STEP + 21), STEP)  # overlaps a spent code
    assert accept_pair(device, _code(9), _code(10), range(STEP - 20, STEP + 21), STEP)
    assert device.drift == 10


def test_non_ascii_digits_are_a_wrong_code_not_a_crash():
    assert not totp.matches(SEED, "\u0661\u0662\u0663\u0664\u0665\u0666", STEP)
    assert accept_code(_device(), "\u0661\u0662\u0663\u0664\u0665\u0666", NOW) is MfaCheck.WRONG_CODE


def test_spent_steps_out_of_reach_are_forgotten():
    device = _device(used_steps=[STEP - 500, STEP - 1])
    assert accept_code(device, _code(0), NOW) is MfaCheck.ACCEPTED
    assert device.used_steps == [STEP - 1, STEP]


def test_markers_round_trip():
    assert decode_marker(encode_marker("User", "bob"), 2) == ("User", "bob")


def test_qr_png_is_a_png():
    assert totp.qr_png(totp.provisioning_uri("dev", "123456789012", totp.new_seed())).startswith(b"\x89PNG\r\n\x1a\n")
