"""IAM: users, groups, roles, policies, credentials of IAM users and of the root user, and the IAM policy sources."""
