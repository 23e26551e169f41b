"""RFC 6238 vectors and the MFA code rules (one use per step, ±1 step tolerance, drift)."""

from __future__ import annotations

import datetime as _dt
from types import SimpleNamespace

from rootplane.services.iam import totp
from rootplane.services.iam.mfa import verify_code
from rootplane.services.iam.repo import decode_marker, encode_marker

SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # ASCII "12345678901234567890"


def test_rfc6238_sha1_vectors():
    assert totp.code_at(SEED, 59 // 30) == "287082"
    assert totp.code_at(SEED, 1111111109 // 30) == "081804"
    assert totp.code_at(SEED, 1111111111 // 30) == "050471"
    assert totp.code_at(SEED, 1234567890 // 30) == "005924"
    assert totp.code_at(SEED, 2000000000 // 30) == "279037"


def test_step_of_and_consecutive_codes():
    now = _dt.datetime.fromtimestamp(1234567890, _dt.timezone.utc)
    step = totp.step_of(now)
    found = totp.find_consecutive(SEED, totp.code_at(SEED, step - 1), totp.code_at(SEED, step), range(step - 5, step + 1))
    assert found == step - 1
    assert totp.find_consecutive(SEED, totp.code_at(SEED, step), totp.code_at(SEED, step), range(step - 5, step + 1)) is None


def test_codes_are_single_use_and_tolerate_one_step():
    device = SimpleNamespace(seed=SEED, drift=0, last_counter=0)
    assert verify_code(device, totp.code_at(SEED, 100), 101)
    assert not verify_code(device, totp.code_at(SEED, 100), 101)
    assert verify_code(device, totp.code_at(SEED, 101), 101)
    assert not verify_code(device, totp.code_at(SEED, 90), 101)


def test_markers_round_trip():
    assert decode_marker(encode_marker("User", "bob"), 2) == ("User", "bob")


def test_qr_png_is_a_png():
    assert totp.qr_png(totp.provisioning_uri("dev", "123456789012", totp.new_seed())).startswith(b"\x89PNG\r\n\x1a\n")
