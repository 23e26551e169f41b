"""Third-party audit tools, each from PyPI at a pinned version in its own virtualenv under ``.tools-venvs/``
(git-ignored), created on first use and reused by later runs (CI caches the folder)."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import venv
from pathlib import Path

__all__ = ["TOOLS", "COMPAT", "tool_venv", "ToolUnavailable", "VENVS"]

VENVS = Path(__file__).resolve().parents[2] / ".tools-venvs"

#: tool -> the ``pip install`` argument lists that build its venv, in order (pinned tools).
TOOLS: dict[str, tuple[tuple[str, ...], ...]] = {
    "prowler": (("prowler==5.46.0",),),
    "custodian": (("c7n==0.9.53",),),
    # ScoutSuite's AWS provider only: its full dependency set (old pins of the GCP and Azure SDKs) sends pip's
    # resolver backtracking for more than 20 minutes. These are its requirements that `scout aws` imports.
    "scoutsuite": (("--no-deps", "scoutsuite==5.14.0"),
                   ("python-dateutil>=2.1,<2.8.1", "netaddr>=0.8.0", "sqlitedict>=1.6.0", "cherrypy>=18.1.0",
                    "cherrypy-cors>=1.6", "coloredlogs<=10.0", "asyncio-throttle==0.1.1", "botocore>=1.20.21",
                    "boto3>=1.9.210", "policyuniverse>=1.3.2.0")),
    "principalmapper": (("principalmapper==1.1.5",),),
    "cloudsplaining": (("cloudsplaining==0.9.1",),),
}

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
    VENVS.mkdir(exist_ok=True)
    with open(VENVS / f"{tool}.lock", "w") as lock:  # one installer at a time (pytest-xdist workers)
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _installed(tool, TOOLS[tool])


def _installed(tool: str, steps: tuple[tuple[str, ...], ...]) -> Path:
    home = VENVS / tool
    stamp, recipe = home / ".installed", "".join(" ".join(step) + "\n" for step in steps) + COMPAT.get(tool, "")
    if stamp.exists() and stamp.read_text() == recipe:
        return home / "bin"
    venv.EnvBuilder(with_pip=True, clear=True).create(home)
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    for step in steps:
        result = subprocess.run([str(home / "bin" / "python"), "-m", "pip", "install", "-q", *step],
                                capture_output=True, text=True, env=env, timeout=3600)
        if result.returncode != 0:
            raise ToolUnavailable(f"pip install {' '.join(step)} failed: {result.stderr.strip()[-800:]}")
    if tool in COMPAT:
        site = subprocess.run([str(home / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                              capture_output=True, text=True, check=True).stdout.strip()
        Path(site, "rootplane_compat.pth").write_text(COMPAT[tool])
    stamp.write_text(recipe)
    return home / "bin"


if __name__ == "__main__":  # pre-install: python tests/e2e/tool_venvs.py [tool ...]
    for name in sys.argv[1:] or TOOLS:
        print(name, tool_venv(name), flush=True)
