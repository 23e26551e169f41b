"""docs/coverage.md is generated from the code and must be current (`make coverage`)."""

from pathlib import Path

from rootplane.coverage import implemented_counts, render

DOC = Path(__file__).resolve().parents[2] / "docs" / "coverage.md"


def test_coverage_doc_is_current():
    assert DOC.read_text() == render(), "docs/coverage.md is stale: run `make coverage`"


def test_coverage_lists_every_operation_of_every_served_service():
    text = render()
    for service, (done, total) in implemented_counts().items():
        assert f"| {service} | {done} | {total} |" in text
        assert 0 <= done <= total
    assert "| GetCallerIdentity | implemented |" in text
