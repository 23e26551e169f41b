"""Log file integrity validation: signed digest files (CloudTrail User Guide: "Validating CloudTrail log file
integrity", "CloudTrail digest file structure").

A trail with log file validation writes digest files next to its log files, under
``[prefix/]AWSLogs/[<org-id>/]<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/`` named
``<account>_CloudTrail-Digest_<region>_<trail>_<home-region>_<YYYYMMDDTHHMMSSZ>.json.gz`` (the digest's end). Each
lists the log files delivered since the digest before it (location, SHA-256 of the uncompressed file, oldest and
newest event), links to that digest (location, SHA-256 of its content, signature; all null for a chain's first) and
is signed SHA256withRSA with a key of its Region: the signature (hex) and the algorithm are the object's
``x-amz-meta-signature`` and ``x-amz-meta-signature-algorithm``. What is signed is the digest's end time, its
``bucket/key``, the SHA-256 of its content and the previous digest's signature ("null" for none), one per line.
ListPublicKeys gives the public keys (DER, PKCS #1); ``aws cloudtrail validate-logs`` checks the chain with them.

AWS writes a digest every hour. rootplane writes one with every delivery of log files, so that a test can validate
what it just logged: a delivery in the same second as the chain's last digest writes that digest again (its name has
a second's resolution, and no digest links to it yet), listing its log files and the new ones.
"""

from __future__ import annotations

import datetime as _dt
import functools
import gzip
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rootplane.core.rsa_keys import new_key, process_key
from rootplane.services.cloudtrail.tables import DigestChainRow, DigestKeyRow, TrailRow
from rootplane.store.engine import lock_name

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["DeliveredLog", "delete_chains", "public_keys", "write_digests"]

ALGORITHM = "SHA256withRSA"
_HASH = "SHA-256"
KEY_LIFETIME = _dt.timedelta(days=30)  # ListPublicKeys' example: each key valid for 30 days


@dataclass(frozen=True)
class DeliveredLog:
    """A log file a trail delivered: where, the SHA-256 of its uncompressed content, its oldest and newest event."""

    account_id: str
    region: str
    bucket: str
    key: str
    hash_value: str
    oldest: str
    newest: str

    def entry(self) -> dict[str, str]:
        return {"s3Bucket": self.bucket, "s3Object": self.key, "hashValue": self.hash_value, "hashAlgorithm": _HASH,
                "newestEventTime": self.newest, "oldestEventTime": self.oldest}


def _time_text(moment: _dt.datetime) -> str:
    return moment.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- signing keys ----------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=32)
def _private(pem: str) -> rsa.RSAPrivateKey:
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(pem.encode(), password=None)


def _public_der(key: rsa.RSAPrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)


def _keys(session: Session, region: str) -> list[DigestKeyRow]:
    return list(session.scalars(select(DigestKeyRow).where(DigestKeyRow.region == region)
                                .order_by(DigestKeyRow.valid_from)))


def _signing_key(session: Session, region: str, now: _dt.datetime) -> DigestKeyRow:
    """The Region's key for what is signed at ``now``: its newest, or a new one when it has none valid."""
    keys = _keys(session, region)
    if keys and now < keys[-1].valid_from + KEY_LIFETIME:
        return keys[-1]
    if lock_name(session, f"cloudtrail-digest-keys:{region}"):  # another worker may have just made one
        keys = _keys(session, region)
        if keys and now < keys[-1].valid_from + KEY_LIFETIME:
            return keys[-1]
    from cryptography.hazmat.primitives import serialization

    key = new_key() if keys else process_key(f"cloudtrail-digests:{region}")  # a rotated key is made anew
    fingerprint = hashlib.md5(_public_der(key), usedforsecurity=False).hexdigest()  # a name, not a protection
    row = DigestKeyRow(region=region, fingerprint=fingerprint, valid_from=now,
                       private_key_pem=key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()).decode())
    session.add(row)
    session.flush()
    return row


def public_keys(session: Session, region: str, start: _dt.datetime, end: _dt.datetime,
                now: _dt.datetime) -> list[dict[str, Any]]:
    """ListPublicKeys: the Region's keys valid at some time from ``start`` to ``end`` (the current key exists
    once asked for, as a Region always has one)."""
    _signing_key(session, region, now)
    return [{"Value": _public_der(_private(row.private_key_pem)), "ValidityStartTime": row.valid_from,
             "ValidityEndTime": row.valid_from + KEY_LIFETIME, "Fingerprint": row.fingerprint}
            for row in _keys(session, region) if row.valid_from <= end and start < row.valid_from + KEY_LIFETIME]


# -- digest files ----------------------------------------------------------------------------------------------------
def _digest_key(trail: TrailRow, prefix: str, account_id: str, region: str, end: _dt.datetime) -> str:
    return (f"{prefix}CloudTrail-Digest/{region}/{end:%Y/%m/%d}/{account_id}_CloudTrail-Digest_{region}_"
            f"{trail.name}_{trail.home_region}_{end:%Y%m%dT%H%M%SZ}.json.gz")


def _next_digest(last: dict[str, Any] | None, trail: TrailRow, end_text: str,
                 logs: list[DeliveredLog]) -> tuple[str, list[dict[str, str]], dict[str, Any] | None]:
    """(start time, log files, previous digest) of the digest ending at ``end_text``: the chain's last digest
    written again when it ends in the same second, else the one that follows it."""
    entries = [log.entry() for log in logs]
    if last is not None and last["end"] == end_text:
        return last["start"], last["logFiles"] + entries, last["previous"]
    if last is None:
        return _time_text(trail.started_at) if trail.started_at else end_text, entries, None
    previous = {name: last[name] for name in ("bucket", "key", "hash", "signature")}
    return last["end"], entries, previous


def _document(account_id: str, start: str, end: str, bucket: str, key: str, fingerprint: str,
              entries: list[dict[str, str]], previous: dict[str, Any] | None) -> dict[str, Any]:
    """The digest file's content, members in the order of the User Guide's sample."""
    previous = previous or {}
    return {
        "awsAccountId": account_id, "digestStartTime": start, "digestEndTime": end, "digestS3Bucket": bucket,
        "digestS3Object": key, "digestPublicKeyFingerprint": fingerprint, "digestSignatureAlgorithm": ALGORITHM,
        "newestEventTime": max((e["newestEventTime"] for e in entries), default=None),
        "oldestEventTime": min((e["oldestEventTime"] for e in entries), default=None),
        "previousDigestS3Bucket": previous.get("bucket"), "previousDigestS3Object": previous.get("key"),
        "previousDigestHashValue": previous.get("hash"),
        "previousDigestHashAlgorithm": _HASH if previous else None,
        "previousDigestSignature": previous.get("signature"),
        "logFiles": entries,
    }


def _sign(key: DigestKeyRow, end: str, bucket: str, object_key: str, content_hash: str,
          previous: dict[str, Any] | None) -> str:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signed = f"{end}\n{bucket}/{object_key}\n{content_hash}\n{(previous or {}).get('signature') or 'null'}"
    return _private(key.private_key_pem).sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256()).hex()


def write_digests(session: Session, trail: TrailRow, logs: list[DeliveredLog], prefix_of: Callable[[str], str],
                  may_write: Callable[[str], bool], put: Callable[[str, bytes, dict[str, str]], None],
                  now: _dt.datetime) -> None:
    """Write the digest of each account and Region ``logs`` (just delivered by ``trail``) came from, and note the
    delivery on the trail. ``prefix_of(account)`` is the account's ``[prefix/]AWSLogs/[<org-id>/]<account>/``;
    ``may_write(key)`` the bucket policy's answer for CloudTrail; ``put(key, body, metadata)`` stores the object."""
    lock_name(session, f"cloudtrail-digests:{trail.trail_arn}")  # one worker at a time extends the trail's chains
    end = now.replace(microsecond=0)
    end_text = _time_text(end)
    chains: dict[tuple[str, str], list[DeliveredLog]] = defaultdict(list)
    for log in logs:
        chains[(log.account_id, log.region)].append(log)
    for (account_id, region), delivered in chains.items():
        bucket, key = trail.s3_bucket_name, _digest_key(trail, prefix_of(account_id), account_id, region, end)
        if not may_write(key):
            trail.latest_digest_delivery_error = "AccessDenied"
            return
        chain = session.get(DigestChainRow, (trail.trail_arn, account_id, region))
        start, entries, previous = _next_digest(json.loads(chain.last_digest) if chain else None, trail, end_text,
                                                delivered)
        signing = _signing_key(session, region, now)
        content = json.dumps(_document(account_id, start, end_text, bucket, key, signing.fingerprint, entries,
                                       previous), separators=(",", ":")).encode()
        content_hash = hashlib.sha256(content).hexdigest()
        signature = _sign(signing, end_text, bucket, key, content_hash, previous)
        put(key, gzip.compress(content), {"signature": signature, "signature-algorithm": ALGORITHM})
        last = json.dumps({"bucket": bucket, "key": key, "start": start, "end": end_text, "hash": content_hash,
                           "signature": signature, "logFiles": entries, "previous": previous})
        if chain is None:
            session.add(DigestChainRow(trail_arn=trail.trail_arn, account_id=account_id, region=region,
                                       last_digest=last))
        else:
            chain.last_digest = last
    trail.latest_digest_delivery_time, trail.latest_digest_delivery_error = now, None


def delete_chains(session: Session, trail_arn: str) -> None:
    """A deleted trail's chains end with it (a trail made again under its name starts new ones)."""
    for chain in session.scalars(select(DigestChainRow).where(DigestChainRow.trail_arn == trail_arn)):
        session.delete(chain)
