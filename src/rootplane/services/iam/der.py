"""The little DER IAM needs: X.509 validity dates, names and public keys; RSA keys as SSH blobs and
SubjectPublicKeyInfo."""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import re
import struct

__all__ = ["DerError", "pem_blocks", "certificate_validity", "certificate_spki", "certificate_names",
           "rsa_private_modulus", "rsa_from_ssh", "rsa_from_spki", "ssh_blob", "spki"]

_SEQUENCE, _INTEGER, _BIT_STRING, _OCTET_STRING, _NULL, _OID = 0x30, 0x02, 0x03, 0x04, 0x05, 0x06
_UTC_TIME, _GENERALIZED_TIME = 0x17, 0x18
_RSA_ALGORITHM = bytes.fromhex("300d06092a864886f70d0101010500")  # SEQUENCE { rsaEncryption, NULL }
_PEM_RE = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END \1-----")


class DerError(ValueError):
    """Bytes that are not the DER structure expected."""


def pem_blocks(text: str) -> list[tuple[str, bytes]]:
    """(label, DER bytes) of every PEM block in ``text``."""
    blocks = []
    for label, body in _PEM_RE.findall(text):
        try:
            blocks.append((label, base64.b64decode("".join(body.split()), validate=True)))
        except binascii.Error as exc:
            raise DerError("bad base64") from exc
    return blocks


def _read(data: bytes, offset: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the element at ``offset``."""
    if offset + 2 > len(data):
        raise DerError("truncated")
    tag, length = data[offset], data[offset + 1]
    start = offset + 2
    if length & 0x80:
        count = length & 0x7F
        if not 0 < count <= 4 or start + count > len(data):
            raise DerError("bad length")
        length = int.from_bytes(data[start:start + count], "big")
        start += count
    if start + length > len(data):
        raise DerError("truncated")
    return tag, start, start + length


def _elements(data: bytes, start: int, end: int) -> list[tuple[int, tuple[int, int, int]]]:
    """(offset, (tag, content start, content end)) of each element between ``start`` and ``end``."""
    items, offset = [], start
    while offset < end:
        item = _read(data, offset)
        items.append((offset, item))
        offset = item[2]
    return items


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    return [item for _, item in _elements(data, start, end)]


def _time(data: bytes, tag: int, start: int, end: int) -> _dt.datetime:
    text = data[start:end].decode("ascii")
    pattern = "%y%m%d%H%M%SZ" if tag == _UTC_TIME else "%Y%m%d%H%M%SZ"
    return _dt.datetime.strptime(text, pattern).replace(tzinfo=_dt.timezone.utc)


def _certificate_fields(der: bytes) -> list[tuple[int, tuple[int, int, int]]]:
    """The TBSCertificate's fields after its version (serial, signature, issuer, validity, subject, key...), each
    with its offset."""
    tag, start, end = _read(der, 0)
    tbs = _children(der, start, end)[0] if tag == _SEQUENCE else None
    if tbs is None or tbs[0] != _SEQUENCE:
        raise DerError("not a certificate")
    fields = _elements(der, tbs[1], tbs[2])
    return fields[1:] if fields and fields[0][1][0] == 0xA0 else fields


def certificate_spki(der: bytes) -> bytes:
    """The DER SubjectPublicKeyInfo of an X.509 certificate."""
    try:
        offset, (tag, _, end) = _certificate_fields(der)[5]
    except (IndexError, ValueError) as exc:
        raise DerError(str(exc)) from exc
    if tag != _SEQUENCE:
        raise DerError("no public key")
    return der[offset:end]


def certificate_names(der: bytes) -> tuple[bytes, bytes]:
    """The DER issuer and subject names of an X.509 certificate."""
    try:
        fields = _certificate_fields(der)
        (issuer_at, (_, _, issuer_end)), (subject_at, (_, _, subject_end)) = fields[2], fields[4]
    except (IndexError, ValueError) as exc:
        raise DerError(str(exc)) from exc
    return der[issuer_at:issuer_end], der[subject_at:subject_end]


def rsa_private_modulus(label: str, der: bytes) -> int | None:
    """The modulus of a PEM private key (PKCS#1 ``RSA PRIVATE KEY`` or PKCS#8 ``PRIVATE KEY``); None when it is not
    an RSA key."""
    try:
        tag, start, end = _read(der, 0)
        items = _children(der, start, end) if tag == _SEQUENCE else []
        if label == "PRIVATE KEY":
            if len(items) < 3 or der[items[1][1] - 2:items[1][2]] != _RSA_ALGORITHM:
                return None
            if items[2][0] != _OCTET_STRING:
                raise DerError("no key")
            return rsa_private_modulus("RSA PRIVATE KEY", der[items[2][1]:items[2][2]])
        if label != "RSA PRIVATE KEY":
            return None
        if len(items) < 3 or items[1][0] != _INTEGER:
            raise DerError("not an RSA private key")
        return int.from_bytes(der[items[1][1]:items[1][2]], "big")
    except ValueError as exc:
        raise DerError(str(exc)) from exc


def certificate_validity(der: bytes) -> tuple[_dt.datetime, _dt.datetime]:
    """(notBefore, notAfter) of an X.509 certificate."""
    try:
        validity = _certificate_fields(der)[3][1]
        times = _children(der, validity[1], validity[2])
        if validity[0] != _SEQUENCE or len(times) != 2 or any(t[0] not in (_UTC_TIME, _GENERALIZED_TIME) for t in times):
            raise DerError("no validity")
        return _time(der, *times[0]), _time(der, *times[1])
    except (IndexError, UnicodeDecodeError, ValueError) as exc:
        raise DerError(str(exc)) from exc


def _ssh_strings(blob: bytes) -> list[bytes]:
    items, offset = [], 0
    while offset < len(blob):
        if offset + 4 > len(blob):
            raise DerError("truncated ssh key")
        (length,) = struct.unpack(">I", blob[offset:offset + 4])
        items.append(blob[offset + 4:offset + 4 + length])
        offset += 4 + length
    return items


def rsa_from_ssh(blob: bytes) -> tuple[int, int]:
    """(modulus, exponent) of an ``ssh-rsa`` key blob."""
    parts = _ssh_strings(blob)
    if len(parts) != 3 or parts[0] != b"ssh-rsa":
        raise DerError("not ssh-rsa")
    return int.from_bytes(parts[2], "big"), int.from_bytes(parts[1], "big")


def rsa_from_spki(der: bytes) -> tuple[int, int]:
    """(modulus, exponent) of an RSA SubjectPublicKeyInfo."""
    try:
        tag, start, end = _read(der, 0)
        algorithm, key = _children(der, start, end)
        if tag != _SEQUENCE or der[algorithm[1] - 2:algorithm[2]] != _RSA_ALGORITHM or key[0] != _BIT_STRING:
            raise DerError("not RSA")
        inner = der[key[1] + 1:key[2]]
        _, seq_start, seq_end = _read(inner, 0)
        modulus, exponent = _children(inner, seq_start, seq_end)
        return (int.from_bytes(inner[modulus[1]:modulus[2]], "big"),
                int.from_bytes(inner[exponent[1]:exponent[2]], "big"))
    except ValueError as exc:
        raise DerError(str(exc)) from exc


def _mpint(value: int) -> bytes:
    return value.to_bytes(value.bit_length() // 8 + 1, "big")


def ssh_blob(modulus: int, exponent: int) -> bytes:
    """The ``ssh-rsa`` wire blob of an RSA key."""
    return b"".join(struct.pack(">I", len(part)) + part for part in (b"ssh-rsa", _mpint(exponent), _mpint(modulus)))


def _element(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content


def spki(modulus: int, exponent: int) -> bytes:
    """The DER SubjectPublicKeyInfo of an RSA key."""
    key = _element(_SEQUENCE, _element(_INTEGER, _mpint(modulus)) + _element(_INTEGER, _mpint(exponent)))
    return _element(_SEQUENCE, _RSA_ALGORITHM + _element(_BIT_STRING, b"\x00" + key))
