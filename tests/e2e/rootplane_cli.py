"""Run the ``rootplane`` operator commands as a person does: a subprocess with credentials in the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass

from harness import Server

__all__ = ["RootplaneCli"]


@dataclass
class RootplaneCli:
    """``rootplane <command> --endpoint-url <server>`` signed with one access key."""

    server: Server
    credentials: dict

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID=self.credentials["AccessKeyId"],
                   AWS_SECRET_ACCESS_KEY=self.credentials["SecretAccessKey"], AWS_DEFAULT_REGION="us-east-1",
                   AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "rootplane.cli", args[0], *args[1:], "--endpoint-url", self.server.endpoint]

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(*args), env=self.env(), capture_output=True, text=True, timeout=timeout)

    def json(self, *args: str) -> tuple[int, object]:
        """Exit status and parsed standard output."""
        result = self.run(*args)
        assert result.stdout.strip(), (result.returncode, result.stderr)
        return result.returncode, json.loads(result.stdout)
