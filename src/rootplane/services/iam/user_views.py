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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from rootplane.services.iam.repo import find_named
from rootplane.services.iam.tables import UserRow, user_arn
from rootplane.store.changes import TableCache

__all__ = ["UserView", "USER_COLUMNS", "find_user_view", "user_view"]


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


USER_COLUMNS = ("user_id", "account_id", "user_name", "path", "created_at", "password_last_used", "boundary_arn",
                "tag_list")


def user_view(values: Mapping[str, Any]) -> UserView:
    """The view of a user's column values by attribute name (``USER_COLUMNS``: a row's, those CreateUser just
    inserted, or a listing's)."""
    return UserView(*(values[column] for column in USER_COLUMNS[:-1]),
                    tuple((key, value) for key, value in (values["tag_list"] or [])),
                    user_arn(values["account_id"], values["path"], values["user_name"]))


def _view_of(row: UserRow | None) -> UserView | None:
    if row is None:
        return None
    return user_view({column: getattr(row, column) for column in USER_COLUMNS})


def find_user_view(session: Session, account_id: str, user_name: str) -> UserView | None:
    """The user named ``user_name`` (case-insensitively) in ``account_id``, or None: from the cache when fresh."""
    return _VIEWS.get(session, (account_id, user_name.lower()),
                      lambda s: _view_of(find_named(s, UserRow, account_id, user_name)))
