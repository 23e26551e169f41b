"""Queries for support plans, cases, communications and key recoveries."""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from rootplane.services.support.tables import CaseRow, CommunicationRow, KeyRecoveryRow

__all__ = ["put", "find_case", "list_cases", "list_communications", "find_recovery"]


def put(session: Session, row):
    session.add(row)
    return row


def find_case(session: Session, account_id: str, case_id: str) -> CaseRow | None:
    case = session.get(CaseRow, case_id)
    return case if case is not None and case.account_id == account_id else None


def _within(query, column, after: _dt.datetime | None, before: _dt.datetime | None):
    if after is not None:
        query = query.where(column >= after)
    if before is not None:
        query = query.where(column <= before)
    return query


def list_cases(session: Session, account_id: str, *, case_ids: list[str] | None, display_id: str | None,
               include_resolved: bool, after: _dt.datetime | None, before: _dt.datetime | None, offset: int,
               limit: int) -> list[CaseRow]:
    """Newest first."""
    query = _within(select(CaseRow).where(CaseRow.account_id == account_id), CaseRow.created_at, after, before)
    if case_ids:
        query = query.where(CaseRow.case_id.in_(case_ids))
    if display_id:
        query = query.where(CaseRow.display_id == display_id)
    if not include_resolved:
        query = query.where(CaseRow.status != "resolved")
    return list(session.scalars(query.order_by(CaseRow.created_at.desc(), CaseRow.case_id.desc())
                                .offset(offset).limit(limit)))


def list_communications(session: Session, case_id: str, offset: int, limit: int, after: _dt.datetime | None = None,
                        before: _dt.datetime | None = None) -> list[CommunicationRow]:
    """Newest first, as DescribeCommunications answers."""
    query = _within(select(CommunicationRow).where(CommunicationRow.case_id == case_id), CommunicationRow.created_at,
                    after, before)
    return list(session.scalars(query.order_by(CommunicationRow.id.desc()).offset(offset).limit(limit)))


def find_recovery(session: Session, case_id: str) -> KeyRecoveryRow | None:
    return session.get(KeyRecoveryRow, case_id)
