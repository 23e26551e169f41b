"""The newest migration only adds (docs/DEPLOY.md, rolling upgrades): while it rolls out, processes of the previous
version keep serving on the migrated schema, so it may create tables and indexes, add nullable or server-defaulted
columns, relax a column, widen a primary key and drop an index that is not unique (it only speeds reads up), but
never drop, rename or tighten what the previous version reads and writes. The check reads the ``op.*`` / batch calls of the script's ``upgrade()``; whatever it does not know
fails it, to be judged by hand. tests/e2e/test_rolling_upgrade.py runs both versions on one database under load."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from rootplane.schema import metadata
from rootplane.store.engine import Store
from rootplane.store.migrate import MIGRATIONS, alembic_config

ONLY_ADDING = {"create_table", "create_index", "add_column", "batch_alter_table", "f", "bulk_insert"}
CONSTRAINTS = {"create_unique_constraint", "create_foreign_key", "create_check_constraint"}
TABLE_FIRST = {"create_table", "add_column", "alter_column", "drop_column", "drop_table", "rename_table"}
FOLLOWS_DELETES = {"CASCADE", "SET NULL"}


def _literal(node: ast.expr | None):
    """A constant, a list of constants, or ``op.f("name")``'s name; None when not a literal."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "f" and node.args:
        return _literal(node.args[0])
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError:
        return None


def _argument(call: ast.Call, name: str, position: int | None = None) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return call.args[position] if position is not None and 0 <= position < len(call.args) else None


@dataclass(frozen=True)
class TableBefore:
    """What the check needs of a table as the previous head left it."""

    primary_key: list[str]
    unique_indexes: set[str]


@dataclass
class _Operation:
    name: str
    table: str | None
    call: ast.Call
    batched: bool  # a batch operation: its arguments do not name the table

    def argument(self, name: str, position: int) -> ast.expr | None:
        """Argument ``name``, or the one at ``position`` in ``op.<name>(...)`` (one less in a batch)."""
        return _argument(self.call, name, position - self.batched)


class _Operations(ast.NodeVisitor):
    """Every operation ``upgrade()`` calls, in order; a batch's operations name its table."""

    def __init__(self, helpers: set[str]) -> None:
        self.helpers = helpers
        self.batches: dict[str, str | None] = {}
        self.found: list[_Operation] = []
        self.hidden: list[str] = []

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            call = item.context_expr
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
                    and call.func.attr == "batch_alter_table" and isinstance(item.optional_vars, ast.Name):
                self.batches[item.optional_vars.id] = _literal(_argument(call, "table_name", 0))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "op":
            table = _argument(node, "table_name", 0 if func.attr in TABLE_FIRST else 1)
            self.found.append(_Operation(func.attr, _literal(table), node, batched=False))
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in self.batches:
            self.found.append(_Operation(func.attr, self.batches[func.value.id], node, batched=True))
        elif isinstance(func, ast.Name) and func.id in self.helpers:
            self.hidden.append(func.id)
        self.generic_visit(node)


def _new_column(column: ast.expr | None) -> str | None:
    """Why the previous version cannot insert rows once ``column`` (an ``sa.Column(...)``) is added; None: it can."""
    if not isinstance(column, ast.Call):
        return "a column the check cannot read"
    required = _literal(_argument(column, "nullable")) is False or _literal(_argument(column, "primary_key")) is True
    if required and _argument(column, "server_default") is None:
        return f"column {_literal(column.args[0]) if column.args else '?'} is NOT NULL without a server default"
    return None


def _altered_column(operation: _Operation) -> str | None:
    """Why an ``alter_column`` is more than relaxing (nullable=True, a server default, a comment); None: it is not."""
    for keyword in operation.call.keywords:
        name = keyword.arg or "**"
        if name.startswith("existing_") or name == "comment":
            continue
        relaxes = {"nullable": _literal(keyword.value) is True,
                   "server_default": not (isinstance(keyword.value, ast.Constant) and keyword.value.value is None)}
        if not relaxes.get(name, False):
            return f"{name}= renames, retypes or tightens a column the previous version uses"
    return None


def _foreign_keys(operation: _Operation, created: set) -> list[str]:
    """A new table's foreign keys to existing tables must follow the parent's deletion (the previous version
    deletes parents without knowing the new children)."""
    problems = []
    for node in ast.walk(operation.call):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("ForeignKey", "ForeignKeyConstraint"):
            target = _literal(_argument(node, "refcolumns" if node.func.attr.endswith("t") else "column",
                                        1 if node.func.attr.endswith("t") else 0))
            parent = (target[0] if isinstance(target, list) else target or "?").split(".")[0]
            if parent not in created and _literal(_argument(node, "ondelete")) not in FOLLOWS_DELETES:
                problems.append(f"a foreign key to {parent} without ondelete CASCADE or SET NULL")
    return problems


def add_only_problems(source: str, table_before: Callable[[str], TableBefore]) -> list[str]:
    """What in the migration script ``source``'s ``upgrade()`` is not add-only; ``table_before(table)``: the
    table's primary key and unique indexes before the migration."""
    module = ast.parse(source)
    helpers = {node.name for node in module.body if isinstance(node, ast.FunctionDef)} - {"upgrade", "downgrade"}
    operations = _Operations(helpers)
    operations.visit(next(node for node in module.body if isinstance(node, ast.FunctionDef)
                          and node.name == "upgrade"))
    problems = [f"upgrade() calls {name}(): operations there are not checked" for name in operations.hidden]
    created = {operation.table for operation in operations.found if operation.name == "create_table"}
    dropped_keys: set[str | None] = set()
    for operation in operations.found:
        name, table = operation.name, operation.table
        found: list[str | None] = []
        if name == "create_table":
            found = _foreign_keys(operation, created)
        elif name == "add_column":
            found = [_new_column(operation.argument("column", 1))]
        elif name == "create_index" and _literal(_argument(operation.call, "unique")) and table not in created:
            found = ["a unique index on an existing table refuses the previous version's duplicates"]
        elif name in CONSTRAINTS and table not in created:
            found = ["a new constraint on an existing table refuses some of the previous version's writes"]
        elif name == "alter_column":
            found = [_altered_column(operation)]
        elif name == "drop_constraint" and _literal(_argument(operation.call, "type_")) == "primary":
            dropped_keys.add(table)  # allowed when a wider primary key replaces it
        elif name == "create_primary_key" and table in dropped_keys:
            columns, before = _literal(operation.argument("columns", 2)), table_before(table).primary_key
            if not isinstance(columns, list) or not set(before) <= set(columns):
                found = [f"the new primary key {columns} does not keep {before}"]
            dropped_keys.discard(table)
        elif name == "drop_index":
            index = _literal(_argument(operation.call, "index_name", 0))
            if not isinstance(index, str) or index in table_before(table).unique_indexes:
                found = [f"index {index} is unique (or unnamed): the previous version relies on it refusing duplicates"]
        elif name not in ONLY_ADDING:
            found = ["not known to only add"]
        problems += [f"line {operation.call.lineno}: {name} on {table}: {problem}" for problem in found if problem]
    problems += [f"the primary key of {table} is dropped and not replaced" for table in dropped_keys]
    return problems


def _newest():
    scripts = ScriptDirectory(str(MIGRATIONS))
    return scripts.get_revision(scripts.get_current_head())


def test_the_newest_migration_only_adds(tmp_path):
    newest = _newest()
    store = Store(f"sqlite:///{tmp_path / 'previous.sqlite'}", metadata())
    try:
        if newest.down_revision:
            command.upgrade(alembic_config(store.engine), newest.down_revision)  # the previous head's schema

        def table_before(table: str) -> TableBefore:
            inspector = inspect(store.engine)
            unique = {index["name"] for index in inspector.get_indexes(table) if index["unique"]}
            unique |= {constraint["name"] for constraint in inspector.get_unique_constraints(table)}
            return TableBefore(inspector.get_pk_constraint(table)["constrained_columns"], unique)

        assert add_only_problems(Path(newest.path).read_text(), table_before) == []
    finally:
        store.dispose()


_SCRIPT = "import sqlalchemy as sa\nfrom alembic import op\n\n\ndef upgrade():\n{}\n"
_BATCH = "    with op.batch_alter_table('t') as batch:\n        {}"


@pytest.mark.parametrize("body, problem", [
    ("    op.drop_table('t')", "not known to only add"),
    ("    op.drop_index('uq_t_c', table_name='t')", "index uq_t_c is unique"),
    (_BATCH.format("batch.drop_column('c')"), "drop_column on t: not known to only add"),
    ("    op.drop_column('t', 'c')", "drop_column on t: not known"),
    (_BATCH.format("batch.alter_column('c', new_column_name='d')"), "renames, retypes or tightens"),
    ("    op.alter_column('t', 'c', nullable=False)", "renames, retypes or tightens"),
    ("    op.alter_column('t', 'c', type_=sa.String(8))", "renames, retypes or tightens"),
    ("    op.add_column('t', sa.Column('c', sa.String(8), nullable=False))", "NOT NULL without a server default"),
    (_BATCH.format("batch.add_column(sa.Column('c', sa.Integer(), nullable=False))"), "NOT NULL without"),
    ("    op.rename_table('t', 'u')", "not known to only add"),
    ("    op.execute('DELETE FROM t')", "not known to only add"),
    ("    op.create_index('ix', 't', ['c'], unique=True)", "unique index on an existing table"),
    ("    op.create_unique_constraint('uq', 't', ['c'])", "new constraint on an existing table"),
    ("    op.create_table('n', sa.Column('c', sa.String(8), sa.ForeignKey('t.c')))", "a foreign key to t without"),
    ("    op.alter_column('t', 'c', server_default=None)", "server_default= renames"),
    (_BATCH.format("batch.drop_constraint('pk_t', type_='primary')"), "dropped and not replaced"),
    (_BATCH.format("batch.drop_constraint('pk_t', type_='primary')\n        batch.create_primary_key('pk_t', ['b'])"),
     "does not keep ['a']"),
])
def test_the_check_refuses_what_does_not_only_add(body, problem):
    problems = add_only_problems(_SCRIPT.format(body), lambda table: TableBefore(["a"], {"uq_t_c"}))
    assert any(problem in found for found in problems), problems


def test_the_check_accepts_what_only_adds():
    body = "\n".join([
        "    op.create_table('n', sa.Column('c', sa.String(8), nullable=False),",
        "                    sa.ForeignKeyConstraint(['c'], ['t.c'], ondelete='CASCADE'))",
        "    op.create_index('ix_n', 'n', ['c'], unique=True)",
        "    op.add_column('t', sa.Column('d', sa.String(8), server_default='x', nullable=False))",
        "    op.alter_column('t', 'e', nullable=True, existing_type=sa.String(8))",
        _BATCH.format("batch.drop_constraint('pk_t', type_='primary')\n"
                      "        batch.create_primary_key('pk_t', ['a', 'b'])"),
        "    op.drop_index(op.f('ix_t_c'), table_name='t')",
    ])
    assert add_only_problems(_SCRIPT.format(body), lambda table: TableBefore(["a"], {"uq_t_c"})) == []


def test_operations_hidden_in_a_helper_are_not_trusted():
    source = _SCRIPT.format("    _drop()") + "\n\ndef _drop():\n    op.drop_table('t')\n"
    assert add_only_problems(source, lambda table: TableBefore([], set())) == ["upgrade() calls _drop(): operations there are not checked"]
