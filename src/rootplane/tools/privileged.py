"""The other privileged root tasks: allow password recovery, unlock a bucket policy, unlock a queue policy."""

from __future__ import annotations

from rootplane.tools.aws import Connection

__all__ = ["allow_password_recovery", "unlock_bucket", "unlock_queue"]


def allow_password_recovery(connection: Connection, account_id: str) -> str:
    """``IAMCreateRootUserPassword``: CreateLoginProfile without a password, so the root can use "Forgot password"."""
    with connection.as_root(account_id, "IAMCreateRootUserPassword") as root:
        root.client("iam").create_login_profile()
    return f"{account_id}: created the root login profile; the root user may now recover its password"


def unlock_bucket(connection: Connection, account_id: str, bucket: str) -> str:
    """``S3UnlockBucketPolicy``: delete a bucket policy that locks everyone out."""
    with connection.as_root(account_id, "S3UnlockBucketPolicy") as root:
        root.client("s3").delete_bucket_policy(Bucket=bucket)
    return f"{account_id}: deleted the bucket policy of {bucket}"


def unlock_queue(connection: Connection, account_id: str, queue_url: str) -> str:
    """``SQSUnlockQueuePolicy``: remove a queue policy that locks everyone out (SetQueueAttributes Policy="")."""
    with connection.as_root(account_id, "SQSUnlockQueuePolicy") as root:
        root.client("sqs").set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": ""})
    return f"{account_id}: removed the queue policy of {queue_url}"
