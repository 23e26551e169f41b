"""Bulk inserts of plain rows: one Core INSERT compiled once per dialect, run in a few driver calls.

``connection.execute(insert(table), [dict, ...])`` builds and bind-processes a parameter dictionary per row in
Python, which cost more than SQLite's own insert for the audit writer. A :class:`BulkInsert` compiles the table's
INSERT for the connection's dialect once, keeps the bind processors of the few columns that have one (datetimes on
SQLite), and hands the driver tuples (or, for a named paramstyle such as psycopg's, dictionaries, in one
executemany). ``run_one`` inserts a single row on the driver itself (store/driver.py: a hot write's one row,
``store.rows.insert_values``).

With a positional paramstyle (SQLite) the rows go in multi-row ``VALUES`` statements (up to 512 rows each, as many as
SQLite binds the parameters of: 64 with a library older than 3.32), not one executemany: the sqlite3 module releases
the GIL around each statement step, so an executemany of a 500-record audit batch gave the GIL away and waited to
take it back 500 times per table. Under load the event loop holds the GIL between its own I/O calls, so each of
those waits cost the writer tens of microseconds: it fell behind by thousands of queued calls (issue #19: RSS after
the 10,000-user loads), and the hand-offs cost the loop too. 512 rows instead of 64 per statement: a 500-record
batch in 6 statements per table instead of 10, and 3-6% less of the writer's CPU per stored GetUser record
(11.35 -> 11.0 and 12.1 -> 11.4 µs in two paired runs of 3 × 6,000 records).

The rows past the last full statement go in one more statement whose size is the next power of two, the places it
has no row for bound to NULL and filtered out (``INSERT ... SELECT ... FROM (VALUES ...) WHERE column1 IS NOT NULL``,
the first column being one no row leaves NULL): a 500-record batch in one statement per table, so a handful of
distinct statements (prepared once each) still covers every batch size. Each statement was a wait for the GIL of up
to the interpreter's switch interval under load (5 ms); GetUser under load: 2-3% more requests per second.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

from sqlalchemy import Connection, TableClause, insert

from rootplane.store.driver import DriverTransaction, execute

__all__ = ["BulkInsert"]

# SQLite's limit on the bound parameters of one statement: 32,766 since 3.32, 999 before.
_MAX_VARIABLES = 32766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999
_MOST_ROWS = 512  # rows per multi-row statement at most (the audit writer's batches hold 500 records)


@dataclass(frozen=True)
class _Prepared:
    sql: str
    values: str  # the statement's VALUES group, "(?, ?, ...)": repeated for multi-row statements (positional only)
    padded: str  # "INSERT INTO t (columns...) SELECT column1, ... FROM (VALUES ": padded statements' head
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column position, bind processor)
    names: tuple[str, ...] | None  # the paramstyle's names, None when the driver takes positional tuples


class BulkInsert:
    """``INSERT INTO table (columns...)`` for rows given as tuples in ``columns`` order. ``run``'s rows never leave
    the first column NULL (a key): its last statement is padded with rows of NULL (module docstring)."""

    def __init__(self, table: TableClause, columns: Sequence[str]) -> None:
        self.table = table
        self.columns = tuple(columns)
        self._prepared: dict[str, _Prepared] = {}
        self._multi: dict[tuple[str, int], str] = {}
        self._statement_rows = _rows_per_statement(len(self.columns))

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
            sql = str(compiled)
            at = sql.rindex("VALUES")
            values = sql[at + len("VALUES"):].strip()
            selected = ", ".join(f"column{index}" for index in range(1, len(self.columns) + 1))
            padded = f"{sql[:at]}SELECT {selected} FROM (VALUES "
            prepared = _Prepared(sql, values, padded, processors, None if compiled.positional else self.columns)
            self._prepared[dialect.name] = prepared
        return prepared

    def run(self, connection: Connection, rows: Sequence[tuple]) -> None:
        """Insert ``rows`` (tuples in ``columns`` order, Python values): multi-row statements on a positional
        driver, else one executemany."""
        if not rows:
            return
        prepared = self._prepare(connection)
        width = len(self.columns)
        values = list(chain.from_iterable(rows))  # every row's values in one list, built in C
        for index, processor in prepared.processors:  # a processed column: one extended slice, no Python per row
            values[index::width] = list(map(processor, values[index::width]))
        if prepared.names is not None:
            connection.exec_driver_sql(prepared.sql, [dict(zip(prepared.names, values[start:start + width]))
                                                      for start in range(0, len(values), width)])
            return
        chunk = self._statement_rows
        whole = len(rows) // chunk * chunk * width  # the values of the full statements
        for start in range(0, whole, chunk * width):
            connection.exec_driver_sql(self._multi_row_sql(prepared, chunk), tuple(values[start:start + chunk * width]))
        rest = len(rows) % chunk
        if rest:
            size = 1 << (rest - 1).bit_length()  # the next power of two: the unused places bound to NULL
            connection.exec_driver_sql(self._padded_sql(prepared, size),
                                       tuple(values[whole:]) + (None,) * ((size - rest) * width))

    def _multi_row_sql(self, prepared: _Prepared, size: int) -> str:
        """The INSERT of ``size`` rows (a full statement)."""
        key = (prepared.sql, size)
        sql = self._multi.get(key)
        if sql is None:
            sql = self._multi[key] = prepared.sql + "".join(", " + prepared.values for _ in range(size - 1))
        return sql

    def _padded_sql(self, prepared: _Prepared, size: int) -> str:
        """The INSERT of up to ``size`` rows (a power of two): the rows whose first column is NULL are not inserted."""
        key = (prepared.padded, size)
        sql = self._multi.get(key)
        if sql is None:
            sql = self._multi[key] = (f"{prepared.padded}{', '.join([prepared.values] * size)}) "
                                      "WHERE column1 IS NOT NULL")
        return sql

    def run_one(self, connection: Connection | DriverTransaction, row: tuple) -> None:
        """Insert one row (a tuple in ``columns`` order, Python values) as one statement."""
        prepared = self._prepare(connection)
        values = list(row)
        for index, processor in prepared.processors:
            values[index] = processor(values[index])
        execute(connection, prepared.sql,
                tuple(values) if prepared.names is None else dict(zip(prepared.names, values)))


def _rows_per_statement(width: int) -> int:
    """Rows of ``width`` columns per multi-row statement: the largest power of two up to ``_MOST_ROWS`` whose
    parameters SQLite binds in one statement."""
    rows = max(1, min(_MOST_ROWS, _MAX_VARIABLES // width))
    return 1 << (rows.bit_length() - 1)
