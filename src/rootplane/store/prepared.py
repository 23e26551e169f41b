"""A hot statement (SELECT, UPDATE or DELETE) compiled once per dialect and handed to the driver as it is.

``connection.execute(select(...), params)`` derives the statement's cache key (a walk of the whole expression),
looks the compiled form up, and builds and processes the parameters through the compiled statement: for IAM's
``creation_check`` several times the cost of the SQL itself on SQLite, and the ORM's get, delete and flush of
S3's object versions cost an authorized PutObject more than half its CPU (issue #19). A :class:`PreparedStatement`
keeps the SQL string, the order of its parameters and their bind processors per dialect, and runs it on the
driver (store/driver.py): the same connection, transaction and error translation (``OperationalError``...),
without the expression machinery. Result rows are the driver's values (no result type processing: select columns
whose driver values are what the caller wants, such as strings, integers, NULL tests), except ``typed_first``'s,
converted as the ORM would read them (datetimes, booleans). A statement that writes is not seen by the session's
flush events: its caller tells ``Changes`` which table it wrote (``note_written``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import MultipleResultsFound, NoResultFound
from sqlalchemy.sql.expression import Executable

from rootplane.store.driver import DriverTransaction, Rows, execute

__all__ = ["PreparedStatement"]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    defaults: dict[str, Any]  # every bind parameter's value when the caller gives none (literals such as LIMIT 1)
    order: tuple[str, ...] | None  # the driver's positional parameters by name; None for a named paramstyle
    processors: tuple[tuple[str, Callable[[Any], Any]], ...]  # (parameter, bind processor)
    results: tuple[Callable[[Any], Any] | None, ...]  # per selected column: its result processor, if it has one


class PreparedStatement:
    """``statement`` (its bind parameters named), compiled for a connection's dialect on first use there."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, connection: Connection | DriverTransaction) -> _Compiled:
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            form = self.statement.compile(dialect=dialect)
            if form.literal_execute_params or form.post_compile_params:
                raise ValueError("a statement rendered at execution time (IN lists...) cannot be prepared")
            processors = tuple(
                (name, processor) for name, bind in form.binds.items()
                if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None)
            results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                            for column in getattr(self.statement, "selected_columns", ()))
            compiled = _Compiled(str(form), {name: bind.effective_value for name, bind in form.binds.items()},
                                 tuple(form.positiontup or ()) if form.positional else None, processors, results)
            self._compiled[dialect.name] = compiled
        return compiled

    def run(self, connection: Connection | DriverTransaction, params: Mapping[str, Any]) -> Rows:
        """Execute the statement on ``connection`` with ``params`` by bind parameter name (the others keep their
        literal values)."""
        compiled = self._compile(connection)
        values = {**compiled.defaults, **params}
        for name, processor in compiled.processors:
            values[name] = processor(values[name])
        return execute(connection, compiled.sql,
                       values if compiled.order is None else tuple(values[name] for name in compiled.order))

    def one(self, connection: Connection | DriverTransaction, params: Mapping[str, Any]) -> tuple[Any, ...]:
        """The one row the statement answers (``run``); NoResultFound or MultipleResultsFound otherwise, as
        ``Result.one``."""
        rows = self.run(connection, params).fetchall()
        if not rows:
            raise NoResultFound("No row was found when one was required")
        if len(rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when exactly one was required")
        return tuple(rows[0])

    def first(self, connection: Connection | DriverTransaction, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row the statement answers (``run``), or None."""
        rows = self.run(connection, params).fetchall()
        return tuple(rows[0]) if rows else None

    def typed_first(self, connection: Connection | DriverTransaction,
                    params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row the statement answers (``run``), each column's value converted by its type as a query of
        the ORM would convert it (a SQLite datetime's text, a boolean's integer), or None."""
        rows = self.run(connection, params).fetchall()
        return self._typed(connection, rows[:1])[0] if rows else None

    def typed_all(self, connection: Connection | DriverTransaction,
                  params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row the statement answers (``run``), converted as ``typed_first`` converts one."""
        return self._typed(connection, self.run(connection, params).fetchall())

    def _typed(self, connection: Connection | DriverTransaction, rows: list) -> list[tuple[Any, ...]]:
        results = self._compile(connection).results
        if not any(results):
            return [tuple(row) for row in rows]
        return [tuple(value if process is None else process(value) for value, process in zip(row, results))
                for row in rows]
