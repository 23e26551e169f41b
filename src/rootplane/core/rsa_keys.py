"""RSA signing keys a service makes for itself (SNS message signatures, CloudTrail digest files).

Generating a 2048-bit key takes up to 0.3 s, so ``process_key`` makes one per purpose and process: the stores of one
process (rootplane.testing's in-process servers) share it, each keeping its own copy in its store. ``new_key`` makes a
fresh one (a rotated key). ``cryptography`` is imported with the first key, not with the service.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["process_key", "new_key"]


def new_key() -> rsa.RSAPrivateKey:
    """A new 2048-bit RSA key."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def process_key(purpose: str) -> rsa.RSAPrivateKey:
    """This process's key for ``purpose`` (``sns``, ``cloudtrail-digests:<region>``), made at its first use."""
    return new_key()
