"""Rules in plain SQL (SQLAlchemy Core, no ORM): the audit writer asks whether any rule could receive a batch before
it loads the model to match them (issue #19). The rows are tables.py's ``events_rules``;
tests/unit/test_audit_plain_sql.py checks this statement against the mapped model and ``repo.list_active_rules_of``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, column, select, table

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = ["any_active_rule"]

RULES = table("events_rules", column("arn"), column("account_id"), column("region"), column("bus_name"),
              column("state"), column("event_pattern"))
_ACTIVE_RULE = select(RULES.c.arn).where(
    RULES.c.account_id == bindparam("account_id"), RULES.c.region == bindparam("region"),
    RULES.c.bus_name == bindparam("bus_name"), RULES.c.state != "DISABLED", RULES.c.event_pattern.is_not(None)).limit(1)


def any_active_rule(connection: Connection, places: Iterable[tuple[str, str]], bus_name: str) -> bool:
    """Whether a rule that can match events (not DISABLED, with a pattern) is on ``bus_name`` in any of the
    (account, region) ``places``: ``repo.list_active_rules_of``'s filter, one indexed probe per place (one
    statement, compiled once: a batch's records are mostly of one place)."""
    return any(connection.execute(_ACTIVE_RULE, {"account_id": account_id, "region": region, "bus_name": bus_name})
               .first() is not None for account_id, region in places)
