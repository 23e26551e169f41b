"""SNS message signatures: a local RSA key and self-signed certificate, created once and kept in the database.

Messages are signed like AWS signs them: the canonical "Name\\nValue\\n" string of the signed fields, SHA1withRSA for
SignatureVersion 1 and SHA256withRSA for 2; ``SigningCertURL`` points at the certificate the server serves under
``/_rootplane/sns/SimpleNotificationService.pem``, so SNS message validators can verify them.

The key is created at its first use (the first signed delivery or certificate download), not at server start, and
``cryptography`` is imported only then: a server that never signs an SNS message never pays for either.
"""

from __future__ import annotations

import base64
import datetime as _dt
import threading
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from rootplane.core.rsa_keys import process_key
from rootplane.services.sns import repo
from rootplane.services.sns.tables import SigningKeyRow

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["CERT_PATH", "canonical_string", "forget", "sign", "certificate_pem"]

CERT_PATH = "/_rootplane/sns/SimpleNotificationService.pem"
_KEY_ID = "default"
_NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
_lock = threading.Lock()
_loaded: tuple[rsa.RSAPrivateKey, str] | None = None


def canonical_string(payload: dict[str, Any]) -> str:
    """The string SNS signs: each present signed field as ``Name\\nValue\\n``, in this fixed order."""
    fields = _NOTIFICATION_FIELDS if payload.get("Type") == "Notification" else _CONFIRMATION_FIELDS
    return "".join(f"{name}\n{payload[name]}\n" for name in fields if payload.get(name) is not None)


def _new_key(now: _dt.datetime) -> SigningKeyRow:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    key = process_key("sns")  # one per process; each store keeps its own certificate
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - _dt.timedelta(days=1))
        .not_valid_after(now + _dt.timedelta(days=3650)).sign(key, hashes.SHA256())
    )
    return SigningKeyRow(
        key_id=_KEY_ID, created_at=now,
        private_key_pem=key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()).decode(),
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
    )


def _key(session: Session) -> tuple[rsa.RSAPrivateKey, str]:
    """The signing key and certificate (created at first use; cached for the process)."""
    from cryptography.hazmat.primitives import serialization

    global _loaded
    with _lock:
        if _loaded is None:
            row = repo.find_signing_key(session, _KEY_ID)
            if row is None:
                row = repo.put_signing_key(session, _new_key(_dt.datetime.now(_dt.timezone.utc)))
            private = serialization.load_pem_private_key(row.private_key_pem.encode(), password=None)
            _loaded = (private, row.certificate_pem)
        return _loaded


def forget() -> None:
    """Drop the cached key: the store's state was replaced (a snapshot restored), its key is read again."""
    global _loaded
    with _lock:
        _loaded = None


def sign(session: Session, payload: dict[str, Any], version: str = "1") -> str:
    """Base64 signature of ``payload``'s canonical string (SHA1withRSA for version 1, SHA256withRSA for 2)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    private, _ = _key(session)
    digest = hashes.SHA256() if version == "2" else hashes.SHA1()
    return base64.b64encode(private.sign(canonical_string(payload).encode(), padding.PKCS1v15(), digest)).decode()


def certificate_pem(session: Session) -> str:
    return _key(session)[1]
