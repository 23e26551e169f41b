"""The ``rootplane`` command loads its operator commands (rootplane.tools.commands) only when one is named or the
commands are listed: ``rootplane serve`` does not build them (issue #19)."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from rootplane.cli import main
from rootplane.tools.commands import COMMANDS

_SERVE_HELP = """
import sys
from rootplane.cli import main
try:
    main(['serve', '--help'])
except SystemExit:
    pass
print('rootplane.tools.commands' in sys.modules)
"""


def test_serve_does_not_load_the_operator_commands():
    result = subprocess.run([sys.executable, "-c", _SERVE_HELP], capture_output=True, text=True, timeout=60, check=True)
    assert "--data-dir" in result.stdout
    assert result.stdout.split()[-1] == "False"


def test_the_operator_commands_are_listed_and_run_by_name():
    listed = CliRunner().invoke(main, ["--help"])
    assert listed.exit_code == 0
    for command in COMMANDS:
        assert f"  {command.name} " in listed.output
    named = CliRunner().invoke(main, [COMMANDS[0].name, "--help"])
    assert named.exit_code == 0 and named.output.startswith(f"Usage: main {COMMANDS[0].name} ")
    assert CliRunner().invoke(main, ["no-such-command"]).exit_code == 2


def test_no_operator_command_shares_a_built_in_commands_name():
    """A built-in command is found first: an operator command of the same name would never run."""
    assert not {command.name for command in COMMANDS} & set(main.commands)
