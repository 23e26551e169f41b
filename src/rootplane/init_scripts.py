"""``--init DIR``: run the ``*.sh`` and ``*.py`` files of DIR in name order once the server is ready.

Like LocalStack's ready hooks. Each script gets ``AWS_ENDPOINT_URL`` and the bootstrap root credentials in its
environment; its output goes to the server's log. ``InitProgress`` tells ``/_rootplane/health`` how far they are
(each script UNKNOWN, RUNNING, SUCCESSFUL or ERROR, as LocalStack's ``/_localstack/init`` reports them).
Standard library only (imported before the port opens).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from rootplane.core.config import ServerConfig

__all__ = ["InitProgress", "init_scripts", "run_init_scripts"]

log = logging.getLogger("rootplane")

_RUNNERS = {".sh": ("sh",), ".py": (sys.executable,)}


def init_scripts(directory: str) -> list[Path]:
    """The scripts of ``directory`` that run, in name order."""
    return sorted((p for p in Path(directory).iterdir() if p.is_file() and p.suffix in _RUNNERS),
                  key=lambda p: p.name)


class InitProgress:
    """The state of the init scripts: each script's state, and whether the run has finished."""

    def __init__(self, scripts: list[Path]) -> None:
        self._lock = threading.Lock()
        self._states = {script.name: "UNKNOWN" for script in scripts}
        self.completed = False
        self.ok = True

    def mark(self, name: str, state: str) -> None:
        with self._lock:
            self._states[name] = state

    def finish(self, ok: bool) -> None:
        self.ok, self.completed = ok, True

    def document(self) -> dict[str, Any]:
        """``{"completed": bool, "scripts": [{"name", "state"}]}`` for the health document."""
        with self._lock:
            scripts = [{"name": name, "state": state} for name, state in self._states.items()]
        return {"completed": self.completed, "scripts": scripts}


def _environment(config: ServerConfig) -> dict[str, str]:
    env = dict(os.environ)
    env.update(AWS_ENDPOINT_URL=config.endpoint, AWS_ACCESS_KEY_ID=config.bootstrap_access_key,
               AWS_SECRET_ACCESS_KEY=config.bootstrap_secret_key, AWS_DEFAULT_REGION=config.default_region,
               AWS_REGION=config.default_region)
    env.pop("AWS_SESSION_TOKEN", None)
    env.pop("AWS_PROFILE", None)
    return env


def run_init_scripts(config: ServerConfig, progress: InitProgress | None = None) -> bool:
    """Run every init script; True when all succeeded. With ``init_strict`` the first failure stops the run.
    ``progress`` (when given) follows each script and is finished at the end, whatever happened."""
    ok = False
    try:
        ok = _run(config, progress or InitProgress([]))
        return ok
    finally:
        if progress is not None:
            progress.finish(ok)


def _run(config: ServerConfig, progress: InitProgress) -> bool:
    env = _environment(config)
    ok = True
    for script in init_scripts(config.init_dir or "."):
        progress.mark(script.name, "RUNNING")
        result = subprocess.run([*_RUNNERS[script.suffix], str(script)], cwd=script.parent, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        output = result.stdout.rstrip()
        progress.mark(script.name, "SUCCESSFUL" if result.returncode == 0 else "ERROR")
        if result.returncode == 0:
            print(f"rootplane init: {script.name} ok" + (f"\n{output}" if output else ""), flush=True)
            continue
        ok = False
        print(f"rootplane init: {script.name} FAILED (exit status {result.returncode})"
              + (f"\n{output}" if output else ""), file=sys.stderr, flush=True)
        if config.init_strict:
            break
    print(f"rootplane init: {'done' if ok else 'failed'}", flush=True)
    return ok
