"""What Organizations' reads need of the caller's organization, kept in a process cache that every committed change
to what it is read from invalidates; and a page of member accounts in one prepared statement.

Every Organizations call first finds the caller's organization and whether the caller may administer it; the reads
(DescribeOrganization, ListAccounts, ListRoots) did it with three or four ORM queries, most of their CPU (issue #19).
A ``CallerOrganization`` is a frozen copy of those facts in a ``TableCache`` over the organizations, memberships,
delegated administrators and accounts (store/changes.py): a commit that writes one of them, here or in another
process on the same database (by notification), makes every entry stale, and a transaction that wrote one reads
afresh. Handlers that change the organization load its ORM row (caller.py).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from rootplane.services.accounts import repo as accounts
from rootplane.services.accounts.tables import AccountRow
from rootplane.services.organizations import repo
from rootplane.services.organizations.tables import DelegatedAdminRow, MembershipRow, OrganizationRow
from rootplane.store.changes import TableCache, frozen_copy
from rootplane.store.paging import PreparedKeyset

__all__ = ["OrganizationView", "CallerOrganization", "caller_organization", "Member", "member_page"]


@dataclass(frozen=True, slots=True)
class OrganizationView:
    """The columns of one ``OrganizationRow`` as they were committed."""

    id: str
    management_account_id: str
    feature_set: str
    root_id: str
    policy_types: str
    created_at: _dt.datetime

    def enabled_types(self) -> list[str]:
        return self.policy_types.split()


class CallerOrganization(NamedTuple):
    """The organization an account belongs to, as its calls see it."""

    organization: OrganizationView
    may_administer: bool  # the management account, or a delegated administrator for some service
    management_email: str


_CALLERS: TableCache[CallerOrganization | None] = TableCache(row.__tablename__ for row in (
    OrganizationRow, MembershipRow, DelegatedAdminRow, AccountRow))


def caller_organization(session: Session, account_id: str) -> CallerOrganization | None:
    """The organization of ``account_id`` (None: it belongs to none): from the cache when fresh."""
    return _CALLERS.get(session, account_id, lambda s: _read_caller(s, account_id))


def _read_caller(session: Session, account_id: str) -> CallerOrganization | None:
    found = repo.organization_of(session, account_id)
    if found is None:
        return None
    organization = frozen_copy(OrganizationView, found[0])
    management = found[0].management_account_id
    may_administer = management == account_id or bool(
        repo.list_delegations_for_account(session, account_id, None, 1))
    account = accounts.find_account(session, management)
    return CallerOrganization(organization, may_administer, account.email if account is not None else "")


class Member(NamedTuple):
    """What ListAccounts shows of a member account: its membership's and its account's columns."""

    account_id: str
    path: str
    joined_method: str
    joined_at: _dt.datetime
    email: str
    name: str
    status: str
    closed_at: _dt.datetime | None


@lru_cache(maxsize=None)
def _members() -> PreparedKeyset:
    """The organization's members by account id."""
    return PreparedKeyset(
        select(MembershipRow.account_id, MembershipRow.path, MembershipRow.joined_method, MembershipRow.joined_at,
               AccountRow.email, AccountRow.name, AccountRow.status, AccountRow.closed_at)
        .join(AccountRow, AccountRow.account_id == MembershipRow.account_id)
        .where(MembershipRow.org_id == bindparam("org_id")), MembershipRow.account_id)


def member_page(session: Session, org_id: str, after: str | None, limit: int) -> list[Member]:
    """Up to ``limit`` members of the organization after account ``after``, by account id (``repo.list_members``
    without the ORM)."""
    return [Member(*row) for row in _members().page(session, {"org_id": org_id}, after, limit)]
