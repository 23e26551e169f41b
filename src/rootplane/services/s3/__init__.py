"""Amazon S3: buckets, objects and bucket policies enforced as resource policies."""
