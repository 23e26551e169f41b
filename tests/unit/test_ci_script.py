"""CI's entry point ends only what it started: no process is looked up by name and killed (issue #10)."""

import re
from pathlib import Path

CI_RUN = Path(__file__).parents[2] / ".ci" / "run"


def test_ci_run_kills_no_process_it_did_not_start():
    script = CI_RUN.read_text()
    assert not re.search(r"\b(pgrep|pkill|killall|kill)\b", script)
    commands = [line for line in script.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert commands[-2] == "make test" and commands[-1].startswith("make fuzz")  # the suite, then bounded fuzzing
