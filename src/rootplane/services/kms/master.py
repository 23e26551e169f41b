"""The server master key: KMS key material is sealed under it (AES-256-GCM) before it reaches the store.

It comes from ``--master-key`` (``ROOTPLANE_MASTER_KEY``: 32 bytes, base64), or else from ``<data-dir>/kms-master.key``,
created once with mode 0600. Servers sharing a PostgreSQL store must be given the same ``--master-key`` (or the same
key file): each would otherwise make its own and could not open the others' keys.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import threading
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["seal", "unseal", "master_key", "KEY_FILE"]

KEY_FILE = "kms-master.key"
_NONCE = 12
_lock = threading.Lock()


def _decode(text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the KMS master key must be 32 bytes in base64") from None
    if len(key) != 32:
        raise ValueError("the KMS master key must be 32 bytes in base64")
    return key


@lru_cache(maxsize=8)
def master_key(configured: str | None, data_dir: str) -> bytes:
    """The configured key, or the data directory's key file (created with mode 0600 on first use)."""
    if configured:
        return _decode(configured)
    path = os.path.join(data_dir, KEY_FILE)
    with _lock:
        if not os.path.exists(path):
            os.makedirs(data_dir, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
        with open(path, encoding="ascii") as handle:
            return _decode(handle.read())


def _config_key(config: object) -> bytes:
    return master_key(getattr(config, "master_key", None), getattr(config, "data_dir", ".rootplane"))


def seal(config: object, material: bytes, key_arn: str) -> bytes:
    """``material`` encrypted under the master key, bound to the key's ARN."""
    nonce = secrets.token_bytes(_NONCE)
    return nonce + AESGCM(_config_key(config)).encrypt(nonce, material, key_arn.encode())


def unseal(config: object, sealed: bytes, key_arn: str) -> bytes:
    """The material of a key; RuntimeError (never the material) when the master key does not open it."""
    try:
        return AESGCM(_config_key(config)).decrypt(sealed[:_NONCE], sealed[_NONCE:], key_arn.encode())
    except (InvalidTag, ValueError):
        raise RuntimeError(f"the KMS master key does not open the material of {key_arn}") from None
