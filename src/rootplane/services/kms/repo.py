"""Queries for keys, aliases and grants (indexed, paged by id or name)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import Session

from rootplane.services.kms.tables import AliasRow, GrantRow, ImportTokenRow, KeyMaterialRow, KeyRow
from rootplane.store.engine import get_row
from rootplane.store.paging import keyset_page

__all__ = [
    "find_key", "replicas_of", "materials_of", "find_material", "find_import_token", "delete_import_tokens", "list_keys", "put", "delete_key", "find_alias", "alias_names", "list_aliases", "aliases_of", "delete_alias",
    "find_grant", "find_grant_by_token", "grants_of", "list_grants", "list_retirable_grants", "delete_grant",
]


def put(session: Session, row):
    session.add(row)
    return row


def find_key(session: Session, key_id: str, region: str | None = None, *, lock: bool = False) -> KeyRow | None:
    """The key ``key_id`` in ``region`` (None: in any Region, a multi-Region key's primary first).

    ``lock`` (with a Region): where the store needs it (``locks_rows``: PostgreSQL's writers), read the row afresh
    ``FOR UPDATE`` and hold it until commit, so that two requests changing one key's state (ScheduleKeyDeletion on
    two servers) take turns and the second sees the first's change."""
    if region is not None:
        return get_row(session, KeyRow, (key_id, region), lock="update" if lock else None)
    rows = replicas_of(session, key_id)
    return next((row for row in rows if row.region == row.primary_region), rows[0] if rows else None)


def replicas_of(session: Session, key_id: str) -> list[KeyRow]:
    """Every Region's row of a key (one for a single-Region key), by Region."""
    return list(session.scalars(select(KeyRow).where(KeyRow.key_id == key_id).order_by(KeyRow.region)))


def materials_of(session: Session, key_id: str) -> list[KeyMaterialRow]:
    """The key material rotations added to a key, oldest first."""
    return list(session.scalars(select(KeyMaterialRow).where(KeyMaterialRow.key_id == key_id)
                                .order_by(KeyMaterialRow.seq)))


def find_material(session: Session, key_id: str, material_id: str) -> KeyMaterialRow | None:
    return session.get(KeyMaterialRow, (key_id, material_id))


def find_import_token(session: Session, token_id: str) -> ImportTokenRow | None:
    return session.get(ImportTokenRow, token_id)


def delete_import_tokens(session: Session, key_id: str, region: str) -> None:
    session.execute(delete(ImportTokenRow).where(ImportTokenRow.key_id == key_id, ImportTokenRow.region == region))


def list_keys(session: Session, account_id: str, region: str, after: str | None, limit: int) -> list[KeyRow]:
    query = select(KeyRow).where(KeyRow.account_id == account_id, KeyRow.region == region)
    return keyset_page(session, query, KeyRow.key_id, after, limit)


def delete_key(session: Session, key: KeyRow) -> None:
    """The key with its aliases, grants and rotated key material (a key whose waiting period ended)."""
    session.execute(delete(AliasRow).where(AliasRow.key_id == key.key_id, AliasRow.region == key.region))
    session.execute(delete(GrantRow).where(GrantRow.key_id == key.key_id, GrantRow.region == key.region))
    if len(replicas_of(session, key.key_id)) == 1:  # the last Region's key: grants recorded without one and rotated material go too
        session.execute(delete(GrantRow).where(GrantRow.key_id == key.key_id, GrantRow.region.is_(None)))
        session.execute(delete(KeyMaterialRow).where(KeyMaterialRow.key_id == key.key_id))
    session.delete(key)


def find_alias(session: Session, account_id: str, region: str, name: str) -> AliasRow | None:
    return session.scalars(select(AliasRow).where(
        AliasRow.account_id == account_id, AliasRow.region == region, AliasRow.name == name)).first()


def alias_names(session: Session, account_id: str, region: str, names: tuple[str, ...]) -> set[str]:
    """Which of ``names`` are aliases in the account and Region."""
    return set(session.scalars(select(AliasRow.name).where(
        AliasRow.account_id == account_id, AliasRow.region == region, AliasRow.name.in_(names))))


def list_aliases(session: Session, account_id: str, region: str, key_id: str | None, after: str | None,
                 limit: int) -> list[AliasRow]:
    query = select(AliasRow).where(AliasRow.account_id == account_id, AliasRow.region == region)
    if key_id is not None:
        query = query.where(AliasRow.key_id == key_id)
    return keyset_page(session, query, AliasRow.name, after, limit)


def aliases_of(session: Session, key_id: str) -> list[str]:
    return list(session.scalars(select(AliasRow.name).where(AliasRow.key_id == key_id).order_by(AliasRow.name)))


def delete_alias(session: Session, alias: AliasRow) -> None:
    session.delete(alias)


def _in_region(region: str) -> ColumnElement[bool]:
    """Grants of ``region`` (and those recorded before grants had a Region: every Region's, see ``GrantRow``)."""
    return or_(GrantRow.region == region, GrantRow.region.is_(None))


def find_grant(session: Session, grant_id: str, key: KeyRow) -> GrantRow | None:
    """The grant ``grant_id`` of ``key`` (in its Region)."""
    grant = session.get(GrantRow, grant_id)
    return grant if grant is not None and grant.key_id == key.key_id and grant.region in (key.region, None) else None


def find_grant_by_token(session: Session, token: str, region: str) -> GrantRow | None:
    return session.scalars(select(GrantRow).where(GrantRow.token == token, _in_region(region))).first()


def grants_of(session: Session, key: KeyRow) -> list[GrantRow]:
    """The grants of ``key`` in its Region."""
    return list(session.scalars(select(GrantRow).where(GrantRow.key_id == key.key_id, _in_region(key.region))
                                .order_by(GrantRow.grant_id)))


def list_grants(session: Session, key: KeyRow, after: str | None, limit: int, grant_id: str | None = None,
                grantee: str | None = None) -> list[GrantRow]:
    query = select(GrantRow).where(GrantRow.key_id == key.key_id, _in_region(key.region))
    if grant_id is not None:
        query = query.where(GrantRow.grant_id == grant_id)
    if grantee is not None:
        query = query.where(GrantRow.grantee_principal == grantee)
    return keyset_page(session, query, GrantRow.grant_id, after, limit)


def list_retirable_grants(session: Session, retiring_principal: str, region: str, after: str | None,
                          limit: int) -> list[GrantRow]:
    query = select(GrantRow).where(GrantRow.retiring_principal == retiring_principal, _in_region(region))
    return keyset_page(session, query, GrantRow.grant_id, after, limit)


def delete_grant(session: Session, grant: GrantRow) -> None:
    session.delete(grant)
