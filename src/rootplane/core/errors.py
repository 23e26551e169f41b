"""AWS-shaped errors. Every failure a client sees is one of these, serialized in the operation's protocol."""

from __future__ import annotations

from typing import Any

__all__ = ["AwsError", "access_denied", "validation_error", "not_implemented", "internal_failure"]


class AwsError(Exception):
    """An error with an AWS error code, HTTP status and message.

    ``fields`` carries extra modelled members of the error shape (Organizations ``Reason``, S3 ``BucketName``...).
    ``query_code`` is the legacy code for query-compatible JSON services (SQS ``x-amzn-query-error``).
    ``sender_fault`` picks the query protocol ``<Type>`` (Sender for 4xx, Receiver for 5xx by default).
    ``headers`` are response headers the error carries outside its shape (S3 ``x-amz-delete-marker``).
    """

    def __init__(
        self,
        code: str,
        message: str = "",
        status: int = 400,
        *,
        sender_fault: bool | None = None,
        fields: dict[str, Any] | None = None,
        query_code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.sender_fault = status < 500 if sender_fault is None else sender_fault
        self.fields = dict(fields or {})
        self.query_code = query_code
        self.headers = dict(headers or {})

    def __repr__(self) -> str:
        return f"AwsError({self.code!r}, {self.message!r}, {self.status})"


def access_denied(message: str, *, json_protocol: bool = False) -> AwsError:
    """AccessDenied (query/XML) or AccessDeniedException (JSON services), HTTP 403."""
    return AwsError("AccessDeniedException" if json_protocol else "AccessDenied", message, 403)


def validation_error(message: str, *, code: str = "ValidationError") -> AwsError:
    """A 400 input validation error."""
    return AwsError(code, message, 400)


def not_implemented(service: str, operation: str) -> AwsError:
    """HTTP 501 for an operation that is in the model but not built yet."""
    return AwsError(
        "NotImplemented",
        f"The operation {operation} of service {service} is not implemented by rootplane yet.",
        501,
        sender_fault=False,
    )


def internal_failure(request_id: str) -> AwsError:
    """The answer to an unexpected exception: no traceback leaves the server."""
    return AwsError(
        "InternalFailure",
        f"The request processing has failed because of an unknown error, exception or failure (request {request_id}).",
        500,
    )


def service_unavailable(disk_full: bool = False) -> AwsError:
    """The answer while the store cannot be reached or cannot do the work: retryable, as AWS's own 503s are."""
    why = "the store's disk is full" if disk_full else "the store is unavailable, retry later"
    return AwsError("ServiceUnavailable", f"Service is unable to handle request: {why}.", 503)
