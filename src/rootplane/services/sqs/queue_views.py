"""Read-only views of SQS queues by account, region and name, kept in a process cache that every committed change
to the queues invalidates.

Every call on a queue reads it twice, to authorize (its policy and tags) and to serve it; the authorization's ORM
query was a sixth of a GetQueueAttributes' CPU (issue #19). A ``QueueView`` is a frozen copy of the row's columns in a
``TableCache`` over ``sqs_queues`` (store/changes.py), as S3's bucket views are: a commit that writes the table, here
or in another process on the same database (by notification), makes every entry stale, and a transaction that wrote
the table itself reads the row afresh. Views are never written back.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from rootplane.services.sqs import repo
from rootplane.services.sqs.tables import QueueRow
from rootplane.store.changes import TableCache, frozen_copy

__all__ = ["QueueView", "find_queue_view"]


@dataclass(frozen=True, slots=True)
class QueueView:
    """The columns of one ``QueueRow`` as they were committed."""

    queue_id: int
    account_id: str
    region: str
    name: str
    fifo: bool
    attributes_json: str
    policy: str | None
    tags_json: str
    created_at: _dt.datetime
    modified_at: _dt.datetime
    purged_at: _dt.datetime | None
    sequence: int
    dead_letter_target_arn: str | None


_VIEWS: TableCache[QueueView | None] = TableCache([QueueRow.__tablename__])


def find_queue_view(session: Session, account_id: str, region: str, name: str) -> QueueView | None:
    """The queue, or None: from the cache when fresh."""
    return _VIEWS.get(session, (account_id, region, name),
                      lambda s: frozen_copy(QueueView, repo.find_queue(s, account_id, region, name)))
