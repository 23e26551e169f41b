"""UtcDateTime's own SQLite bind step writes exactly the text SQLAlchemy's would (process_bind_param, then SQLite's
DATETIME format), so rows it writes compare and sort with every other stored time, and it refuses naive times."""

import datetime as dt

import pytest
from sqlalchemy import TypeDecorator
from sqlalchemy.dialects import sqlite

from rootplane.store.base import UtcDateTime

_SQLITE = sqlite.dialect()


@pytest.mark.parametrize("value", [
    dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.timezone.utc),  # microsecond 0 still written
    dt.datetime(2026, 3, 1, 12, 0, 0, 250, tzinfo=dt.timezone.utc),
    dt.datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.timezone(dt.timedelta(hours=-5))),  # into year 1000
    dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc),
    None,
])
def test_the_sqlite_bind_text_is_sqlalchemy_s(value):
    column_type = UtcDateTime().dialect_impl(_SQLITE)
    standard = TypeDecorator.bind_processor(column_type, _SQLITE)
    assert column_type.bind_processor(_SQLITE)(value) == standard(value)


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="naive"):
        UtcDateTime().dialect_impl(_SQLITE).bind_processor(_SQLITE)(dt.datetime(2026, 3, 1))
