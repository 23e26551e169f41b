"""EC2 describe filters: AND across filters, OR across values, ``*``/``?`` wildcards with backslash escapes."""

import pytest

from rootplane.core.errors import AwsError
from rootplane.services.ec2.filters import compile_filters

KNOWN = frozenset({"region-name", "opt-in-status"})


def test_filters_and_across_or_within():
    matches = compile_filters([{"Name": "region-name", "Values": ["eu-*", "us-east-?"]},
                               {"Name": "opt-in-status", "Values": ["opted-in"]}], KNOWN)
    assert matches({"region-name": "eu-south-1", "opt-in-status": "opted-in"})
    assert matches({"region-name": "us-east-2", "opt-in-status": "opted-in"})
    assert not matches({"region-name": "us-east-10", "opt-in-status": "opted-in"})
    assert not matches({"region-name": "eu-west-1", "opt-in-status": "not-opted-in"})
    assert compile_filters(None, KNOWN)({})


def test_escaped_wildcards_are_literal():
    matches = compile_filters([{"Name": "region-name", "Values": [r"a\*b\?c\\"]}], KNOWN)
    assert matches({"region-name": "a*b?c\\"})
    assert not matches({"region-name": "axxbyc\\"})


def test_unknown_filter_name():
    with pytest.raises(AwsError) as raised:
        compile_filters([{"Name": "instance-id", "Values": ["i-1"]}], KNOWN)
    assert (raised.value.code, raised.value.status, raised.value.message) == (
        "InvalidParameterValue", 400, "The filter 'instance-id' is invalid")
