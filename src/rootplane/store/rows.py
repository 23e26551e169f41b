"""One row of a mapped class inserted without the ORM unit of work (hot writes: CreateUser, S3 object versions).

``session.add(row); session.flush()`` runs SQLAlchemy's unit of work (dependency sort, per-mapper save actions,
attribute history, identity-map bookkeeping): about 0.24 ms of CPU for one IAM user on SQLite, where the INSERT
itself costs a few microseconds; even building the mapped object (instrumented attributes) cost more than the
INSERT. :func:`insert_values` takes the row's column values by attribute name and runs the table's INSERT, compiled
once per dialect (``BulkInsert``), on the session's connection inside its transaction: the same atomicity (the
transaction still commits or rolls back as a whole), the same constraint errors (``IntegrityError``), and
``Changes`` is told the table was written, so caches of the table are invalidated at commit as for a flush.

Nothing enters the session's identity map: answer the request from the values, and do not expect a later query of
the same transaction to hand back an object the request holds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from rootplane.store.bulk import BulkInsert
from rootplane.store.changes import note_written
from rootplane.store.lazy import statements

__all__ = ["insert_values", "insert_object"]

# mapped class -> (its INSERT, (attribute name, column default or None, whether the database makes the value) per
# column in INSERT order, the attribute names)
_PREPARED: dict[type, tuple[BulkInsert, tuple[tuple[str, Any, bool], ...], frozenset[str]]] = {}


def _prepared(row_cls: type) -> tuple[BulkInsert, tuple[tuple[str, Any, bool], ...], frozenset[str]]:
    prepared = _PREPARED.get(row_cls)
    if prepared is None:
        mapper = inspect(row_cls)
        attributes = tuple((prop.key, prop.columns[0]) for prop in mapper.column_attrs)
        for key, column in attributes:
            if column.default is not None and not (column.default.is_scalar or column.default.is_callable):
                raise ValueError(f"{row_cls.__name__}.{key}: a SQL default needs the ORM's flush, not insert_values")
        statement = BulkInsert(mapper.local_table, [column.name for _, column in attributes])
        made_by_database = {column.key for column in mapper.local_table.columns
                            if column.server_default is not None or column is mapper.local_table.autoincrement_column}
        prepared = _PREPARED[row_cls] = (statement, tuple(
            (key, column.default, column.key in made_by_database) for key, column in attributes),
            frozenset(key for key, _ in attributes))
    return prepared


def insert_values(session: Session, row_cls: type, values: dict[str, Any]) -> dict[str, Any]:
    """INSERT a ``row_cls`` row of ``values`` (attribute name -> value) now, in ``session``'s transaction, after any
    changes the session still has pending; ``values`` completed and returned: every column attribute's value as
    inserted. An attribute missing or None takes its column's Python-side default, as a flush would give it."""
    statement, attributes, names = _prepared(row_cls)
    unknown = values.keys() - names
    if unknown:
        raise ValueError(f"{row_cls.__name__} has no column attribute {sorted(unknown)}")
    session.flush()  # pending ORM changes first, in the order the request made them (a no-op when clean)
    row = []
    for key, default, made_by_database in attributes:
        value = values.get(key)
        if value is None and default is not None:
            value = default.arg(None) if default.is_callable else default.arg
        elif value is None and made_by_database:  # an explicit NULL would replace it, and the answer would lack it
            raise ValueError(f"{row_cls.__name__}.{key}: a value the database makes needs the ORM's flush")
        values[key] = value
        row.append(value)
    statement.run_one(statements(session), tuple(row))
    note_written(session, (statement.table.name,))
    return values


def insert_object(session: Session, row: Any) -> None:
    """INSERT a transient mapped object's column values now, as :func:`insert_values` does; the object stays outside
    the session (a value it lacks takes its column's default in the row, not in the object)."""
    _, _, names = _prepared(type(row))
    insert_values(session, type(row), {name: getattr(row, name) for name in names})
