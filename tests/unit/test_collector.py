"""The cyclic garbage collector during start-up (core/collector.py, issue #19): paused while a serving process builds
its gateway, then resumed with what start-up made frozen and the youngest generation collected less often, whether
the build succeeded or failed. In a subprocess: the test process's collector is left alone."""

from __future__ import annotations

import subprocess
import sys

_SCRIPT = """
import gc, sys
from rootplane.core.collector import YOUNG_THRESHOLD, pause_collection, resume_collection_after

default = gc.get_threshold()

def build():
    made.append([object() for _ in range(10)])
    seen.append((gc.isenabled(), gc.get_freeze_count()))
    if sys.argv[1] == "fails":
        raise RuntimeError("build failed")
    return "app"

made, seen = [], []
pause_collection()
try:
    print(resume_collection_after(build)())
except RuntimeError as error:
    print(error)
print(seen[0][0], seen[0][1] == 0, gc.isenabled(), gc.get_freeze_count() > 0)
print(gc.get_threshold() == (YOUNG_THRESHOLD, *default[1:]), YOUNG_THRESHOLD > default[0])
"""


def _run(outcome: str) -> list[str]:
    result = subprocess.run([sys.executable, "-c", _SCRIPT, outcome], capture_output=True, text=True, check=True)
    return result.stdout.split("\n")


def test_collection_is_paused_during_the_build_and_resumes_with_start_up_objects_frozen():
    assert _run("succeeds")[:3] == ["app", "False True True True", "True True"]


def test_a_failed_build_resumes_collection_too():
    assert _run("fails")[:3] == ["build failed", "False True True True", "True True"]


_PROVIDER_SCRIPT = """
import gc
from rootplane.services.provider import find_provider

provider = find_provider("iam")
print(gc.get_freeze_count() > 0, any(tracked is provider for tracked in gc.get_objects()))
"""


def test_a_lazily_loaded_provider_is_out_of_the_collectors_walks():
    """A service's provider loads with its first call (the ORM and models with it, some 51,000 objects for IAM):
    frozen as start-up's objects are, so no collection walks them again (one took 54 ms under a GetUser load)."""
    result = subprocess.run([sys.executable, "-c", _PROVIDER_SCRIPT], capture_output=True, text=True, check=True)
    assert result.stdout.split("\n")[0] == "True False"
