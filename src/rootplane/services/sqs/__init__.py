"""Amazon SQS: queues, messages (visibility, long polling, batches) and queue policies as resource policies."""
