"""EventBridge pattern matching and validation, driven by the data files in tests/unit/event_patterns/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rootplane.services.events.patterns import InvalidPattern, compile_pattern, matches

DATA = Path(__file__).parent / "event_patterns"


def _match_cases():
    for path in sorted(DATA.glob("*.json")):
        if path.name == "invalid.json":
            continue
        for number, case in enumerate(json.loads(path.read_text())["cases"]):
            pattern = json.dumps(case["pattern"])
            for expected, key in ((True, "matching"), (False, "not_matching")):
                for index, event in enumerate(case[key]):
                    yield pytest.param(pattern, event, expected, id=f"{path.stem}-{number}-{key}-{index}")


def _invalid_cases():
    for number, case in enumerate(json.loads((DATA / "invalid.json").read_text())["cases"]):
        yield pytest.param(case["pattern"], case["reason"], id=f"invalid-{number}")


@pytest.mark.parametrize("pattern, event, expected", list(_match_cases()))
def test_match(pattern: str, event: dict, expected: bool) -> None:
    assert matches(pattern, event) is expected
    assert matches(pattern, json.dumps(event)) is expected


@pytest.mark.parametrize("pattern, reason", list(_invalid_cases()))
def test_invalid(pattern: str, reason: str | None) -> None:
    with pytest.raises(InvalidPattern) as caught:
        compile_pattern(pattern)
    if reason is not None:
        assert caught.value.reason == reason
