"""ARN parsing and construction."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Arn", "parse_arn", "root_arn"]


@dataclass(frozen=True, slots=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def parse_arn(text: str) -> Arn | None:
    """Split an ARN into its six parts; None when it is not an ARN."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def root_arn(account_id: str) -> str:
    """The root user ARN of an account."""
    return f"arn:aws:iam::{account_id}:root"
