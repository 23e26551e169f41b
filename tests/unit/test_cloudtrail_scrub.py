"""audit/redaction.py ``scrub`` and ``cloudtrail_date``: the record's spelling of members and dates, pinned value
by value (the writer's fast paths must keep it)."""

from __future__ import annotations

import datetime as _dt

import pytest

from rootplane.audit.redaction import HIDDEN, cloudtrail_date, scrub
from rootplane.wire.models import service_model

_UTC = _dt.timezone.utc


@pytest.mark.parametrize(("value", "expected"), [
    (_dt.datetime(2024, 10, 25, 21, 7, 11, tzinfo=_UTC), "Oct 25, 2024, 9:07:11 PM"),
    (_dt.datetime(2024, 1, 5, 0, 0, 9, tzinfo=_UTC), "Jan 5, 2024, 12:00:09 AM"),
    (_dt.datetime(2024, 12, 31, 12, 30, 0, 999999, tzinfo=_UTC), "Dec 31, 2024, 12:30:00 PM"),
    (_dt.datetime(2025, 3, 1, 1, 2, 3, tzinfo=_dt.timezone(_dt.timedelta(hours=5))), "Feb 28, 2025, 8:02:03 PM"),
])
def test_dates_in_cloudtrail_style_in_utc(value, expected):
    assert cloudtrail_date(value) == expected


def test_members_lower_camel_secrets_dropped_or_hidden_everywhere():
    value = {
        "UserName": "alice", "MFADevice": "m", "SecretAccessKey": "drop-me", "Password": "hide-me",
        "Nested": [{"SessionToken": "t", "Count": 3, "Ok": True, "Nothing": None, "Blob": b"x"}],
        "Map": {"Key1": {"Password": "p"}}, 7: "numeric key",
    }
    assert scrub(value) == {
        "userName": "alice", "mFADevice": "m", "password": HIDDEN,
        "nested": [{"sessionToken": HIDDEN, "count": 3, "ok": True, "nothing": None, "blob": HIDDEN}],
        "map": {"key1": {"password": HIDDEN}}, "7": "numeric key",
    }


def test_string_member_hidden_by_its_sensitive_shape_alone():
    shape = service_model("iam").operation_model("CreateServiceSpecificCredential").output_shape
    value = {"ServiceSpecificCredential": {"ServiceUserName": "alice-at-1", "ServicePassword": "secret"}}
    assert scrub(value, shape) == {"serviceSpecificCredential": {"serviceUserName": "alice-at-1",
                                                                 "servicePassword": HIDDEN}}
    assert scrub(value)["serviceSpecificCredential"]["servicePassword"] == "secret"  # no shape, not a known name
