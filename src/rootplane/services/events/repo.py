"""Queries for buses, rules and targets (indexed, paged by name)."""

from __future__ import annotations

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from rootplane.services.events.authz import DEFAULT_BUS
from rootplane.services.events.tables import EventBusRow, RuleRow, TargetRow
from rootplane.store.engine import locks_rows
from rootplane.store.paging import keyset_page

__all__ = [
    "find_bus", "list_buses", "put_bus", "delete_bus", "find_rule", "list_rules", "list_active_rules",
    "list_active_rules_of", "put_rule", "delete_rule", "list_targets", "count_targets", "put_target", "delete_target",
    "list_rule_names_by_target",
]


def find_bus(session: Session, account_id: str, region: str, name: str, *, for_update: bool = False
             ) -> EventBusRow | None:
    """The bus ``name``; ``for_update`` (PutPermission, RemovePermission) reads it afresh and holds it until commit
    where the store needs it (``locks_rows``), so that two servers' edits of its policy take turns."""
    query = select(EventBusRow).where(
        EventBusRow.account_id == account_id, EventBusRow.region == region, EventBusRow.name == name)
    if for_update and locks_rows(session):
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).first()


def list_buses(session: Session, account_id: str, region: str, prefix: str | None, after: str | None,
               limit: int) -> list[EventBusRow]:
    """Custom buses by name (not the row that holds the default bus's policy)."""
    query = select(EventBusRow).where(EventBusRow.account_id == account_id, EventBusRow.region == region,
                                      EventBusRow.name != DEFAULT_BUS)
    return keyset_page(session, query, EventBusRow.name, after, limit, prefix_column=EventBusRow.name, prefix=prefix)


def put_bus(session: Session, bus: EventBusRow) -> EventBusRow:
    session.add(bus)
    return bus


def delete_bus(session: Session, bus: EventBusRow) -> None:
    session.execute(delete(RuleRow).where(RuleRow.account_id == bus.account_id, RuleRow.region == bus.region,
                                          RuleRow.bus_name == bus.name))
    session.delete(bus)


def find_rule(session: Session, account_id: str, region: str, bus_name: str, name: str) -> RuleRow | None:
    """The rule ``name`` on the bus. Where the store needs it (``locks_rows``: PostgreSQL's writers) the row is read
    afresh ``FOR UPDATE`` and held until commit, so that writes to one rule and its targets on two servers take
    turns (PutTargets' count of five targets at most, a target put while the rule is deleted)."""
    query = select(RuleRow).where(RuleRow.account_id == account_id, RuleRow.region == region,
                                  RuleRow.bus_name == bus_name, RuleRow.name == name)
    if locks_rows(session):
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).first()


def list_rules(session: Session, account_id: str, region: str, bus_name: str, prefix: str | None,
               after: str | None, limit: int) -> list[RuleRow]:
    query = select(RuleRow).where(RuleRow.account_id == account_id, RuleRow.region == region,
                                  RuleRow.bus_name == bus_name)
    return keyset_page(session, query, RuleRow.name, after, limit, prefix_column=RuleRow.name, prefix=prefix)


def list_active_rules(session: Session, account_id: str, region: str, bus_name: str) -> list[RuleRow]:
    """Rules that can match events (not DISABLED, with a pattern)."""
    return list(session.scalars(select(RuleRow).where(
        RuleRow.account_id == account_id, RuleRow.region == region, RuleRow.bus_name == bus_name,
        RuleRow.state != "DISABLED", RuleRow.event_pattern.is_not(None))))


def list_active_rules_of(session: Session, places: set[tuple[str, str]], bus_name: str
                         ) -> dict[tuple[str, str], list[RuleRow]]:
    """Active rules of ``bus_name`` in each (account, region) of ``places``, in one indexed query."""
    if not places:
        return {}
    where = or_(*(and_(RuleRow.account_id == account_id, RuleRow.region == region) for account_id, region in places))
    found: dict[tuple[str, str], list[RuleRow]] = {}
    for rule in session.scalars(select(RuleRow).where(
            where, RuleRow.bus_name == bus_name, RuleRow.state != "DISABLED", RuleRow.event_pattern.is_not(None))):
        found.setdefault((rule.account_id, rule.region), []).append(rule)
    return found


def put_rule(session: Session, rule: RuleRow) -> RuleRow:
    session.add(rule)
    return rule


def delete_rule(session: Session, rule: RuleRow) -> None:
    session.execute(delete(TargetRow).where(TargetRow.rule_arn == rule.arn))
    session.delete(rule)


def list_targets(session: Session, rule_arn: str, after: str | None = None, limit: int | None = None) -> list[TargetRow]:
    query = select(TargetRow).where(TargetRow.rule_arn == rule_arn)
    if after:
        query = query.where(TargetRow.target_id > after)
    query = query.order_by(TargetRow.target_id)
    return list(session.scalars(query.limit(limit) if limit else query))


def count_targets(session: Session, rule_arn: str) -> int:
    return session.scalar(select(func.count()).select_from(TargetRow).where(TargetRow.rule_arn == rule_arn)) or 0


def put_target(session: Session, target: TargetRow) -> TargetRow:
    return session.merge(target)


def delete_target(session: Session, rule_arn: str, target_id: str) -> bool:
    result = session.execute(delete(TargetRow).where(TargetRow.rule_arn == rule_arn, TargetRow.target_id == target_id))
    return bool(result.rowcount)


def list_rule_names_by_target(session: Session, account_id: str, region: str, bus_name: str, target_arn: str,
                              after: str | None, limit: int) -> list[str]:
    query = (select(RuleRow.name).join(TargetRow, TargetRow.rule_arn == RuleRow.arn)
             .where(TargetRow.target_arn == target_arn, RuleRow.account_id == account_id,
                    RuleRow.region == region, RuleRow.bus_name == bus_name).distinct())
    if after:
        query = query.where(RuleRow.name > after)
    return list(session.scalars(query.order_by(RuleRow.name).limit(limit)))
