"""CloudTrail's organization delegated administrator (CloudTrail User Guide, "Organization delegated administrator";
API reference RegisterOrganizationDelegatedAdmin / DeregisterOrganizationDelegatedAdmin): the management account
registers up to three member accounts, which then manage the organization trails the management account owns."""

from __future__ import annotations

import pytest

from orgs_helpers import all_features_organization, assume_access_role, error_of
from trail_helpers import organization_trail_bucket

MANAGEMENT = "000000000000"
SERVICE = "cloudtrail.amazonaws.com"


@pytest.fixture(scope="module")
def org(server):
    """An all-features organization with four members; trusted access for CloudTrail is not enabled yet."""
    return all_features_organization(server, "ct", 4)


def _delegates(server) -> list[str]:
    listed = server.client("organizations").list_delegated_administrators(ServicePrincipal=SERVICE)
    return sorted(a["Id"] for a in listed["DelegatedAdministrators"])


def test_registration_needs_an_all_features_organization(server):
    """Runs first, before the module's organization exists."""
    cloudtrail = server.client("cloudtrail")
    alone = error_of(cloudtrail.register_organization_delegated_admin, MemberAccountId="123456789012")
    assert (alone["Code"], alone["Status"]) == ("OrganizationsNotInUseException", 400)
    orgs = server.client("organizations")
    orgs.create_organization(FeatureSet="CONSOLIDATED_BILLING")
    billing = error_of(cloudtrail.register_organization_delegated_admin, MemberAccountId="123456789012")
    assert (billing["Code"], billing["Status"]) == ("OrganizationNotInAllFeaturesModeException", 400)
    orgs.delete_organization()


def test_registration_needs_trusted_access_and_the_management_account(server, org):
    cloudtrail = server.client("cloudtrail")
    first = org["members"][0]
    denied = error_of(cloudtrail.register_organization_delegated_admin, MemberAccountId=first)
    assert (denied["Code"], denied["Status"]) == ("CloudTrailAccessNotEnabledException", 400)
    server.client("organizations").enable_aws_service_access(ServicePrincipal=SERVICE)

    member = server.client_for(assume_access_role(server, org["admin"], first), "cloudtrail")
    refused = error_of(member.register_organization_delegated_admin, MemberAccountId=org["members"][1])
    assert (refused["Code"], refused["Status"]) == ("NotOrganizationManagementAccountException", 400)
    own = error_of(cloudtrail.register_organization_delegated_admin, MemberAccountId=MANAGEMENT)
    assert own["Code"] == "CannotDelegateManagementAccountException"
    stranger = error_of(cloudtrail.register_organization_delegated_admin, MemberAccountId="123456789012")
    assert stranger["Code"] == "AccountNotFoundException"
    assert _delegates(server) == []


def test_three_delegated_administrators_at_most(server, org):
    cloudtrail = server.client("cloudtrail")
    first, second, third, fourth = org["members"]
    for account in (first, second, third):
        assert cloudtrail.register_organization_delegated_admin(MemberAccountId=account)[
            "ResponseMetadata"]["HTTPStatusCode"] == 200
    assert _delegates(server) == sorted([first, second, third])
    again = error_of(cloudtrail.register_organization_delegated_admin, MemberAccountId=first)
    assert (again["Code"], again["Status"]) == ("AccountRegisteredException", 400)
    full = error_of(cloudtrail.register_organization_delegated_admin, MemberAccountId=fourth)
    assert (full["Code"], full["Status"]) == ("DelegatedAdminAccountLimitExceededException", 400)
    # Organizations' own RegisterDelegatedAdministrator keeps CloudTrail's limit of three too.
    through_orgs = error_of(server.client("organizations").register_delegated_administrator,
                            AccountId=fourth, ServicePrincipal=SERVICE)
    assert through_orgs["Reason"] == "MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED"

    cloudtrail.deregister_organization_delegated_admin(DelegatedAdminAccountId=third)
    assert _delegates(server) == sorted([first, second])
    gone = error_of(cloudtrail.deregister_organization_delegated_admin, DelegatedAdminAccountId=third)
    assert (gone["Code"], gone["Status"]) == ("AccountNotRegisteredException", 400)


def test_delegated_admin_manages_the_management_accounts_organization_trails(server, org, unique):
    first, fourth = org["members"][0], org["members"][3]
    assert first in _delegates(server)
    name = f"org-{unique}"
    arn = f"arn:aws:cloudtrail:us-east-1:{MANAGEMENT}:trail/{name}"
    organization_trail_bucket(server, f"org-logs-{unique}", arn, org["id"])
    admin = server.client_for(assume_access_role(server, org["admin"], first, "ct-admin"), "cloudtrail")

    created = admin.create_trail(Name=name, S3BucketName=f"org-logs-{unique}", IsOrganizationTrail=True,
                                 IsMultiRegionTrail=True)
    assert (created["TrailARN"], created["IsOrganizationTrail"]) == (arn, True)  # the management account owns it
    assert [t["TrailARN"] for t in server.client("cloudtrail").describe_trails()["trailList"]
            if t["Name"] == name] == [arn]
    # By name the delegated administrator finds only its own account's trails; by ARN the organization's.
    missing = error_of(admin.start_logging, Name=name)
    assert (missing["Code"], missing["Message"]) == (
        "TrailNotFoundException", f"Unknown trail: arn:aws:cloudtrail:us-east-1:{first}:trail/{name} for the user: "
                                  f"{first}")
    admin.start_logging(Name=arn)
    assert admin.get_trail_status(Name=arn)["IsLogging"] is True
    assert [t["TrailARN"] for t in admin.describe_trails()["trailList"]] == [arn]
    assert admin.update_trail(Name=arn, EnableLogFileValidation=True)["LogFileValidationEnabled"] is True
    admin.add_tags(ResourceId=arn, TagsList=[{"Key": "owner", "Value": "security"}])
    assert admin.list_tags(ResourceIdList=[arn])["ResourceTagList"] == [
        {"ResourceId": arn, "TagsList": [{"Key": "owner", "Value": "security"}]}]

    # Another member sees the organization trail but may not change it.
    other = server.client_for(assume_access_role(server, org["admin"], fourth, "ct-other"), "cloudtrail")
    assert [t["TrailARN"] for t in other.describe_trails()["trailList"]] == [arn]
    refused = error_of(other.stop_logging, Name=arn)  # another account's trail: no policy lets it act on it
    assert (refused["Code"], refused["Status"]) == ("AccessDeniedException", 400)
    assert error_of(other.create_trail, Name=f"x{name}", S3BucketName=f"org-logs-{unique}",
                    IsOrganizationTrail=True)["Code"] == "NotOrganizationMasterAccountException"

    # The trail logs the organization: the delegated administrator's own calls land under its account's folder.
    server.client("cloudtrail").lookup_events(MaxResults=1)  # flushes pending records and deliveries
    keys = [o["Key"] for o in server.client("s3").list_objects_v2(Bucket=f"org-logs-{unique}").get("Contents", [])]
    assert any(key.startswith(f"AWSLogs/{org['id']}/{first}/CloudTrail/us-east-1/") for key in keys), keys

    admin.delete_trail(Name=arn)
    assert [t for t in server.client("cloudtrail").describe_trails()["trailList"] if t["Name"] == name] == []


def test_register_and_deregister_with_the_aws_cli(server, org):
    fourth = org["members"][3]
    assert server.cli_json("cloudtrail", "deregister-organization-delegated-admin",
                           "--delegated-admin-account-id", org["members"][1]) == {}
    assert server.cli_json("cloudtrail", "register-organization-delegated-admin",
                           "--member-account-id", fourth) == {}
    assert fourth in _delegates(server)
    failed = server.cli("cloudtrail", "register-organization-delegated-admin", "--member-account-id", fourth,
                        check=False)
    assert failed.returncode == 255 and "(AccountRegisteredException)" in failed.stderr
