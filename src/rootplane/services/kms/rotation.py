"""Key material rotation of symmetric encryption keys (the KMS Developer Guide's "Rotate AWS KMS keys" and
"Perform on-demand key rotation").

A key's first material stays in its ``KeyRow``; each rotation adds a ``KeyMaterialRow``. Encrypt uses the newest
material, Decrypt the one a ciphertext names (crypto.py). While automatic rotation is enabled, a rotation falls
every rotation period from when it was enabled; one whose date has passed is stored when the key is next used
(``apply_due``) and, until then, reads already show it (``history``): its material id is derived from the key and
the date, so both agree. On-demand rotations (25 per key at most) complete at once and do not move the schedule.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import secrets
from dataclasses import dataclass

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.kms import repo
from rootplane.services.kms.crypto import new_material
from rootplane.services.kms.keys import blob_binding
from rootplane.services.kms.master import seal
from rootplane.services.kms.tables import KeyMaterialRow, KeyRow
from rootplane.store.engine import lock_name

__all__ = ["DEFAULT_ROTATION_DAYS", "ON_DEMAND_LIMIT", "Material", "first_material_id", "next_rotation_date",
           "history", "current_material_id", "apply_due", "rotate_on_demand", "material_binding"]

DEFAULT_ROTATION_DAYS = 365  # EnableKeyRotation's RotationPeriodInDays when it is not given
ON_DEMAND_LIMIT = 25  # on-demand rotations per key ("Perform on-demand key rotation")
AUTOMATIC, ON_DEMAND = "AUTOMATIC", "ON_DEMAND"


@dataclass(frozen=True)
class Material:
    """One key material of a key: the first (no rotation) or one a rotation added."""

    material_id: str
    rotation_type: str | None = None
    rotation_date: _dt.datetime | None = None


def first_material_id(key_id: str) -> str:
    return hashlib.sha256(f"{key_id}:first".encode()).hexdigest()


def _automatic_id(key_id: str, date: _dt.datetime) -> str:
    return hashlib.sha256(f"{key_id}:automatic:{date.isoformat()}".encode()).hexdigest()


def material_binding(key: KeyRow, material_id: str) -> str:
    """What a rotation's material is sealed to: the key (every Region of a multi-Region key) and the material id."""
    return f"{blob_binding(key)}/{material_id}"


def _schedule(key: KeyRow) -> tuple[_dt.datetime, _dt.timedelta]:
    return (key.rotation_started_at or key.created_at,
            _dt.timedelta(days=key.rotation_period_days or DEFAULT_ROTATION_DAYS))


def next_rotation_date(key: KeyRow, now: _dt.datetime) -> _dt.datetime:
    """The first automatic rotation after ``now``: one every rotation period from when rotation was enabled (from
    the key's creation for keys whose rotation was enabled before that was recorded)."""
    start, period = _schedule(key)
    return start + period * ((now - start) // period + 1)


def _due_dates(key: KeyRow, now: _dt.datetime) -> list[_dt.datetime]:
    """The automatic rotations whose date has passed and that are not yet stored (nor checked for). A multi-Region
    key rotates on its primary's schedule, with its primary ("Rotate AWS KMS keys": multi-Region keys)."""
    if (not key.rotation_enabled or key.key_spec != "SYMMETRIC_DEFAULT" or key.origin != "AWS_KMS"
            or key.primary_region not in (None, key.region)):
        return []
    start, period = _schedule(key)
    date = next_rotation_date(key, max(key.rotation_checked_at or start, start))
    dates = []
    while date <= now:
        dates.append(date)
        date += period
    return dates


def history(ctx: RequestContext, key: KeyRow) -> list[Material]:
    """Every material of ``key``, oldest first (the last is current), with the automatic rotations now due."""
    rows = repo.materials_of(ctx.session, key.key_id)
    stored = {row.material_id for row in rows}
    due = [Material(_automatic_id(key.key_id, date), AUTOMATIC, date) for date in _due_dates(key, ctx.now())]
    return [Material(first_material_id(key.key_id)),
            *(Material(row.material_id, row.rotation_type, row.rotation_date) for row in rows),
            *(material for material in due if material.material_id not in stored)]


def current_material_id(ctx: RequestContext, key: KeyRow) -> str:
    """The id of the material Encrypt would use now (DescribeKey's CurrentKeyMaterialId), without storing."""
    due = _due_dates(key, ctx.now())
    if due:
        return _automatic_id(key.key_id, due[-1])
    return key.current_material_id or first_material_id(key.key_id)


def _take_turns(ctx: RequestContext, key: KeyRow) -> list[KeyMaterialRow]:
    """The key's rotations, oldest first, read once they are held until commit: their writers in every Region of
    the key take turns."""
    lock_name(ctx.session, f"kms-key-materials:{key.key_id}")
    return repo.materials_of(ctx.session, key.key_id)


def _add(ctx: RequestContext, key: KeyRow, rows: list[KeyMaterialRow], material: Material) -> None:
    """Store new material as the key's current one (in every Region of a multi-Region key)."""
    sealed = seal(ctx.config, new_material("SYMMETRIC_DEFAULT"), material_binding(key, material.material_id))
    rows.append(repo.put(ctx.session, KeyMaterialRow(
        key_id=key.key_id, material_id=material.material_id, seq=len(rows) + 1, sealed_material=sealed,
        rotation_type=material.rotation_type, rotation_date=material.rotation_date)))
    for row in repo.replicas_of(ctx.session, key.key_id) if key.primary_region is not None else [key]:
        row.current_material_id = material.material_id


def _store_due(ctx: RequestContext, key: KeyRow, rows: list[KeyMaterialRow]) -> None:
    stored = {row.material_id for row in rows}  # another request (or Region) may have stored them meanwhile
    for date in _due_dates(key, ctx.now()):
        if _automatic_id(key.key_id, date) not in stored:
            _add(ctx, key, rows, Material(_automatic_id(key.key_id, date), AUTOMATIC, date))
    key.rotation_checked_at = ctx.now()


def apply_due(ctx: RequestContext, key: KeyRow) -> None:
    """Store the automatic rotations now due (nothing to read when none is)."""
    if _due_dates(key, ctx.now()):
        _store_due(ctx, key, _take_turns(ctx, key))


def rotate_on_demand(ctx: RequestContext, key: KeyRow) -> None:
    """Add new key material now; LimitExceededException after ``ON_DEMAND_LIMIT`` on-demand rotations."""
    rows = _take_turns(ctx, key)
    _store_due(ctx, key, rows)
    if sum(row.rotation_type == ON_DEMAND for row in rows) >= ON_DEMAND_LIMIT:
        raise AwsError("LimitExceededException",
                       f"The on-demand rotations of this KMS key exceed the limit of {ON_DEMAND_LIMIT}.", 400)
    _add(ctx, key, rows, Material(secrets.token_hex(32), ON_DEMAND, ctx.now()))
