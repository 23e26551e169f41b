"""The schema revisions the migration scripts define, read by a cheap text scan (no Alembic, no SQLAlchemy)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

__all__ = ["MIGRATIONS", "head_revision", "known_revisions"]

MIGRATIONS = Path(__file__).with_name("migrations")
_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*=\s*(?:['\"]([^'\"]+)['\"]|None)", re.MULTILINE)


@lru_cache(maxsize=1)
def _revision_graph() -> tuple[frozenset[str], frozenset[str]]:
    """Every revision of the scripts, and those another revision builds on."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        source = script.read_text()
        revision = _REVISION.search(source)
        if revision is None:
            continue
        revisions.add(revision.group(1))
        down = _DOWN_REVISION.search(source)
        if down is not None and down.group(1):
            parents.add(down.group(1))
    return frozenset(revisions), frozenset(parents)


def known_revisions() -> frozenset[str]:
    """Every schema revision this rootplane's migration scripts know."""
    return _revision_graph()[0]


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The revision no other revision builds on (the scripts form one linear chain)."""
    revisions, parents = _revision_graph()
    heads = set(revisions - parents)
    if len(heads) != 1:
        raise RuntimeError(f"migrations must form one chain; heads: {sorted(heads)}")
    return heads.pop()
