"""SQS errors: the JSON ``__type`` (model shape name) and the legacy query code clients see as Error.Code."""

from __future__ import annotations

from rootplane.core.errors import AwsError

__all__ = ["sqs_error", "queue_does_not_exist", "invalid_parameter", "missing_parameter"]

# Modelled shape name -> legacy query error code (the pre-JSON SQS model's error.code).
_LEGACY = {
    "QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue",
    "QueueNameExists": "QueueAlreadyExists",
    "QueueDeletedRecently": "AWS.SimpleQueueService.QueueDeletedRecently",
    "MessageNotInflight": "AWS.SimpleQueueService.MessageNotInflight",
    "TooManyEntriesInBatchRequest": "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
    "EmptyBatchRequest": "AWS.SimpleQueueService.EmptyBatchRequest",
    "BatchEntryIdsNotDistinct": "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
    "InvalidBatchEntryId": "AWS.SimpleQueueService.InvalidBatchEntryId",
    "BatchRequestTooLong": "AWS.SimpleQueueService.BatchRequestTooLong",
    "PurgeQueueInProgress": "AWS.SimpleQueueService.PurgeQueueInProgress",
    "UnsupportedOperation": "AWS.SimpleQueueService.UnsupportedOperation",
}


def sqs_error(code: str, message: str, status: int = 400) -> AwsError:
    """An SQS error by model shape name (or bare legacy code such as InvalidParameterValue)."""
    return AwsError(code, message, status, query_code=_LEGACY.get(code, code))


def queue_does_not_exist() -> AwsError:
    return sqs_error("QueueDoesNotExist", "The specified queue does not exist.")


def invalid_parameter(message: str) -> AwsError:
    return sqs_error("InvalidParameterValue", message)


def missing_parameter(name: str) -> AwsError:
    return sqs_error("MissingParameter", f"The request must contain the parameter {name}.")
