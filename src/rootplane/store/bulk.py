"""Bulk inserts of plain rows: one Core INSERT compiled once per dialect, run as one executemany.

``connection.execute(insert(table), [dict, ...])`` builds and bind-processes a parameter dictionary per row in
Python, which cost more than SQLite's own insert for the audit writer. A :class:`BulkInsert` compiles the table's
INSERT for the connection's dialect once, keeps the bind processors of the few columns that have one (datetimes on
SQLite), and hands the driver tuples (or, for a named paramstyle such as psycopg's, dictionaries). ``run_one``
inserts a single row on the driver itself (store/driver.py: a hot write's one row, ``store.rows.insert_values``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, insert

from rootplane.store.driver import DriverTransaction, execute

__all__ = ["BulkInsert"]


@dataclass(frozen=True)
class _Prepared:
    sql: str
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column position, bind processor)
    names: tuple[str, ...] | None  # the paramstyle's names, None when the driver takes positional tuples


class BulkInsert:
    """``INSERT INTO table (columns...)`` for rows given as tuples in ``columns`` order."""

    def __init__(self, table: Table, columns: Sequence[str]) -> None:
        self.table = table
        self.columns = tuple(columns)
        self._prepared: dict[str, _Prepared] = {}

    def _prepare(self, connection: Connection | DriverTransaction) -> _Prepared:
        dialect = connection.dialect
        prepared = self._prepared.get(dialect.name)
        if prepared is None:
            compiled = insert(self.table).compile(dialect=dialect, column_keys=list(self.columns))
            if compiled.positional and tuple(compiled.positiontup or ()) != self.columns:
                raise ValueError(f"{self.table.name}: the INSERT binds {compiled.positiontup}, not {self.columns}")
            processors = tuple(
                (index, processor) for index, name in enumerate(self.columns)
                if (processor := self.table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None)
            prepared = _Prepared(str(compiled), processors, None if compiled.positional else self.columns)
            self._prepared[dialect.name] = prepared
        return prepared

    def run(self, connection: Connection, rows: Sequence[tuple]) -> None:
        """Insert ``rows`` (tuples in ``columns`` order, Python values) in one executemany."""
        if not rows:
            return
        prepared = self._prepare(connection)
        if prepared.processors:  # column by column: one C-level map per processed column, no Python call per row
            columns: list = list(zip(*rows))
            for index, processor in prepared.processors:
                columns[index] = map(processor, columns[index])
            rows = list(zip(*columns))
        if prepared.names is not None:
            rows = [dict(zip(prepared.names, row)) for row in rows]
        connection.exec_driver_sql(prepared.sql, list(rows))

    def run_one(self, connection: Connection | DriverTransaction, row: tuple) -> None:
        """Insert one row (a tuple in ``columns`` order, Python values) as one statement."""
        prepared = self._prepare(connection)
        values = list(row)
        for index, processor in prepared.processors:
            values[index] = processor(values[index])
        execute(connection, prepared.sql,
                tuple(values) if prepared.names is None else dict(zip(prepared.names, values)))
