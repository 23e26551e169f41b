"""Run AWS CLI commands the way AWS's documentation shows them, with credentials exported in the environment.

The docs tell readers to ``export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... AWS_SESSION_TOKEN=...`` (no
``aws configure``) and then run plain ``aws <service> <command>``; only ``--endpoint-url`` differs here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from harness import Server

__all__ = ["Cli", "CliError", "BOOT_KEY"]

BOOT_KEY = {"AccessKeyId": "test", "SecretAccessKey": "test"}
_ERROR_RE = re.compile(r"An error occurred \((?P<code>[^)]+)\) when calling the (?P<operation>\w+) operation: "
                       r"(?P<message>.*)", re.S)


@dataclass(frozen=True)
class CliError:
    """A failed command: the CLI's exit code and the parsed ``An error occurred (...)`` line."""

    returncode: int
    code: str
    operation: str
    message: str


@dataclass
class Cli:
    """``aws`` signed with one identity (an IAM ``AccessKey`` or STS ``Credentials`` dict)."""

    server: Server
    credentials: dict

    def run(self, *args: str, output: str = "json", check: bool = True):
        """The completed process of ``aws --output <output> <args>``."""
        return self.server.cli(*args, "--output", output, access_key=self.credentials["AccessKeyId"],
                               secret_key=self.credentials["SecretAccessKey"],
                               token=self.credentials.get("SessionToken"), check=check)

    def json(self, *args: str):
        """The command's JSON output (``None`` when it prints nothing, like the docs' delete commands)."""
        out = self.run(*args).stdout
        return json.loads(out) if out.strip() else None

    def text(self, *args: str) -> str:
        return self.run(*args, output="text").stdout.strip()

    def error(self, *args: str) -> CliError:
        """Run a command expected to fail with a service error (CLI v2 exits 254, v1 255)."""
        result = self.run(*args, check=False)
        match = _ERROR_RE.search(result.stderr)
        assert result.returncode != 0 and match, (result.returncode, result.stdout, result.stderr)
        return CliError(result.returncode, match["code"], match["operation"], match["message"].strip())

