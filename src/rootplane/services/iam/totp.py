"""RFC 6238 TOTP for virtual MFA devices (HMAC-SHA1, 30 s steps, 6 digits) and the enrolment QR code PNG."""

from __future__ import annotations

import base64
import datetime as _dt
import secrets
import struct
import zlib

import pyotp

__all__ = ["STEP_SECONDS", "new_seed", "step_of", "code_at", "matches", "qr_png", "provisioning_uri"]

STEP_SECONDS = 30
SEED_BYTES = 40  # 64 base32 characters, as AWS's seeds look


def new_seed() -> str:
    """A random base32 (RFC 3548) secret."""
    return base64.b32encode(secrets.token_bytes(SEED_BYTES)).decode()


def step_of(now: _dt.datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def code_at(seed: str, step: int) -> str:
    """The 6-digit code of one time step."""
    return pyotp.TOTP(seed).generate_otp(step)


def matches(seed: str, code: str, step: int) -> bool:
    """Whether ``code`` is the code of ``step`` (constant-time; bytes, so any Unicode digit compares safely)."""
    return secrets.compare_digest(code_at(seed, step).encode(), code.encode())


def provisioning_uri(device_name: str, account_name: str, seed: str) -> str:
    """``otpauth://totp/<device>@<account>?secret=<seed>`` as IAM documents for QRCodePNG."""
    return f"otpauth://totp/{device_name}@{account_name}?secret={seed}"


class TooLongForQrCode(ValueError):
    """The text does not fit in the largest QR code (version 40)."""


def qr_png(text: str, scale: int = 4, border: int = 4) -> bytes:
    """A black-on-white greyscale PNG of the QR code of ``text`` (no imaging library needed)."""
    import qrcode  # only enrolments draw QR codes: imported then, not with every MFA check

    code = qrcode.QRCode(border=border, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(text)
    try:
        code.make(fit=True)
    except (ValueError, qrcode.exceptions.DataOverflowError) as exc:
        raise TooLongForQrCode(str(exc)) from exc
    matrix = code.get_matrix()
    size = len(matrix) * scale
    rows = bytearray()
    for line in matrix:
        pixels = bytes(0 if dark else 255 for dark in line for _ in range(scale))
        rows += (b"\x00" + pixels) * scale
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")
