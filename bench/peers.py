"""The peers rootplane is measured against, each in its own virtualenv under bench/.venvs (git-ignored), installed
from PyPI at pinned versions on first use: moto's server and ministack.
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

__all__ = ["PEERS", "peer_python"]

VENVS = Path(__file__).with_name(".venvs")
PEERS = {"ministack": "ministack==1.5.33", "moto": "moto[server]==5.2.5"}


def peer_python(name: str) -> Path:
    """The interpreter of the peer's own virtualenv (created and installed on first use)."""
    home = VENVS / name
    python = home / "bin" / "python"
    stamp = home / ".installed"
    if not stamp.exists():
        print(f"installing {PEERS[name]} into {home} ...", file=sys.stderr, flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(home)
        subprocess.run([str(python), "-m", "pip", "install", "-q", PEERS[name]], check=True)
        stamp.write_text(PEERS[name] + "\n")
    return python
