"""Column types shared by every service's tables, usable in plain SQL without the ORM (store/base.py maps them)."""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import DateTime, TypeDecorator

from rootplane.store.plain_sql import sqlite_datetime

__all__ = ["UtcDateTime"]


class UtcDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both SQLite (which forgets the zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: _dt.datetime | None, dialect) -> _dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to UtcDateTime")
        return value.astimezone(_dt.timezone.utc) if value is not None else None

    def bind_processor(self, dialect):
        """On SQLite, ``process_bind_param`` and SQLite's DATETIME text (``YYYY-MM-DD HH:MM:SS.ffffff``) in one C
        call instead of a %-format of seven attributes: the audit writer binds one per recorded event."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        return sqlite_datetime  # store/plain_sql.py: plain SQL on the driver binds datetimes the same way

    def process_result_value(self, value: _dt.datetime | None, dialect) -> _dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=_dt.timezone.utc)
        return value.astimezone(_dt.timezone.utc)
