"""The AWS services rootplane serves (botocore model names), known without loading any model."""

from __future__ import annotations

__all__ = ["SERVICES"]

SERVICES: tuple[str, ...] = ("iam", "sts", "organizations", "account", "s3", "sqs", "cloudtrail", "events", "sns", "kms",
                             "support", "logs", "cloudwatch")
