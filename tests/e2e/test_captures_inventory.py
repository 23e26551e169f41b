"""Every recording in aws-captures is replayed whole, and what is not reproduced is named with its reason.

``REPLAYED_BY`` maps each file to its replay; ``ALLOW_LISTED`` gathers the replays' allow-lists (observations
judged against another answer, with the reason next to each in its module). The figure in docs/TESTING.md is
``observations - allow-listed`` of ``observations``.
"""

from __future__ import annotations

from pathlib import Path

from capture_replay import CAPTURES, load
import test_captures_mfa
import test_captures_root_sessions

REPLAYED_BY = {
    "conditions.json": "test_captures_conditions.py",
    "contact_origin.json": "test_captures_account.py",
    "contacts.json": "test_captures_account.py",
    "primary_contact.json": "test_captures_account.py",
    "lookup_inputs.json": "test_cloudtrail_history.py",
    "lookup_validation.json": "test_cloudtrail_history.py",
    "mfa.json": "test_captures_mfa.py",
    "organization_regions.json": "test_captures_regions.py",
    "regions.json": "test_captures_regions.py",
    "regions_initial_session.json": "test_captures_regions.py",
    "organizations_features.json": "test_captures_root_access.py",
    "root_access.json": "test_captures_root_access.py",
    "root_sessions.json": "test_captures_root_sessions.py",
}
ALLOW_LISTED = {
    "mfa.json": set(test_captures_mfa.NOT_REPRODUCED),
    "root_sessions.json": set(test_captures_root_sessions.STEADY),
}


def observations(name: str) -> list[dict]:
    recording = load(name)
    if "observations" in recording:
        return recording["observations"]
    return recording.get("cases") or [recording]  # conditions.json: cases; contact_origin.json: one comparison


def _case(observation: dict) -> str:
    return observation.get("case") or observation.get("name") or ""


def test_every_recording_has_a_replay():
    recorded = {path.name for path in CAPTURES.glob("*.json")}
    assert recorded == set(REPLAYED_BY)
    here = Path(__file__).parent
    assert all((here / module).exists() for module in REPLAYED_BY.values())


def test_allow_listed_observations_exist():
    for name, cases in ALLOW_LISTED.items():
        assert cases <= {_case(observation) for observation in observations(name)}, name


def test_figure():
    total = sum(len(observations(name)) for name in REPLAYED_BY)
    allowed = sum(len(cases) for cases in ALLOW_LISTED.values())
    assert (total - allowed, total) == (339, 346)
