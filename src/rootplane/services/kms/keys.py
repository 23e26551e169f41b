"""Finding a key from what a request names (key id, key ARN, alias name or alias ARN) and the states it may be in."""

from __future__ import annotations

import datetime as _dt
import re

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from rootplane.services.kms import repo
from rootplane.services.kms.errors import disabled, invalid_key_usage, invalid_state, not_found
from rootplane.services.kms.tables import KeyRow

__all__ = ["key_arn", "alias_arn", "alias_parts", "blob_binding", "resolve", "is_gone", "require_enabled", "require_not_pending_deletion", "require_usage", "ENABLED",
           "DISABLED", "PENDING_DELETION", "PENDING_IMPORT"]

ENABLED, DISABLED, PENDING_DELETION, PENDING_IMPORT = "Enabled", "Disabled", "PendingDeletion", "PendingImport"
_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key/(.+)$")
_ALIAS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(alias/.+)$")
_KEY_ID = re.compile(r"^(mrk-)?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$|^mrk-[0-9a-f]{32}$")


def key_arn(region: str, account_id: str, key_id: str) -> str:
    return f"arn:aws:kms:{region}:{account_id}:key/{key_id}"


def alias_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:kms:{region}:{account_id}:{name}"


def alias_parts(identifier: str, region: str, account_id: str) -> tuple[str, str, str] | None:
    """The Region, account and name of the alias an alias name (in ``region`` and ``account_id``) or alias ARN
    names; None for another identifier."""
    if identifier.startswith("alias/"):
        return region, account_id, identifier
    match = _ALIAS_ARN.match(identifier)
    return (match.group(1), match.group(2), match.group(3)) if match else None


def blob_binding(key: KeyRow) -> str:
    """What a ciphertext blob is bound to: the key's ARN, without its Region for a multi-Region key (so every
    replica decrypts what any of them encrypted, as AWS's multi-Region keys do)."""
    if key.primary_region is None:
        return key.arn
    return f"arn:aws:kms::{key.account_id}:key/{key.key_id}"


def is_gone(key: KeyRow, now: _dt.datetime) -> bool:
    """A key whose deletion waiting period has ended is deleted: it exists no more."""
    return key.state == PENDING_DELETION and key.deletion_date is not None and now >= key.deletion_date


def _key(session: Session, region: str, account_id: str, key_id: str, now: _dt.datetime, lock: bool) -> KeyRow:
    key = repo.find_key(session, key_id, region, lock=lock)
    if key is None or key.account_id != account_id or is_gone(key, now):
        raise not_found(f"Key '{key_arn(region, account_id, key_id)}' does not exist")
    if key.valid_to is not None and now >= key.valid_to and key.state != PENDING_DELETION:
        # Imported material past its ValidTo: the key reads as PendingImport (also in read-only transactions, so
        # the state is set as loaded, not as a change; writers that act on it set the state they mean).
        set_committed_value(key, "state", PENDING_IMPORT)
    return key


def resolve(session: Session, region: str, account_id: str, identifier: str, now: _dt.datetime, *,
            aliases: bool = True, lock: bool = False) -> KeyRow:
    """The key named by ``identifier`` as seen from ``account_id`` in ``region``; NotFoundException otherwise.
    ``lock``: the caller changes the key (its state, policy, description...): read it afresh and hold it until commit
    where the store needs it (``repo.find_key``)."""
    match = _KEY_ARN.match(identifier)
    if match:
        return _key(session, match.group(1), match.group(2), match.group(3), now, lock)
    if identifier.startswith(("alias/", "arn:")):
        parts = alias_parts(identifier, region, account_id)
        if aliases and parts is not None:
            alias_region, alias_account, name = parts
            alias = repo.find_alias(session, alias_account, alias_region, name)
            if alias is None:
                raise not_found(f"Alias {alias_arn(alias_region, alias_account, name)} is not found.")
            return _key(session, alias_region, alias_account, alias.key_id, now, lock)
        raise not_found(f"Invalid keyId '{identifier}'")
    if not _KEY_ID.match(identifier):
        raise not_found(f"Invalid keyId '{identifier}'")
    return _key(session, region, account_id, identifier, now, lock)


def require_enabled(key: KeyRow) -> None:
    """Cryptographic operations need an enabled key."""
    if key.state == DISABLED:
        raise disabled(key.arn)
    if key.state == PENDING_DELETION:
        raise invalid_state(f"{key.arn} is pending deletion.")
    if key.state == PENDING_IMPORT:
        raise invalid_state(f"{key.arn} is pending import.")


def require_not_pending_deletion(key: KeyRow) -> None:
    """Management operations that a key pending deletion refuses (UpdateKeyDescription, TagResource...)."""
    if key.state == PENDING_DELETION:
        raise invalid_state(f"{key.arn} is pending deletion.")


def require_usage(key: KeyRow, usage: str, operation: str) -> None:
    if key.key_usage != usage:
        raise invalid_key_usage(f"{key.arn} key usage is {key.key_usage} which is not valid for {operation}.")
