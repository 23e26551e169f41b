"""IAM operations: one mixin per entity family, composed into the provider the gateway finds by name."""

from __future__ import annotations

from rootplane.services.iam.access_advisor import AccessAdvisorMixin
from rootplane.services.iam.access_keys import AccessKeysMixin
from rootplane.services.iam.account import AccountMixin
from rootplane.services.iam.account_properties import AccountPropertiesMixin
from rootplane.services.iam.attachments import AttachmentsMixin
from rootplane.services.iam.authorization_details import AuthorizationDetailsMixin
from rootplane.services.iam.certificates import CertificatesMixin
from rootplane.services.iam.context_keys import ContextKeysMixin
from rootplane.services.iam.credential_report import CredentialReportMixin
from rootplane.services.iam.deletion_tasks import DeletionTasksMixin
from rootplane.services.iam.groups import GroupsMixin
from rootplane.services.iam.identity_providers import IdentityProvidersMixin
from rootplane.services.iam.instance_profiles import InstanceProfilesMixin
from rootplane.services.iam.login_profiles import LoginProfilesMixin
from rootplane.services.iam.managed_policies import ManagedPoliciesMixin
from rootplane.services.iam.mfa import MfaMixin
from rootplane.services.iam.organization_features import OrganizationFeaturesMixin
from rootplane.services.iam.organizations_access import OrganizationsAccessMixin
from rootplane.services.iam.roles import RolesMixin
from rootplane.services.iam.server_certificates import ServerCertificatesMixin
from rootplane.services.iam.service_credentials import ServiceCredentialsMixin
from rootplane.services.iam.simulate import SimulateMixin
from rootplane.services.iam.ssh_keys import SshKeysMixin
from rootplane.services.iam.users import UsersMixin
from rootplane.services.provider import Provider

__all__ = ["IamProvider", "PROVIDER"]


class IamProvider(
    UsersMixin, GroupsMixin, RolesMixin, InstanceProfilesMixin, ManagedPoliciesMixin, AttachmentsMixin,
    AccessKeysMixin, LoginProfilesMixin, MfaMixin, CertificatesMixin, AccountMixin, AccountPropertiesMixin,
    CredentialReportMixin,
    SimulateMixin, ContextKeysMixin, AuthorizationDetailsMixin, ServerCertificatesMixin, SshKeysMixin,
    IdentityProvidersMixin, ServiceCredentialsMixin, OrganizationFeaturesMixin, AccessAdvisorMixin,
    OrganizationsAccessMixin, DeletionTasksMixin, Provider,
):
    service_name = "iam"
    # Reading a last accessed report flushes the audit writer first, so the calls made before the job count.
    # Hashing or verifying a password (argon2) is deliberately slow CPU work: on a worker thread, never inline.
    waiting_operations = frozenset({"GetServiceLastAccessedDetails", "GetServiceLastAccessedDetailsWithEntities",
                                    "GetOrganizationsAccessReport",
                                    "CreateLoginProfile", "UpdateLoginProfile", "ChangePassword"})


PROVIDER = IamProvider()
