"""Handshakes: an invited root accepts with its own credentials through the AWS CLI, EnableAllFeatures waits for
every invited member's approval, invitations expire after 15 days."""

from __future__ import annotations

from datetime import timedelta

import pytest

from harness import BOOT_ACCOUNT
from orgs_helpers import error_of, second_standalone

OTHER, THIRD = "111111111111", "222222222222"


@pytest.fixture(scope="module")
def consolidated(server) -> str:
    """Two standalone accounts and an organization with consolidated billing only, saved as a snapshot."""
    second_standalone(server, OTHER, "AKIAOTHERROOTKEY01")
    second_standalone(server, THIRD, "AKIATHIRDROOTKEY01")
    server.client("organizations").create_organization(FeatureSet="CONSOLIDATED_BILLING")
    server.snapshot("handshakes")
    return "handshakes"


@pytest.fixture
def orgs(server, consolidated):
    """Each test starts from the snapshot (whatever the others invited, accepted or enabled)."""
    server.restore(consolidated)
    return server.client("organizations")


def _invite_other(server, orgs) -> None:
    invited = orgs.invite_account_to_organization(Target={"Id": OTHER, "Type": "ACCOUNT"})["Handshake"]
    _other_cli(server, "accept-handshake", "--handshake-id", invited["Id"])


def _other_cli(server, *args: str) -> dict:
    return server.cli_json("organizations", *args, access_key="AKIAOTHERROOTKEY01", secret_key="AKIAOTHERROOTKEY01")


def test_invited_root_accepts_with_the_cli(server, orgs):
    error = error_of(orgs.invite_account_to_organization, Target={"Id": "o-abcdefghij", "Type": "ORGANIZATION"})
    assert (error["Code"], error["Reason"]) == ("InvalidInputException", "INVALID_PARTY_TYPE_TARGET")
    invited = server.cli_json("organizations", "invite-account-to-organization", "--target",
                              f"Id={OTHER},Type=ACCOUNT", "--notes", "welcome")["Handshake"]
    assert (invited["State"], invited["Action"]) == ("OPEN", "INVITE")
    described = orgs.describe_handshake(HandshakeId=invited["Id"])["Handshake"]
    assert described["ExpirationTimestamp"] - described["RequestedTimestamp"] == timedelta(days=15)
    assert invited["Id"] in server.get_json(f"/_rootplane/outbox?to=root-{OTHER}@example.com")[-1]["body"]
    listed = _other_cli(server, "list-handshakes-for-account")["Handshakes"]
    assert [h["Id"] for h in listed] == [invited["Id"]]
    described = _other_cli(server, "describe-handshake", "--handshake-id", invited["Id"])["Handshake"]
    assert {"Type": "NOTES", "Value": "welcome"} in described["Resources"]
    accepted = _other_cli(server, "accept-handshake", "--handshake-id", invited["Id"])["Handshake"]
    assert accepted["State"] == "ACCEPTED"
    assert orgs.describe_handshake(HandshakeId=invited["Id"])["Handshake"]["State"] == "ACCEPTED"
    assert _other_cli(server, "describe-organization")["Organization"]["MasterAccountId"] == BOOT_ACCOUNT
    assert orgs.describe_account(AccountId=OTHER)["Account"]["JoinedMethod"] == "INVITED"


def test_enable_all_features_waits_for_invited_members(server, orgs):
    _invite_other(server, orgs)
    other = server.client("organizations", "AKIAOTHERROOTKEY01", "AKIAOTHERROOTKEY01")
    request = orgs.enable_all_features()["Handshake"]
    # REQUESTED until every invited member answers, then OPEN (API_Handshake.html's State); one party and one
    # resource, the organization (the AWS CLI reference's enable-all-features example, EnableAllFeatures's example)
    org_id = orgs.describe_organization()["Organization"]["Id"]
    assert (request["Action"], request["State"]) == ("ENABLE_ALL_FEATURES", "REQUESTED")
    assert (request["Parties"], request["Resources"]) == ([{"Id": org_id, "Type": "ORGANIZATION"}],
                                                          [{"Value": org_id, "Type": "ORGANIZATION"}])
    error = error_of(orgs.enable_all_features)  # EnableAllFeatures models no DuplicateHandshakeException
    assert (error["Code"], error["Reason"]) == ("HandshakeConstraintViolationException",
                                                "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION")
    assert orgs.describe_organization()["Organization"]["FeatureSet"] == "CONSOLIDATED_BILLING"
    assert error_of(orgs.accept_handshake, HandshakeId=request["Id"])["Code"] == "InvalidHandshakeTransitionException"
    (approval,) = other.list_handshakes_for_account(Filter={"ActionType": "ENABLE_ALL_FEATURES"})["Handshakes"]
    assert {"Type": "PARENT_HANDSHAKE", "Value": request["Id"]} in approval["Resources"]
    assert approval["Id"] in server.get_json(f"/_rootplane/outbox?to=root-{OTHER}@example.com")[-1]["body"]
    assert other.accept_handshake(HandshakeId=approval["Id"])["Handshake"]["State"] == "ACCEPTED"
    assert orgs.describe_handshake(HandshakeId=request["Id"])["Handshake"]["State"] == "OPEN"
    (final,) = orgs.list_handshakes_for_account(Filter={"ActionType": "APPROVE_ALL_FEATURES"})["Handshakes"]
    assert final["State"] == "OPEN"
    assert orgs.accept_handshake(HandshakeId=final["Id"])["Handshake"]["State"] == "ACCEPTED"
    assert orgs.describe_organization()["Organization"]["FeatureSet"] == "ALL"
    assert orgs.describe_handshake(HandshakeId=request["Id"])["Handshake"]["State"] == "ACCEPTED"
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    types = orgs.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")["Root"]["PolicyTypes"]
    assert {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"} in types
    error = error_of(orgs.enable_all_features)
    assert (error["Code"], error["Reason"]) == ("HandshakeConstraintViolationException",
                                                "ORGANIZATION_ALREADY_HAS_ALL_FEATURES")


def test_invitation_expires_after_15_days(server, orgs):
    third = server.client("organizations", "AKIATHIRDROOTKEY01", "AKIATHIRDROOTKEY01")
    invited = orgs.invite_account_to_organization(Target={"Id": THIRD, "Type": "ACCOUNT"})["Handshake"]
    server.advance_clock(14 * 86400)
    assert third.describe_handshake(HandshakeId=invited["Id"])["Handshake"]["State"] == "OPEN"
    server.advance_clock(86400 + 1)
    assert third.describe_handshake(HandshakeId=invited["Id"])["Handshake"]["State"] == "EXPIRED"
    assert error_of(third.accept_handshake, HandshakeId=invited["Id"])["Code"] == "InvalidHandshakeTransitionException"
    assert error_of(third.describe_organization)["Code"] == "AWSOrganizationsNotInUseException"
    again = orgs.invite_account_to_organization(Target={"Id": THIRD, "Type": "ACCOUNT"})["Handshake"]
    assert third.accept_handshake(HandshakeId=again["Id"])["Handshake"]["State"] == "ACCEPTED"


def test_handshake_filter_by_parent(server, orgs):
    """HandshakeFilter takes ActionType or ParentHandshakeId (the children of an all-features request), not both."""
    _invite_other(server, orgs)
    other = server.client("organizations", "AKIAOTHERROOTKEY01", "AKIAOTHERROOTKEY01")
    request = orgs.enable_all_features()["Handshake"]
    (approval,) = other.list_handshakes_for_account(Filter={"ParentHandshakeId": request["Id"]})["Handshakes"]
    assert approval["Action"] == "ENABLE_ALL_FEATURES" and approval["Id"] != request["Id"]
    assert other.list_handshakes_for_account(Filter={"ParentHandshakeId": "h-" + "0" * 10})["Handshakes"] == []
    children = orgs.list_handshakes_for_organization(Filter={"ParentHandshakeId": request["Id"]})["Handshakes"]
    assert [h["Id"] for h in children] == [approval["Id"]]
    error = error_of(orgs.list_handshakes_for_organization,
                     Filter={"ActionType": "ENABLE_ALL_FEATURES", "ParentHandshakeId": request["Id"]})
    assert (error["Code"], error["Reason"]) == ("InvalidInputException", "MAX_LIMIT_EXCEEDED_FILTER")


def test_invitation_to_an_invalid_email_address(orgs):
    error = error_of(orgs.invite_account_to_organization, Target={"Id": "not-an-address", "Type": "EMAIL"})
    assert (error["Code"], error["Reason"], error["Message"]) == (
        "InvalidInputException", "INVALID_EMAIL_ADDRESS_TARGET",
        "You specified an invalid email address for the invited account owner.")
    assert orgs.list_handshakes_for_organization()["Handshakes"] == []


def test_no_invitations_while_enabling_all_features(server, orgs):
    """While the all-features request waits for approvals no account can be invited; once it is finalized, it can."""
    _invite_other(server, orgs)
    other = server.client("organizations", "AKIAOTHERROOTKEY01", "AKIAOTHERROOTKEY01")
    request = orgs.enable_all_features()["Handshake"]
    error = error_of(orgs.invite_account_to_organization, Target={"Id": THIRD, "Type": "ACCOUNT"})
    assert (error["Code"], error["Reason"]) == ("HandshakeConstraintViolationException",
                                                "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES")
    (approval,) = other.list_handshakes_for_account(Filter={"ParentHandshakeId": request["Id"]})["Handshakes"]
    other.accept_handshake(HandshakeId=approval["Id"])
    (final,) = orgs.list_handshakes_for_account(Filter={"ActionType": "APPROVE_ALL_FEATURES"})["Handshakes"]
    orgs.accept_handshake(HandshakeId=final["Id"])
    assert orgs.invite_account_to_organization(Target={"Id": THIRD, "Type": "ACCOUNT"})["Handshake"]["State"] == "OPEN"
