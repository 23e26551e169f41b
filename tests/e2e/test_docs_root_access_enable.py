"""IAM User Guide, "Centralize root access for member accounts" (id_root-enable-root-access.html), AWS CLI steps.

The documented procedure, run verbatim with the AWS CLI: enable trusted access for IAM, enable root credentials
management and privileged root actions, check with list-organizations-features, register a delegated
administrator for IAM, then disable. The page's "minimum permissions" are granted to an IAM user and suffice.
"""

from __future__ import annotations

import json

import pytest

from docs_cli import BOOT_KEY, Cli
from orgs_helpers import admin_key, assume_access_role, create_member

IAM = "iam.amazonaws.com"
MINIMUM_PERMISSIONS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
    "iam:EnableOrganizationsRootCredentialsManagement", "iam:EnableOrganizationsRootSessions",
    "iam:ListOrganizationsFeatures", "organizations:RegisterDelegatedAdministrator",
    "organizations:EnableAwsServiceAccess"]}]}


@pytest.fixture(scope="module")
def root(server) -> Cli:
    return Cli(server, BOOT_KEY)


@pytest.fixture(scope="module")
def stages(server, root) -> Cli:
    """An IAM user of the management account holding exactly the page's minimum permissions, and the states the
    page's steps start from, saved as snapshots: no organization, an organization, root access enabled."""
    root.json("iam", "create-user", "--user-name", "root-access-enabler")
    root.json("iam", "put-user-policy", "--user-name", "root-access-enabler", "--policy-name", "Minimum",
              "--policy-document", json.dumps(MINIMUM_PERMISSIONS))
    enabler = Cli(server, root.json("iam", "create-access-key", "--user-name", "root-access-enabler")["AccessKey"])
    server.snapshot("rootaccess-none")
    root.json("organizations", "create-organization", "--feature-set", "ALL")
    server.snapshot("rootaccess-organization")
    root.json("organizations", "enable-aws-service-access", "--service-principal", IAM)
    root.json("iam", "enable-organizations-root-credentials-management")
    root.json("iam", "enable-organizations-root-sessions")
    server.snapshot("rootaccess-enabled")
    return enabler


@pytest.fixture
def enabler(request, server, stages) -> Cli:
    """The enabler, with the state restored to the stage the test names with ``@pytest.mark.stage`` (default:
    no organization)."""
    marker = request.node.get_closest_marker("stage")
    server.restore(f"rootaccess-{marker.args[0] if marker else 'none'}")
    return stages


def test_prerequisites_are_reported_with_aws_errors(root, enabler):
    error = enabler.error("iam", "list-organizations-features")
    assert error.returncode in (254, 255)  # AWS CLI v2 / v1 exit code of a service error
    assert (error.code, error.operation) == ("OrganizationNotFoundException", "ListOrganizationsFeatures")
    assert error.message == "The request was rejected because no organization is associated with your account."
    organization = root.json("organizations", "create-organization", "--feature-set", "ALL")["Organization"]
    assert organization["FeatureSet"] == "ALL" and organization["MasterAccountId"] == "000000000000"
    for command in ("list-organizations-features", "enable-organizations-root-credentials-management",
                    "enable-organizations-root-sessions"):
        error = enabler.error("iam", command)
        assert error.code == "ServiceAccessNotEnabledException"
        assert error.message == "Trusted Access for IAM not enabled by organization of input account 000000000000."


@pytest.mark.stage("organization")
def test_enable_centralized_root_access_with_minimum_permissions(root, enabler):
    assert enabler.json("organizations", "enable-aws-service-access", "--service-principal", IAM) is None
    organization_id = root.json("organizations", "describe-organization")["Organization"]["Id"]
    assert enabler.json("iam", "enable-organizations-root-credentials-management") == {
        "OrganizationId": organization_id, "EnabledFeatures": ["RootCredentialsManagement"]}
    assert enabler.json("iam", "enable-organizations-root-sessions") == {
        "OrganizationId": organization_id, "EnabledFeatures": ["RootSessions", "RootCredentialsManagement"]}
    assert enabler.json("iam", "list-organizations-features") == {
        "OrganizationId": organization_id, "EnabledFeatures": ["RootSessions", "RootCredentialsManagement"]}
    principals = root.json("organizations", "list-aws-service-access-for-organization")["EnabledServicePrincipals"]
    assert [p["ServicePrincipal"] for p in principals] == [IAM]


@pytest.mark.stage("enabled")
def test_cli_output_formats(enabler):
    assert enabler.text("iam", "list-organizations-features", "--query", "EnabledFeatures") == \
        "RootSessions\tRootCredentialsManagement"
    lines = enabler.text("iam", "list-organizations-features").splitlines()
    assert lines[0].startswith("o-") and lines[1:] == ["ENABLEDFEATURES\tRootSessions",
                                                       "ENABLEDFEATURES\tRootCredentialsManagement"]
    table = enabler.run("iam", "list-organizations-features", output="table").stdout
    assert "ListOrganizationsFeatures" in table and "RootCredentialsManagement" in table
    assert enabler.json("iam", "list-organizations-features", "--query",
                        "contains(EnabledFeatures, 'RootSessions')") is True


@pytest.mark.stage("enabled")
def test_delegated_administrator_for_iam(server, root, enabler):
    orgs = server.client("organizations")
    delegate, member = create_member(orgs, "security-tooling"), create_member(orgs, "workload")
    assert enabler.json("organizations", "register-delegated-administrator", "--service-principal", IAM,
                        "--account-id", delegate) is None
    admins = root.json("organizations", "list-delegated-administrators", "--service-principal", IAM)[
        "DelegatedAdministrators"]
    assert [admin["Id"] for admin in admins] == [delegate]
    assert {"Id", "Arn", "Email", "Name", "Status", "JoinedMethod", "JoinedTimestamp",
            "DelegationEnabledDate"} <= set(admins[0])
    services = root.json("organizations", "list-delegated-services-for-account", "--account-id", delegate)[
        "DelegatedServices"]
    assert [service["ServicePrincipal"] for service in services] == [IAM]
    error = root.error("organizations", "register-delegated-administrator", "--service-principal", IAM,
                       "--account-id", delegate)
    assert error.code == "AccountAlreadyRegisteredException"

    admin = admin_key(server)
    delegate_admin = Cli(server, assume_access_role(server, admin, delegate))
    member_admin = Cli(server, assume_access_role(server, admin, member))
    organization_id = root.json("organizations", "describe-organization")["Organization"]["Id"]
    assert delegate_admin.json("iam", "list-organizations-features") == {
        "OrganizationId": organization_id, "EnabledFeatures": ["RootSessions", "RootCredentialsManagement"]}
    error = delegate_admin.error("iam", "enable-organizations-root-sessions")
    assert error.code == "CallerIsNotManagementAccountException"
    assert error.message == (f"Caller account {delegate} is not management account of the organization and "
                             "cannot enable IAM features.")
    error = member_admin.error("iam", "list-organizations-features")
    assert error.code == "AccountNotManagementOrDelegatedAdministratorException"
    assert error.message == f"Input account {member} is neither management account nor delegated admin."
    credentials = delegate_admin.json(
        "sts", "assume-root", "--target-principal", member,
        "--task-policy-arn", "arn=arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")["Credentials"]
    assert Cli(server, credentials).json("sts", "get-caller-identity") == {
        "UserId": member, "Account": member, "Arn": f"arn:aws:iam::{member}:root"}
    root.json("organizations", "deregister-delegated-administrator", "--service-principal", IAM,
              "--account-id", delegate)
    assert root.json("organizations", "list-delegated-administrators", "--service-principal", IAM)[
        "DelegatedAdministrators"] == []


@pytest.mark.stage("enabled")
def test_disable_centralized_root_access(root, enabler):
    organization_id = root.json("organizations", "describe-organization")["Organization"]["Id"]
    error = enabler.error("iam", "disable-organizations-root-sessions")
    assert error.code == "AccessDenied" and "iam:DisableOrganizationsRootSessions" in error.message
    assert root.json("iam", "disable-organizations-root-sessions") == {
        "OrganizationId": organization_id, "EnabledFeatures": ["RootCredentialsManagement"]}
    assert root.json("iam", "disable-organizations-root-credentials-management") == {
        "OrganizationId": organization_id, "EnabledFeatures": []}
    assert root.json("iam", "disable-organizations-root-sessions") == {
        "OrganizationId": organization_id, "EnabledFeatures": []}
    assert root.json("organizations", "disable-aws-service-access", "--service-principal", IAM) is None
    assert root.error("iam", "list-organizations-features").code == "ServiceAccessNotEnabledException"
