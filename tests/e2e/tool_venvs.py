"""Third-party audit tools, each from PyPI in its own virtualenv, installed from a lock file of exact versions
(``audit_tools/locks/<tool>.txt``: the tool and every dependency, ``pip install --no-deps``, so pip never resolves or
backtracks). The venvs live outside the checkout, in ``$ROOTPLANE_TOOL_VENVS`` (default ``~/.cache/rootplane/
tool-venvs``), created on first use and reused by later runs and clones while their lock file is unchanged."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import venv
from pathlib import Path

__all__ = ["TOOLS", "COMPAT", "tool_venv", "ToolUnavailable", "VENVS"]

VENVS = Path(os.environ.get("ROOTPLANE_TOOL_VENVS") or Path.home() / ".cache" / "rootplane" / "tool-venvs")
LOCKS = Path(__file__).resolve().parent / "audit_tools" / "locks"

#: The tools, by the name of their lock file. The locks were frozen from venvs that installed the pinned tools
#: (prowler==5.46.0, c7n==0.9.53, principalmapper==1.1.5, cloudsplaining==0.9.1) with pip's resolver; ScoutSuite
#: 5.14.0 carries only what ``scout aws`` imports (its full dependency set, old pins of the GCP and Azure SDKs,
#: sends the resolver backtracking for more than 20 minutes).
TOOLS = ("prowler", "custodian", "scoutsuite", "principalmapper", "cloudsplaining")

#: Lines put in a ``.pth`` file of the venv (run at interpreter start): principalmapper 1.1.5, the last release,
#: imports ``collections.Mapping``, which Python 3.10 removed (it lives in ``collections.abc``).
COMPAT = {
    "principalmapper": "import collections, collections.abc; collections.Mapping = collections.abc.Mapping; "
                       "collections.MutableMapping = collections.abc.MutableMapping\n",
}


class ToolUnavailable(RuntimeError):
    """The tool could not be installed (no network, no index)."""


def tool_venv(tool: str) -> Path:
    """The bin/ folder of ``tool``'s venv, installing it first when missing (ToolUnavailable on failure)."""
    VENVS.mkdir(parents=True, exist_ok=True)
    with open(VENVS / f"{tool}.lock", "w") as lock:  # one installer at a time (pytest-xdist workers)
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _installed(tool)


def _installed(tool: str) -> Path:
    home, lock_file = VENVS / tool, LOCKS / f"{tool}.txt"
    stamp, recipe = home / ".installed", lock_file.read_text() + COMPAT.get(tool, "")
    if stamp.exists() and stamp.read_text() == recipe:
        return home / "bin"
    venv.EnvBuilder(with_pip=True, clear=True).create(home)
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    result = subprocess.run([str(home / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", "-r",
                             str(lock_file)], capture_output=True, text=True, env=env, timeout=3600)
    if result.returncode != 0:
        raise ToolUnavailable(f"pip install -r {lock_file.name} failed: {result.stderr.strip()[-800:]}")
    if tool in COMPAT:
        site = subprocess.run([str(home / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                              capture_output=True, text=True, check=True).stdout.strip()
        Path(site, "rootplane_compat.pth").write_text(COMPAT[tool])
    stamp.write_text(recipe)
    return home / "bin"


if __name__ == "__main__":  # pre-install: python tests/e2e/tool_venvs.py [tool ...]
    for name in sys.argv[1:] or TOOLS:
        print(name, tool_venv(name), flush=True)
