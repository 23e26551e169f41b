"""Read-only views of IAM users by name, kept in a process cache that every committed change to the users invalidates.

GetUser and the authorization of every call naming a user (its ARN and tags are the resource's) read a user far
more often than anything changes it. A ``UserView`` is a frozen copy of the row's columns, cached per (account,
lower-cased name) in a ``TableCache`` over ``iam_users`` (store/changes.py): a commit that writes the table, here
or in another process on the same database (by notification), makes every entry stale, and a transaction that
wrote the table itself reads the row afresh. A request answered from the cache runs no SQL at all.

Handlers that change a user keep reading the ORM row (``entities.get_user``); views are never written back.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from rootplane.services.iam.repo import find_named
from rootplane.services.iam.tables import UserRow
from rootplane.store.changes import TableCache

__all__ = ["UserView", "find_user_view"]


@dataclass(frozen=True, slots=True)
class UserView:
    """The columns of one ``UserRow`` as they were committed, with the row's ``arn`` and ``tags``."""

    user_id: str
    account_id: str
    user_name: str
    path: str
    created_at: _dt.datetime
    password_last_used: _dt.datetime | None
    boundary_arn: str | None
    tag_list: tuple[tuple[str, str], ...]
    arn: str

    @property
    def tags(self) -> dict[str, str]:
        return dict(self.tag_list)


_VIEWS: TableCache[UserView | None] = TableCache([UserRow.__tablename__])


def _view_of(row: UserRow | None) -> UserView | None:
    if row is None:
        return None
    return UserView(row.user_id, row.account_id, row.user_name, row.path, row.created_at, row.password_last_used,
                    row.boundary_arn, tuple((key, value) for key, value in (row.tag_list or [])), row.arn)


def find_user_view(session: Session, account_id: str, user_name: str) -> UserView | None:
    """The user named ``user_name`` (case-insensitively) in ``account_id``, or None: from the cache when fresh."""
    return _VIEWS.get(session, (account_id, user_name.lower()),
                      lambda s: _view_of(find_named(s, UserRow, account_id, user_name)))
