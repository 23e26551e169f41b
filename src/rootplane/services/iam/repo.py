"""Queries over IAM rows. Every list is O(page): an indexed range scan after the marker's key, with LIMIT."""

from __future__ import annotations

import contextlib
import datetime as _dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import (
    ColumnElement, Integer, Select, Subquery, bindparam, case, delete, func, inspect, literal_column, null, select,
    tuple_, union_all, update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rootplane.core import page_token
from rootplane.core.errors import AwsError
from rootplane.services.accounts.tables import AccessKeyRow, AccountRow
from rootplane.services.signin.tables import PasskeyRow
from rootplane.services.iam.tables import (
    AccountAliasRow, AccountSettingsRow, AttachmentRow, GroupMemberRow, GroupRow, InlinePolicyRow,
    InstanceProfileRow, LoginProfileRow, ManagedPolicyRow, MfaDeviceRow, OidcProviderRow, PolicyVersionRow, RoleRow,
    PasswordHistoryRow, SamlProviderRow, ServerCertificateRow, ServiceCredentialRow,
    SigningCertificateRow, SshPublicKeyRow, UserRow,
)
from rootplane.store.engine import locks_rows
from rootplane.store.lazy import statements
from rootplane.store.paging import PreparedKeyset
from rootplane.store.prepared import PreparedStatement
from rootplane.store.rows import insert_values

__all__ = [
    "Page", "encode_marker", "decode_marker", "find_user", "find_named", "list_named", "reached_quota",
    "creation_check", "put", "insert", "flush", "remove", "user_by_id", "role_by_id", "users_by_ids", "group_ids_of_user", "list_groups_for_user", "list_group_users",
    "count_groups_of_user", "find_membership", "attached_arns", "list_attachments", "count_attachments",
    "find_attachment", "list_policy_entities", "list_boundary_entities", "attachment_counts", "boundary_counts", "list_customer_policies",
    "inline_policies", "find_inline", "inline_policy", "list_inline_names", "AttachedPolicy", "InlinePolicy",
    "InlinePolicyName", "EnabledMfaDevice", "inline_size", "find_policy_by_arn", "lock_policy",
    "policy_versions", "find_policy_version", "list_policy_versions", "find_login_profile",
    "find_mfa_device", "list_mfa_devices", "list_enabled_mfa_devices", "list_virtual_mfa_devices", "count_mfa_devices",
    "list_certificates", "find_certificate", "count_certificates", "settings", "find_settings", "password_policy", "find_alias", "alias_of",
    "profile_of_role", "delete_entity_links", "rekey_entity", "account_summary", "list_all_users",
    "login_profiles_of", "owners_with_mfa", "certificates_of_account", "list_ssh_keys", "count_ssh_keys",
    "find_ssh_key_by_fingerprint", "list_providers", "count_providers", "list_service_credentials",
    "password_history", "trim_password_history", "attachments_of",
    "group_names_of_users", "profiles_of_roles", "versions_of_policies", "list_attached_aws_arns",
    "access_keys_of_account",
]

Row = TypeVar("Row")
_NAMED = (UserRow, GroupRow, RoleRow, InstanceProfileRow, ManagedPolicyRow, ServerCertificateRow)


@dataclass(frozen=True)
class Page:
    """One page of rows and the marker of the next page (None when this is the last)."""

    rows: list[Any]
    marker: str | None

    @property
    def is_truncated(self) -> bool:
        return self.marker is not None


def encode_marker(*keys: str) -> str:
    """An opaque marker carrying the last key(s) of a page (core/page_token.py)."""
    return page_token.issue("iam", *keys)


def decode_marker(marker: str, parts: int = 1) -> tuple[str, ...]:
    """The ``parts`` keys of a marker ``encode_marker`` made; any other marker is IAM's ValidationError."""
    keys = page_token.resume("iam", marker, parts)
    if keys is None:
        raise AwsError("ValidationError", "Invalid Marker.", 400)
    return keys


def _page(session: Session, query: Select, keys: Sequence[Any], marker: str | None, max_items: int | None,
          key_of: Any, *, tuples: bool = False) -> Page:
    """Rows ordered by ``keys`` strictly after ``marker``; ``key_of(row)`` gives the marker keys of a row
    (``tuples``: the query selects columns, and rows are its named tuples rather than entities)."""
    limit = max_items or 100
    if marker:
        decoded = decode_marker(marker, len(keys))
        query = query.where((tuple_(*keys) if len(keys) > 1 else keys[0]) > (tuple_(*decoded) if len(keys) > 1 else decoded[0]))
    ordered = query.order_by(*keys).limit(limit + 1)
    rows = list(session.execute(ordered) if tuples else session.scalars(ordered))
    if len(rows) > limit:
        rows = rows[:limit]
        return Page(rows, encode_marker(*key_of(rows[-1])))
    return Page(rows, None)


class _Listing:
    """A read-only listing ordered by one key column, O(page) as ``_page``, on prepared statements
    (store/prepared.py: no expression building, cache-key walk or ORM per call; issue #19): one from the start, one
    after a marker. Rows are ``shape``s of the selected columns, the key first."""

    def __init__(self, query: Select, key: ColumnElement[Any], shape: Callable[..., Any]) -> None:
        self._shape = shape
        self._keyset = PreparedKeyset(query, key)

    def page(self, session: Session, params: dict[str, Any], marker: str | None, max_items: int | None) -> Page:
        limit = max_items or 100
        after = decode_marker(marker)[0] if marker else None
        rows = [self._shape(*row) for row in self._keyset.page(session, params, after, limit + 1)]
        if len(rows) > limit:
            return Page(rows[:limit], encode_marker(rows[limit - 1][0]))
        return Page(rows, None)


def _path_filter(row_cls: Any, path_prefix: str | None) -> list[ColumnElement[bool]]:
    if not path_prefix or path_prefix == "/":
        return []
    return [row_cls.path.like(_like_prefix(path_prefix), escape="\\")]


# -- named entities (users, groups, roles, instance profiles, customer policies) --------------------------------

@lru_cache(maxsize=None)
def _named_query(row_cls: Any, lock: bool) -> Select:
    """Built once per table: the lookup by (account, lower-cased name) with bound parameters (``lock``: FOR UPDATE,
    refreshing the row already in the session)."""
    query = select(row_cls).where(row_cls.account_id == bindparam("account_id"),
                                  row_cls.name_key == bindparam("name_key")).limit(1)
    return query.with_for_update().execution_options(populate_existing=True) if lock else query


def find_named(session: Session, row_cls: type[Row], account_id: str, name: str, *, lock: bool = False) -> Row | None:
    """An entity by name, case-insensitively, within one account.

    Found rows are remembered for the rest of the request (``session.info``): authorization and the handler
    ask for the same entity, and the second answer needs no SQL. A remembered row is used only while it is
    still in the session, not deleted and still has that name.

    ``lock``: where the store needs it (``locks_rows``), read the row afresh ``FOR UPDATE`` and hold it until commit,
    so that every request that checks or changes the entity's children (quotas, DeleteUser's checks) on any server
    runs one at a time; a row deleted or renamed meanwhile is not found.
    """
    name_key = name.lower()
    lock = lock and locks_rows(session)
    memo = session.info.setdefault("rootplane.iam.named", {})
    key = (row_cls, account_id, name_key)
    remembered = memo.get(key)
    if remembered is not None and (remembered[1] or not lock):
        row = remembered[0]
        state = inspect(row)
        if not (state.deleted or state.was_deleted or state.detached) and row.name_key == name_key:
            return row
    row = session.scalars(_named_query(row_cls, lock), {"account_id": account_id, "name_key": name_key}).first()
    if row is None:
        memo.pop(key, None)
    else:
        memo[key] = (row, lock)
    return row


def find_user(session: Session, account_id: str, user_name: str) -> UserRow | None:
    """The IAM user named ``user_name`` (has ``.path``, ``.user_id``, ``.tags``), used by the credential resolver."""
    return find_named(session, UserRow, account_id, user_name)


def _named_page(row_cls: Any, query: Select, with_path: bool, with_marker: bool) -> Select:
    """``query`` as a page of named entities by name_key, with bound account/path/marker/limit."""
    query = query.where(row_cls.account_id == bindparam("account_id"))
    if with_path:
        query = query.where(row_cls.path.like(bindparam("path_pattern"), escape="\\"))
    if with_marker:
        query = query.where(row_cls.name_key > bindparam("after"))
    return query.order_by(row_cls.name_key).limit(bindparam("limit", type_=Integer))


@lru_cache(maxsize=None)
def _named_page_query(row_cls: Any, with_path: bool, with_marker: bool) -> Select:
    """Built once per shape: a page of named entities."""
    return _named_page(row_cls, select(row_cls), with_path, with_marker)


@lru_cache(maxsize=None)
def _named_columns_page(row_cls: Any, columns: tuple[str, ...], with_path: bool,
                        with_marker: bool) -> PreparedStatement:
    """Built once per shape: a page of named entities' name_key and ``columns``, prepared (no ORM: issue #19)."""
    query = select(row_cls.name_key, *(getattr(row_cls, column) for column in columns))
    return PreparedStatement(_named_page(row_cls, query, with_path, with_marker))


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def list_named(session: Session, row_cls: Any, account_id: str, path_prefix: str | None, marker: str | None,
               max_items: int | None, *extra: ColumnElement[bool], columns: tuple[str, ...] | None = None) -> Page:
    """A page of users/groups/roles/... ordered by lower-cased name (prebuilt statement unless ``extra`` filters);
    with ``columns``, rows are tuples of the name_key and those columns, read without the ORM."""
    if extra:
        query = select(row_cls).where(row_cls.account_id == account_id, *_path_filter(row_cls, path_prefix), *extra)
        return _page(session, query, [row_cls.name_key], marker, max_items, lambda row: (row.name_key,))
    limit = max_items or 100
    with_path = bool(path_prefix) and path_prefix != "/"
    params: dict[str, Any] = {"account_id": account_id, "limit": limit + 1}
    if with_path:
        params["path_pattern"] = _like_prefix(path_prefix or "")
    if marker:
        params["after"] = decode_marker(marker)[0]
    if columns is None:
        rows: list[Any] = list(session.scalars(_named_page_query(row_cls, with_path, bool(marker)), params))
    else:
        rows = _named_columns_page(row_cls, columns, with_path, bool(marker)).typed_all(statements(session), params)
    if len(rows) > limit:
        last = rows[limit - 1]
        return Page(rows[:limit], encode_marker(last.name_key if columns is None else last[0]))
    return Page(rows, None)


@lru_cache(maxsize=None)
def _quota_probe(row_cls: Any) -> Select:
    """Built once per table: is there a ``quota``-th entity? (reads at most ``quota`` index entries)."""
    return (select(row_cls.account_id).where(row_cls.account_id == bindparam("account_id"))
            .limit(1).offset(bindparam("offset", type_=Integer)))


def reached_quota(session: Session, row_cls: Any, account_id: str, quota: int) -> bool:
    """Whether the account already has ``quota`` entities of this kind, without counting past the quota."""
    return session.scalars(_quota_probe(row_cls), {"account_id": account_id, "offset": quota - 1}).first() is not None


@lru_cache(maxsize=None)
def _creation_probe(row_cls: Any, dialect: str) -> PreparedStatement:
    """Built once per table and dialect: (is the name taken?, is there a ``quota``-th entity?) in one statement.

    The quota probe reads up to ``quota`` index entries (~0.1 ms at 4,000 users on SQLite). On SQLite it runs only
    when the table's largest rowid is not below the quota: rowids are distinct positive integers, so the table (all
    accounts) holds at most that many rows, and a store that never held ``quota`` rows answers in one index seek.
    """
    taken = (select(row_cls.account_id).where(row_cls.account_id == bindparam("account_id"),
                                              row_cls.name_key == bindparam("name_key")).limit(1))
    full: ColumnElement[Any] = _quota_probe(row_cls).scalar_subquery()
    if dialect == "sqlite":
        most_rows = select(func.max(literal_column("rowid"))).select_from(row_cls.__table__).scalar_subquery()
        full = case((most_rows < bindparam("quota", type_=Integer), null()), else_=full)
    return PreparedStatement(select(taken.scalar_subquery(), full))


def creation_check(session: Session, row_cls: Any, account_id: str, name: str, quota: int) -> tuple[bool, bool]:
    """(whether ``name`` is taken case-insensitively, whether the account already has ``quota`` entities of this
    kind) for a Create call, in one round trip; the name's unique constraint still refuses a racing insert.
    Run on the session's connection (pending changes flushed first), compiled once (store/prepared.py): the ORM's
    and Core's execution paths would cost more than the statement."""
    session.flush()
    connection = statements(session)
    taken, full = _creation_probe(row_cls, connection.dialect.name).one(connection, {
        "account_id": account_id, "name_key": name.lower(), "offset": quota - 1, "quota": quota})
    return taken is not None, full is not None


def put(session: Session, row: Row, *, conflict: AwsError | None = None) -> Row:
    """Insert a row now; ``conflict`` is the AWS error to answer when a constraint refuses it (see ``flush``)."""
    session.add(row)
    flush(session, conflict=conflict)
    return row


def insert(session: Session, row_cls: type, values: dict[str, Any], *, conflict: AwsError | None = None
           ) -> dict[str, Any]:
    """Insert a new ``row_cls`` row of ``values`` now, without the unit of work nor a mapped object
    (``store.rows.insert_values``: the completed values, for the answer); ``conflict`` as for ``put``."""
    with _refused_as(conflict):
        return insert_values(session, row_cls, values)


def flush(session: Session, *, conflict: AwsError | None = None) -> None:
    """Write pending changes now. A unique or foreign key constraint that refuses them (another server won a race
    the Python checks could not see) becomes ``conflict`` when given; the request's transaction then rolls back."""
    with _refused_as(conflict):
        session.flush()


@contextlib.contextmanager
def _refused_as(conflict: AwsError | None) -> Iterator[None]:
    """A constraint's refusal (``IntegrityError``) inside the block becomes ``conflict``, when one is given."""
    try:
        yield
    except IntegrityError:
        if conflict is None:
            raise
        raise conflict from None


def remove(session: Session, row: Any) -> None:
    session.delete(row)
    session.flush()


def session_of(row: Any) -> Session | None:
    """The session a loaded row belongs to (None once detached)."""
    return inspect(row).session


def user_by_id(session: Session, user_id: str) -> UserRow | None:
    return session.get(UserRow, user_id)


def role_by_id(session: Session, role_id: str) -> RoleRow | None:
    return session.get(RoleRow, role_id)


def users_by_ids(session: Session, user_ids: Iterable[str]) -> dict[str, UserRow]:
    ids = list(user_ids)
    if not ids:
        return {}
    return {row.user_id: row for row in session.scalars(select(UserRow).where(UserRow.user_id.in_(ids)))}


def delete_entity_links(session: Session, entity_id: str) -> None:
    """Remove the attachments and inline policies of a deleted entity."""
    session.execute(delete(AttachmentRow).where(AttachmentRow.entity_id == entity_id))
    session.execute(delete(InlinePolicyRow).where(InlinePolicyRow.entity_id == entity_id))


def rekey_entity(session: Session, entity_id: str, name: str) -> None:
    """Keep the denormalized names and ordering keys of a renamed user or group in step."""
    name_key = name.lower()
    session.execute(update(GroupMemberRow).where(GroupMemberRow.user_id == entity_id).values(user_key=name_key))
    session.execute(update(GroupMemberRow).where(GroupMemberRow.group_id == entity_id).values(group_key=name_key))
    session.execute(update(AttachmentRow).where(AttachmentRow.entity_id == entity_id).values(entity_key=name_key, entity_name=name))


# -- group membership --------------------------------------------------------------------------------------------

_GROUP_IDS_OF_USER = select(GroupMemberRow.group_id).where(GroupMemberRow.user_id == bindparam("user_id"))
_ATTACHED_ARNS = select(AttachmentRow.entity_id, AttachmentRow.policy_arn).where(
    AttachmentRow.entity_id.in_(bindparam("entity_ids", expanding=True)))
_INLINE_POLICIES = select(InlinePolicyRow).where(InlinePolicyRow.entity_id.in_(bindparam("entity_ids", expanding=True)))
_POLICY_VERSIONS = (select(ManagedPolicyRow, PolicyVersionRow)
                    .join(PolicyVersionRow, (PolicyVersionRow.policy_id == ManagedPolicyRow.policy_id)
                          & (PolicyVersionRow.version_id == ManagedPolicyRow.default_version_id))
                    .where(ManagedPolicyRow.arn.in_(bindparam("arns", expanding=True))))


def group_ids_of_user(session: Session, user_id: str) -> list[str]:
    """Hot path (every request of an IAM user): a prebuilt statement."""
    return list(session.scalars(_GROUP_IDS_OF_USER, {"user_id": user_id}))


def count_groups_of_user(session: Session, user_id: str) -> int:
    query = select(func.count()).select_from(GroupMemberRow).where(GroupMemberRow.user_id == user_id)
    return int(session.scalar(query) or 0)


def find_membership(session: Session, group_id: str, user_id: str) -> GroupMemberRow | None:
    return session.get(GroupMemberRow, (group_id, user_id))


def list_groups_for_user(session: Session, user_id: str, marker: str | None, max_items: int | None) -> Page:
    query = (select(GroupRow).join(GroupMemberRow, GroupMemberRow.group_id == GroupRow.group_id)
             .where(GroupMemberRow.user_id == user_id))
    return _page(session, query, [GroupMemberRow.group_key], marker, max_items, lambda row: (row.name_key,))


def list_group_users(session: Session, group_id: str, marker: str | None, max_items: int | None) -> Page:
    query = (select(UserRow).join(GroupMemberRow, GroupMemberRow.user_id == UserRow.user_id)
             .where(GroupMemberRow.group_id == group_id))
    return _page(session, query, [GroupMemberRow.user_key], marker, max_items, lambda row: (row.name_key,))


# -- managed policy attachments ----------------------------------------------------------------------------------

def attached_arns(session: Session, entity_ids: Sequence[str]) -> list[tuple[str, str]]:
    """(entity_id, policy_arn) of every policy attached to any of the entities: one indexed query."""
    return [(entity_id, arn) for entity_id, arn in session.execute(_ATTACHED_ARNS, {"entity_ids": list(entity_ids)})]


def find_attachment(session: Session, entity_id: str, policy_arn: str) -> AttachmentRow | None:
    return session.get(AttachmentRow, (entity_id, policy_arn))


def count_attachments(session: Session, entity_id: str) -> int:
    query = select(func.count()).select_from(AttachmentRow).where(AttachmentRow.entity_id == entity_id)
    return int(session.scalar(query) or 0)


class AttachedPolicy(NamedTuple):
    policy_arn: str
    policy_name: str


class InlinePolicyName(NamedTuple):
    policy_name: str


class InlinePolicy(NamedTuple):
    policy_name: str
    document: str


class EnabledMfaDevice(NamedTuple):
    serial_number: str
    enable_date: _dt.datetime


class _Listings(NamedTuple):
    attachments: _Listing
    inline_names: _Listing
    enabled_mfa: _Listing
    inline_policy: PreparedStatement


@lru_cache(maxsize=None)
def _listings() -> _Listings:
    """The prepared read-only listings, built on first use."""
    entity_id = bindparam("entity_id")
    enabled = _enabled_mfa(bindparam("account_id"))
    return _Listings(
        _Listing(select(AttachmentRow.policy_arn, AttachmentRow.policy_name).where(AttachmentRow.entity_id == entity_id),
                 AttachmentRow.policy_arn, AttachedPolicy),
        _Listing(select(InlinePolicyRow.policy_name).where(InlinePolicyRow.entity_id == entity_id),
                 InlinePolicyRow.policy_name, InlinePolicyName),
        _Listing(select(enabled.c.serial_number, enabled.c.enable_date).where(enabled.c.owner_id == bindparam("owner_id")),
                 enabled.c.serial_number, EnabledMfaDevice),
        PreparedStatement(select(InlinePolicyRow.policy_name, InlinePolicyRow.document).where(
            InlinePolicyRow.entity_id == entity_id, InlinePolicyRow.policy_name == bindparam("policy_name"))),
    )


def list_attachments(session: Session, entity_id: str, path_prefix: str | None, marker: str | None,
                     max_items: int | None) -> Page:
    """The managed policies attached to an entity (``AttachedPolicy`` rows), by ARN; those under ``path_prefix``."""
    if not path_prefix or path_prefix == "/":
        return _listings().attachments.page(session, {"entity_id": entity_id}, marker, max_items)
    query = select(AttachmentRow.policy_arn, AttachmentRow.policy_name).where(
        AttachmentRow.entity_id == entity_id, AttachmentRow.policy_arn.like(f"%:policy{path_prefix}%"))
    return _page(session, query, [AttachmentRow.policy_arn], marker, max_items, lambda row: (row.policy_arn,),
                 tuples=True)


def _entity_path_filter(account_id: str, path_prefix: str | None) -> list[ColumnElement[bool]]:
    """Attachments whose user, group or role lies under ``path_prefix``."""
    if not path_prefix or path_prefix == "/":
        return []
    ids = [select(row_cls.user_id if row_cls is UserRow else row_cls.group_id if row_cls is GroupRow else row_cls.role_id)
           .where(row_cls.account_id == account_id, *_path_filter(row_cls, path_prefix))
           for row_cls in (UserRow, GroupRow, RoleRow)]
    return [AttachmentRow.entity_id.in_(ids[0].union_all(ids[1], ids[2]))]


def list_policy_entities(session: Session, account_id: str, policy_arn: str, entity_type: str | None,
                         path_prefix: str | None, marker: str | None, max_items: int | None) -> Page:
    query = select(AttachmentRow).where(AttachmentRow.account_id == account_id, AttachmentRow.policy_arn == policy_arn,
                                        *_entity_path_filter(account_id, path_prefix))
    if entity_type:
        query = query.where(AttachmentRow.entity_type == entity_type)
    keys = [AttachmentRow.entity_type, AttachmentRow.entity_key]
    return _page(session, query, keys, marker, max_items, lambda row: (row.entity_type, row.entity_key))


def list_boundary_entities(session: Session, account_id: str, policy_arn: str, entity_type: str | None,
                           path_prefix: str | None, after: tuple[str, str] | None, limit: int) -> list[UserRow | RoleRow]:
    """Roles then users (AWS's type order) whose permissions boundary is ``policy_arn``, after (type, name_key)."""
    found: list[UserRow | RoleRow] = []
    for kind, row_cls in (("Role", RoleRow), ("User", UserRow)):
        if (entity_type and entity_type != kind) or (after and after[0] > kind) or len(found) > limit:
            continue
        query = select(row_cls).where(row_cls.account_id == account_id, row_cls.boundary_arn == policy_arn,
                                      *_path_filter(row_cls, path_prefix))
        if after and after[0] == kind:
            query = query.where(row_cls.name_key > after[1])
        found += session.scalars(query.order_by(row_cls.name_key).limit(limit + 1 - len(found)))
    return found


def attachment_counts(session: Session, account_id: str, policy_arns: Sequence[str]) -> dict[str, int]:
    """AttachmentCount of several policies in one grouped query."""
    query = (select(AttachmentRow.policy_arn, func.count()).where(
        AttachmentRow.account_id == account_id, AttachmentRow.policy_arn.in_(policy_arns))
        .group_by(AttachmentRow.policy_arn))
    return {arn: int(count) for arn, count in session.execute(query)}


def boundary_counts(session: Session, account_id: str, policy_arns: Sequence[str]) -> dict[str, int]:
    """PermissionsBoundaryUsageCount of several policies (users + roles), two grouped queries."""
    counts: dict[str, int] = {}
    for row_cls in (UserRow, RoleRow):
        query = (select(row_cls.boundary_arn, func.count()).where(
            row_cls.account_id == account_id, row_cls.boundary_arn.in_(policy_arns)).group_by(row_cls.boundary_arn))
        for arn, count in session.execute(query):
            counts[arn] = counts.get(arn, 0) + int(count)
    return counts


def _boundary_arns(account_id: str) -> Any:
    users = select(UserRow.boundary_arn).where(UserRow.account_id == account_id, UserRow.boundary_arn.is_not(None))
    roles = select(RoleRow.boundary_arn).where(RoleRow.account_id == account_id, RoleRow.boundary_arn.is_not(None))
    return users.union_all(roles)


def list_customer_policies(session: Session, account_id: str, path_prefix: str | None, only_attached: bool,
                           marker: str | None, max_items: int | None, *, only_boundaries: bool = False) -> Page:
    """Customer policies by name; ``only_attached``: attached to an entity, ``only_boundaries``: some boundary."""
    extra = []
    if only_attached:
        extra.append(ManagedPolicyRow.arn.in_(select(AttachmentRow.policy_arn).where(AttachmentRow.account_id == account_id)))
    if only_boundaries:
        extra.append(ManagedPolicyRow.arn.in_(_boundary_arns(account_id)))
    return list_named(session, ManagedPolicyRow, account_id, path_prefix, marker, max_items, *extra)


@lru_cache(maxsize=None)
def _summary_statement() -> PreparedStatement:
    """GetAccountSummary's counts and the root user's four flags as one row of scalar subqueries, one bound
    ``account_id``: sixteen ORM queries cost a call 5 ms of CPU (issue #19)."""
    account = bindparam("account_id")

    def counted(row_cls: Any, *where: ColumnElement[bool]) -> Any:
        return select(func.count()).select_from(row_cls).where(row_cls.account_id == account, *where)\
            .scalar_subquery()

    enabled = _enabled_mfa(account)
    has_password = select(case((func.coalesce(AccountRow.root_password_hash, "") == "", 0), else_=1)).where(
        AccountRow.account_id == account).scalar_subquery()
    token_version = select(AccountSettingsRow.sts_token_version).where(
        AccountSettingsRow.account_id == account).scalar_subquery()
    return PreparedStatement(select(
        counted(UserRow), counted(GroupRow), counted(RoleRow), counted(ManagedPolicyRow), counted(InstanceProfileRow),
        counted(MfaDeviceRow), select(func.count()).select_from(enabled).scalar_subquery(), counted(AttachmentRow),
        counted(ServerCertificateRow), counted(OidcProviderRow), counted(SamlProviderRow),
        select(func.count()).select_from(enabled).where(enabled.c.owner_id == account).scalar_subquery(),
        counted(AccessKeyRow, AccessKeyRow.user_name.is_(None)), has_password,
        counted(SigningCertificateRow, SigningCertificateRow.owner_id == account), token_version))


def account_summary(session: Session, account_id: str) -> dict[str, int]:
    """GetAccountSummary's counts (MFADevicesInUse: devices enabled, passkeys included; PolicyVersionsInUse: managed
    policy attachments; Providers: OIDC and SAML), the root user's flags (0/1: MFA, access keys, a password,
    signing certificates) and GlobalEndpointTokenVersion (1 until set)."""
    (users, groups, roles, policies, profiles, devices, in_use, attachments, certificates, oidc, saml, root_mfa,
     root_keys, root_password, root_certificates, token_version) = _summary_statement().one(
        statements(session), {"account_id": account_id})
    return {
        "Users": users, "Groups": groups, "Roles": roles, "Policies": policies, "InstanceProfiles": profiles,
        "MFADevices": devices, "MFADevicesInUse": in_use, "PolicyVersionsInUse": attachments,
        "ServerCertificates": certificates, "Providers": oidc + saml, "GlobalEndpointTokenVersion": token_version or 1,
        "AccountMFAEnabled": int(root_mfa > 0), "AccountAccessKeysPresent": int(root_keys > 0),
        "AccountPasswordPresent": int(bool(root_password)), "AccountSigningCertificatesPresent":
            int(root_certificates > 0),
    }


def list_all_users(session: Session, account_id: str) -> list[UserRow]:
    """Every user of the account (credential reports only: AWS builds them offline, not per request)."""
    return list(session.scalars(select(UserRow).where(UserRow.account_id == account_id).order_by(UserRow.name_key)))


def login_profiles_of(session: Session, user_ids: Sequence[str]) -> dict[str, LoginProfileRow]:
    if not user_ids:
        return {}
    query = select(LoginProfileRow).where(LoginProfileRow.user_id.in_(user_ids))
    return {row.user_id: row for row in session.scalars(query)}


def owners_with_mfa(session: Session, account_id: str) -> set[str]:
    enabled = _enabled_mfa(account_id)
    return set(session.scalars(select(enabled.c.owner_id).distinct()))


def access_keys_of_account(session: Session, account_id: str) -> list[AccessKeyRow]:
    """Every long-term access key of the account (root's and users'), oldest first: credential reports only."""
    query = select(AccessKeyRow).where(AccessKeyRow.account_id == account_id)
    return list(session.scalars(query.order_by(AccessKeyRow.created_at)))


def certificates_of_account(session: Session, account_id: str) -> list[SigningCertificateRow]:
    query = select(SigningCertificateRow).where(SigningCertificateRow.account_id == account_id)
    return list(session.scalars(query.order_by(SigningCertificateRow.uploaded_at)))


# -- inline policies ---------------------------------------------------------------------------------------------

def inline_policies(session: Session, entity_ids: Sequence[str]) -> list[InlinePolicyRow]:
    return list(session.scalars(_INLINE_POLICIES, {"entity_ids": list(entity_ids)}))


def find_inline(session: Session, entity_id: str, policy_name: str) -> InlinePolicyRow | None:
    return session.get(InlinePolicyRow, (entity_id, policy_name))


def inline_policy(session: Session, entity_id: str, policy_name: str) -> InlinePolicy | None:
    """An entity's inline policy to read (``find_inline``: the row, to change)."""
    row = _listings().inline_policy.typed_first(statements(session), {"entity_id": entity_id,
                                                                      "policy_name": policy_name})
    return InlinePolicy(*row) if row is not None else None


def list_inline_names(session: Session, entity_id: str, marker: str | None, max_items: int | None) -> Page:
    """The names of an entity's inline policies (rows with ``policy_name``)."""
    return _listings().inline_names.page(session, {"entity_id": entity_id}, marker, max_items)


def inline_size(session: Session, entity_id: str, excluding: str | None = None) -> int:
    """Aggregate characters of an entity's inline policies (quota), optionally without one policy."""
    query = select(func.coalesce(func.sum(func.length(InlinePolicyRow.document)), 0)).where(
        InlinePolicyRow.entity_id == entity_id)
    if excluding is not None:
        query = query.where(InlinePolicyRow.policy_name != excluding)
    return int(session.scalar(query) or 0)


# -- customer managed policies -----------------------------------------------------------------------------------

def find_policy_by_arn(session: Session, arn: str, *, lock: bool = False) -> ManagedPolicyRow | None:
    """A customer managed policy; ``lock`` as in ``find_named`` (its version count and attachments are checked)."""
    query = select(ManagedPolicyRow).where(ManagedPolicyRow.arn == arn)
    if lock and locks_rows(session):
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).first()


def lock_policy(session: Session, arn: str) -> bool:
    """Where the store needs it (``locks_rows``), lock a customer managed policy's row until commit, as DeletePolicy
    does before counting its attachments; False when the policy is gone."""
    return not locks_rows(session) or find_policy_by_arn(session, arn, lock=True) is not None


def policy_versions(session: Session, arns: Sequence[str]) -> list[tuple[ManagedPolicyRow, PolicyVersionRow]]:
    """Customer policies by ARN with their default version: one join."""
    return [(policy, version) for policy, version in session.execute(_POLICY_VERSIONS, {"arns": list(arns)})]


def find_policy_version(session: Session, policy_id: str, version_id: str) -> PolicyVersionRow | None:
    return session.get(PolicyVersionRow, (policy_id, version_id))


def list_policy_versions(session: Session, policy_id: str) -> list[PolicyVersionRow]:
    """At most five rows by quota, newest first."""
    query = select(PolicyVersionRow).where(PolicyVersionRow.policy_id == policy_id)
    return list(session.scalars(query.order_by(PolicyVersionRow.version_number.desc())))


# -- login profiles, MFA, certificates ---------------------------------------------------------------------------

def find_login_profile(session: Session, user_id: str) -> LoginProfileRow | None:
    return session.get(LoginProfileRow, user_id)


def find_mfa_device(session: Session, serial_number: str, *, for_update: bool = False) -> MfaDeviceRow | None:
    """The device; ``for_update`` locks its row for the transaction (serializes MFA code checks on PostgreSQL)."""
    return session.get(MfaDeviceRow, serial_number, with_for_update=for_update or None)


def list_mfa_devices(session: Session, account_id: str, owner_id: str, marker: str | None,
                     max_items: int | None) -> Page:
    """The virtual (TOTP) devices enabled for ``owner_id`` (the codes a sign-in may check)."""
    query = select(MfaDeviceRow).where(MfaDeviceRow.account_id == account_id, MfaDeviceRow.owner_id == owner_id)
    return _page(session, query, [MfaDeviceRow.serial_number], marker, max_items, lambda row: (row.serial_number,))


def _enabled_mfa(account_id: Any) -> Subquery:
    """The one query of every MFA device enabled in an account, as (serial_number, owner_id, enable_date): virtual
    devices assigned to a user or the root user, and the root user's passkeys and security keys (the console's
    ``signin_passkeys``, owner the account id, enabled when registered), as AWS's IAM lists and counts them."""
    virtual = select(MfaDeviceRow.serial_number, MfaDeviceRow.owner_id, MfaDeviceRow.enabled_at.label("enable_date")) \
        .where(MfaDeviceRow.account_id == account_id, MfaDeviceRow.owner_id.is_not(None))
    passkeys = select(PasskeyRow.serial_number, PasskeyRow.account_id.label("owner_id"),
                      PasskeyRow.created_at.label("enable_date")).where(PasskeyRow.account_id == account_id)
    return union_all(virtual, passkeys).subquery("enabled_mfa")


def list_enabled_mfa_devices(session: Session, account_id: str, owner_id: str, marker: str | None,
                             max_items: int | None) -> Page:
    """Every MFA device enabled for ``owner_id`` (ListMFADevices): ``EnabledMfaDevice`` rows."""
    return _listings().enabled_mfa.page(session, {"account_id": account_id, "owner_id": owner_id}, marker, max_items)


def count_mfa_devices(session: Session, account_id: str, owner_id: str | None = None) -> int:
    """MFA devices enabled for ``owner_id``, or in use in the whole account (passkeys included)."""
    enabled = _enabled_mfa(account_id)
    query = select(func.count()).select_from(enabled)
    if owner_id is not None:
        query = query.where(enabled.c.owner_id == owner_id)
    return int(session.scalar(query) or 0)


def list_virtual_mfa_devices(session: Session, account_id: str, assignment: str, marker: str | None,
                             max_items: int | None) -> Page:
    query = select(MfaDeviceRow).where(MfaDeviceRow.account_id == account_id)
    if assignment == "Assigned":
        query = query.where(MfaDeviceRow.owner_id.is_not(None))
    elif assignment == "Unassigned":
        query = query.where(MfaDeviceRow.owner_id.is_(None))
    return _page(session, query, [MfaDeviceRow.serial_number], marker, max_items, lambda row: (row.serial_number,))


def list_certificates(session: Session, account_id: str, owner_id: str) -> list[SigningCertificateRow]:
    """At most two rows by quota, oldest first."""
    query = select(SigningCertificateRow).where(
        SigningCertificateRow.account_id == account_id, SigningCertificateRow.owner_id == owner_id)
    return list(session.scalars(query.order_by(SigningCertificateRow.uploaded_at)))


def find_certificate(session: Session, certificate_id: str) -> SigningCertificateRow | None:
    return session.get(SigningCertificateRow, certificate_id)


def count_certificates(session: Session, account_id: str, owner_id: str) -> int:
    query = select(func.count()).select_from(SigningCertificateRow).where(
        SigningCertificateRow.account_id == account_id, SigningCertificateRow.owner_id == owner_id)
    return int(session.scalar(query) or 0)


# -- instance profiles -------------------------------------------------------------------------------------------

def profile_of_role(session: Session, role_id: str) -> list[InstanceProfileRow]:
    return list(session.scalars(select(InstanceProfileRow).where(InstanceProfileRow.role_id == role_id)))


# -- account settings --------------------------------------------------------------------------------------------

def find_settings(session: Session, account_id: str) -> AccountSettingsRow | None:
    """The account's settings row if any (read paths: never insert, so reads stay read-only transactions)."""
    return session.get(AccountSettingsRow, account_id)


@lru_cache(maxsize=None)
def _password_policy_statement() -> PreparedStatement:
    return PreparedStatement(select(AccountSettingsRow.password_policy).where(
        AccountSettingsRow.account_id == bindparam("account_id")))


def password_policy(session: Session, account_id: str) -> dict[str, Any] | None:
    """The account's password policy, if it has one (one prepared statement: issue #19)."""
    row = _password_policy_statement().typed_first(statements(session), {"account_id": account_id})
    return row[0] if row is not None else None


def settings(session: Session, account_id: str) -> AccountSettingsRow:
    """The account's settings row, created on first use (write paths only)."""
    row = session.get(AccountSettingsRow, account_id)
    if row is None:
        row = put(session, AccountSettingsRow(account_id=account_id))
    return row


def find_alias(session: Session, alias: str) -> AccountAliasRow | None:
    return session.get(AccountAliasRow, alias)


def alias_of(session: Session, account_id: str) -> AccountAliasRow | None:
    return session.scalars(select(AccountAliasRow).where(AccountAliasRow.account_id == account_id)).first()


# -- SSH public keys, identity providers, service-specific credentials, password history -------------------------

def list_ssh_keys(session: Session, user_id: str, marker: str | None, max_items: int | None) -> Page:
    query = select(SshPublicKeyRow).where(SshPublicKeyRow.user_id == user_id)
    return _page(session, query, [SshPublicKeyRow.key_id], marker, max_items, lambda row: (row.key_id,))


def count_ssh_keys(session: Session, user_id: str) -> int:
    query = select(func.count()).select_from(SshPublicKeyRow).where(SshPublicKeyRow.user_id == user_id)
    return int(session.scalar(query) or 0)


def find_ssh_key_by_fingerprint(session: Session, user_id: str, fingerprint: str) -> SshPublicKeyRow | None:
    query = select(SshPublicKeyRow).where(SshPublicKeyRow.user_id == user_id, SshPublicKeyRow.fingerprint == fingerprint)
    return session.scalars(query.limit(1)).first()


def list_providers(session: Session, row_cls: Any, account_id: str) -> list[Any]:
    """Every OIDC or SAML provider of the account (at most 100 by quota), ordered by ARN."""
    return list(session.scalars(select(row_cls).where(row_cls.account_id == account_id).order_by(row_cls.arn)))


def count_providers(session: Session, row_cls: Any, account_id: str) -> int:
    return int(session.scalar(select(func.count()).select_from(row_cls).where(row_cls.account_id == account_id)) or 0)


def list_service_credentials(session: Session, account_id: str, user_id: str | None,
                             service_name: str | None) -> list[ServiceCredentialRow]:
    """One user's credentials (at most two per service), or the whole account's when ``user_id`` is None."""
    query = select(ServiceCredentialRow).where(ServiceCredentialRow.account_id == account_id)
    if user_id is not None:
        query = query.where(ServiceCredentialRow.user_id == user_id)
    if service_name:
        query = query.where(ServiceCredentialRow.service_name == service_name)
    return list(session.scalars(query.order_by(ServiceCredentialRow.created_at, ServiceCredentialRow.credential_id)))


def password_history(session: Session, user_id: str, limit: int) -> list[PasswordHistoryRow]:
    """The user's ``limit`` most recent previous passwords, newest first."""
    query = select(PasswordHistoryRow).where(PasswordHistoryRow.user_id == user_id)
    return list(session.scalars(query.order_by(PasswordHistoryRow.changed_at.desc()).limit(limit)))


def trim_password_history(session: Session, user_id: str, keep: int) -> None:
    """Forget all but the ``keep`` most recent previous passwords."""
    stale = [row.entry_id for row in password_history(session, user_id, keep + 50)[keep:]]
    if stale:
        session.execute(delete(PasswordHistoryRow).where(PasswordHistoryRow.entry_id.in_(stale)))


# -- GetAccountAuthorizationDetails: one batched query per relation for a page of entities ----------------------

def attachments_of(session: Session, entity_ids: Sequence[str]) -> list[AttachmentRow]:
    if not entity_ids:
        return []
    query = select(AttachmentRow).where(AttachmentRow.entity_id.in_(entity_ids))
    return list(session.scalars(query.order_by(AttachmentRow.entity_id, AttachmentRow.policy_arn)))


def group_names_of_users(session: Session, user_ids: Sequence[str]) -> dict[str, list[str]]:
    if not user_ids:
        return {}
    query = (select(GroupMemberRow.user_id, GroupRow.group_name)
             .join(GroupRow, GroupRow.group_id == GroupMemberRow.group_id)
             .where(GroupMemberRow.user_id.in_(user_ids)).order_by(GroupMemberRow.group_key))
    names: dict[str, list[str]] = {}
    for user_id, group_name in session.execute(query):
        names.setdefault(user_id, []).append(group_name)
    return names


def profiles_of_roles(session: Session, role_ids: Sequence[str]) -> list[InstanceProfileRow]:
    if not role_ids:
        return []
    return list(session.scalars(select(InstanceProfileRow).where(InstanceProfileRow.role_id.in_(role_ids))))


def versions_of_policies(session: Session, policy_ids: Sequence[str]) -> list[PolicyVersionRow]:
    if not policy_ids:
        return []
    query = select(PolicyVersionRow).where(PolicyVersionRow.policy_id.in_(policy_ids))
    return list(session.scalars(query.order_by(PolicyVersionRow.policy_id, PolicyVersionRow.version_number.desc())))


def list_attached_aws_arns(session: Session, account_id: str, marker: str | None, max_items: int | None) -> Page:
    """ARNs of AWS managed policies attached to something in the account, each once, by ARN."""
    query = select(AttachmentRow.policy_arn).where(
        AttachmentRow.account_id == account_id, AttachmentRow.policy_arn.like("arn:aws:iam::aws:policy/%")).distinct()
    return _page(session, query, [AttachmentRow.policy_arn], marker, max_items, lambda arn: (arn,))
