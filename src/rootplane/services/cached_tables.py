"""The tables that process caches read (store/changes.py ``TableCache``), named without importing their modules.

A commit tells the other processes on the database which of these tables it wrote, so they drop what they cached.
A cache's module may load only with the first request that needs it (AssumeRoot's eligibility, SCP levels), while
another process already holds entries from it: every process must publish writes to these tables from its first
commit. The composition root imports this module; tests/unit/test_cached_tables.py keeps the list equal to the
caches' own.
"""

from __future__ import annotations

from rootplane.store.changes import watch

__all__ = ["CACHED_TABLES"]

CACHED_TABLES = frozenset({
    # iam/policies.py: identity policies and boundaries of principals; iam/user_views.py: users by name
    "iam_users", "iam_roles", "iam_groups", "iam_group_members", "iam_attachments", "iam_inline_policies",
    "iam_managed_policies", "iam_policy_versions",
    # organizations/policies.py: SCP/RCP levels
    "org_organizations", "org_units", "org_memberships", "org_policies", "org_policy_attachments",
    # sts/assume_root.py: who may open a privileged root session on which account
    "accounts", "org_delegated_admins", "org_service_access", "organization_root_features",
    # s3/bucket_views.py: buckets by name; s3/object_lock.py: their Object Lock configurations;
    # sqs/queue_views.py: queues by account, region and name; sns/topic_views.py: topics and their subscriptions
    "s3_buckets", "s3_bucket_settings", "sqs_queues", "sns_topics", "sns_subscriptions",
})

watch(CACHED_TABLES)
