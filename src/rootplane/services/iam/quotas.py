"""IAM quotas (GetAccountSummary defaults observed in fresh accounts, aws-spec.md (l))."""

from __future__ import annotations

__all__ = ["QUOTAS"]

QUOTAS = {
    "UsersQuota": 5000, "GroupsQuota": 300, "RolesQuota": 1000, "PoliciesQuota": 1500, "InstanceProfilesQuota": 1000,
    "ServerCertificatesQuota": 20, "AccessKeysPerUserQuota": 2, "SigningCertificatesPerUserQuota": 2,
    "GroupsPerUserQuota": 10, "AttachedPoliciesPerUserQuota": 10, "AttachedPoliciesPerGroupQuota": 10,
    "AttachedPoliciesPerRoleQuota": 20, "UserPolicySizeQuota": 2048, "GroupPolicySizeQuota": 5120,
    "RolePolicySizeQuota": 10240, "PolicySizeQuota": 6144, "AssumeRolePolicySizeQuota": 2048,
    "VersionsPerPolicyQuota": 5, "PolicyVersionsInUseQuota": 10000, "GlobalEndpointTokenVersion": 1,
}
MFA_DEVICES_PER_USER = 8
