"""IAM organization features (aws-spec.md b): check order, exception codes/messages, idempotence, feature order."""

from __future__ import annotations

import pytest

from harness import error_of
from root_access_org import ADMIN_POLICY, AUDIT, OrgWorld

FEATURE_OPS = ("enable_organizations_root_credentials_management", "enable_organizations_root_sessions",
               "disable_organizations_root_credentials_management", "disable_organizations_root_sessions",
               "list_organizations_features")
DENY_FEATURES = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["iam:ListOrganizationsFeatures"], "Resource": "*"},
    {"Effect": "Deny", "Action": ["iam:EnableOrganizationsRootCredentialsManagement",
                                  "iam:DisableOrganizationsRootCredentialsManagement",
                                  "iam:EnableOrganizationsRootSessions", "iam:DisableOrganizationsRootSessions"],
     "Resource": "*"}]}


@pytest.fixture(scope="module")
def stages(server) -> OrgWorld:
    """The states the tests start from, each saved as a snapshot: no organization, an organization, IAM trusted,
    both features enabled."""
    world = OrgWorld(server)
    world.admin = world.user("admin", managed=ADMIN_POLICY)
    world.denied = world.user("observer", policy=DENY_FEATURES)
    server.snapshot("features-none")
    world.create_organization()
    server.snapshot("features-organization")
    world.trust_iam()
    server.snapshot("features-trusted")
    iam = server.client_for(world.admin, "iam")
    iam.enable_organizations_root_credentials_management()
    iam.enable_organizations_root_sessions()
    server.snapshot("features-enabled")
    world.organization_ids = {"none": "", "organization": world.organization_id, "trusted": world.organization_id,
                              "enabled": world.organization_id}
    return world


@pytest.fixture
def world(request, stages) -> OrgWorld:
    """``stages`` restored to the stage a test names with ``@pytest.mark.stage(name)`` (default: none)."""
    marker = request.node.get_closest_marker("stage")
    stage = marker.args[0] if marker else "none"
    stages.server.restore(f"features-{stage}")
    stages.organization_id = stages.organization_ids[stage]
    return stages


def _iam(world, key):
    return world.server.client_for(key, "iam")


def test_without_organization(world):
    for op in FEATURE_OPS:
        code, message, status = error_of(getattr(_iam(world, world.admin), op))
        assert (code, status) == ("OrganizationNotFoundException", 400)
        assert message == "The request was rejected because no organization is associated with your account."


def test_consolidated_billing_organization(world):
    world.create_organization("CONSOLIDATED_BILLING")
    try:
        code, _, status = error_of(_iam(world, world.admin).list_organizations_features)
        assert (code, status) == ("OrganizationNotInAllFeaturesModeException", 400)
    finally:
        world.root("organizations").delete_organization()


@pytest.mark.stage("organization")
def test_iam_authorization_comes_first(world):
    iam = _iam(world, world.denied)
    code, message, status = error_of(iam.enable_organizations_root_sessions)
    assert (code, status) == ("AccessDenied", 403)
    assert message == ("User: arn:aws:iam::000000000000:user/org-access/observer is not authorized to perform: "
                       "iam:EnableOrganizationsRootSessions on resource: * with an explicit deny in an "
                       "identity-based policy")
    code, message, status = error_of(iam.list_organizations_features)
    assert (code, status) == ("ServiceAccessNotEnabledException", 400)


@pytest.mark.stage("organization")
def test_trusted_access_required(world):
    for op in FEATURE_OPS:
        code, message, status = error_of(getattr(_iam(world, world.admin), op))
        assert (code, message, status) == (
            "ServiceAccessNotEnabledException",
            "Trusted Access for IAM not enabled by organization of input account 000000000000.", 400)


@pytest.mark.stage("trusted")
def test_enable_disable_idempotent_in_aws_order(world):
    iam = _iam(world, world.admin)
    org = world.organization_id
    assert iam.list_organizations_features()["EnabledFeatures"] == []
    result = iam.enable_organizations_root_credentials_management()
    assert (result["OrganizationId"], result["EnabledFeatures"]) == (org, ["RootCredentialsManagement"])
    assert iam.enable_organizations_root_sessions()["EnabledFeatures"] == ["RootSessions", "RootCredentialsManagement"]
    assert iam.enable_organizations_root_sessions()["EnabledFeatures"] == ["RootSessions", "RootCredentialsManagement"]
    assert iam.disable_organizations_root_credentials_management()["EnabledFeatures"] == ["RootSessions"]
    assert iam.disable_organizations_root_credentials_management()["EnabledFeatures"] == ["RootSessions"]
    assert iam.list_organizations_features()["EnabledFeatures"] == ["RootSessions"]
    assert iam.enable_organizations_root_credentials_management()["EnabledFeatures"] == [
        "RootSessions", "RootCredentialsManagement"]
    cli = world.server.cli_json("iam", "list-organizations-features", access_key=world.admin["AccessKeyId"],
                                secret_key=world.admin["SecretAccessKey"])
    assert cli == {"OrganizationId": org, "EnabledFeatures": ["RootSessions", "RootCredentialsManagement"]}


@pytest.mark.stage("enabled")
def test_member_and_delegated_administrator(world):
    member = world.create_account("plain-member")
    delegate = world.create_account("delegate")
    plain = world.server.client_for(world.member_admin(world.admin, member), "iam")
    code, message, _ = error_of(plain.list_organizations_features)
    assert (code, message) == ("AccountNotManagementOrDelegatedAdministratorException",
                               f"Input account {member} is neither management account nor delegated admin.")
    code, message, _ = error_of(plain.enable_organizations_root_sessions)
    assert (code, message) == ("CallerIsNotManagementAccountException",
                               f"Caller account {member} is not management account of the organization and cannot "
                               "enable IAM features.")
    world.delegate(delegate)
    deleg = world.server.client_for(world.member_admin(world.admin, delegate), "iam")
    assert deleg.list_organizations_features()["EnabledFeatures"] == ["RootSessions", "RootCredentialsManagement"]
    code, _, _ = error_of(deleg.enable_organizations_root_credentials_management)
    assert code == "CallerIsNotManagementAccountException"
    assert deleg.disable_organizations_root_sessions()["EnabledFeatures"] == ["RootCredentialsManagement"]
    world.delegate(delegate, registered=False)
    code, _, _ = error_of(deleg.list_organizations_features)
    assert code == "AccountNotManagementOrDelegatedAdministratorException"


@pytest.mark.stage("enabled")
def test_toggling_keeps_root_credentials(world):
    """Switching features neither creates nor deletes a member root's credentials."""
    iam = _iam(world, world.admin)
    iam.enable_organizations_root_credentials_management()
    member = world.create_account("toggle")

    def summary() -> dict:
        session = world.assume_root(world.admin, member, AUDIT)
        found = world.server.client_for(session, "iam").get_account_summary()["SummaryMap"]
        return {key: value for key, value in found.items() if key.startswith("Account")}

    before = summary()
    assert before == {"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0, "AccountPasswordPresent": 0,
                      "AccountSigningCertificatesPresent": 0}
    iam.disable_organizations_root_credentials_management()
    iam.enable_organizations_root_sessions()
    iam.enable_organizations_root_credentials_management()
    assert summary() == before
