"""Queue URLs and ARNs."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from rootplane.services.sqs.errors import sqs_error

__all__ = ["queue_url", "queue_arn", "parse_queue_url", "parse_queue_arn"]

_PATH = re.compile(r"^/(\d{12})/([A-Za-z0-9_-]{1,80}(?:\.fifo)?)/?$")


def queue_url(host: str, account_id: str, name: str, scheme: str = "http") -> str:
    """``http://<host>/<account>/<name>`` (AWS: https://sqs.<region>.amazonaws.com/<account>/<name>)."""
    return f"{scheme}://{host}/{account_id}/{name}"


def queue_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:sqs:{region}:{account_id}:{name}"


def parse_queue_url(url: str) -> tuple[str, str]:
    """(account id, queue name) of a queue URL on any host; InvalidAddress otherwise."""
    match = _PATH.match(urlsplit(url).path) if "://" in url else None
    if match is None:
        raise sqs_error("InvalidAddress", f"The address {url} is not valid for this endpoint.", 404)
    return match.group(1), match.group(2)


def parse_queue_arn(arn: str) -> tuple[str, str, str] | None:
    """(region, account id, name) of a queue ARN, or None."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[:3] != ["arn", "aws", "sqs"]:
        return None
    return parts[3], parts[4], parts[5]
