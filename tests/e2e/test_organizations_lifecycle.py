"""The account lifecycle against the accounts quota: open invitations hold a place, closed members keep theirs
until they are permanently closed (Organizations User Guide, "Quotas and service limits")."""

from __future__ import annotations

import pytest

from orgs_helpers import create_member, error_of, second_standalone

OTHER = "111111111111"
OTHER_KEY = "AKIAOTHERROOTKEY01"


@pytest.fixture(scope="module")
def eight_accounts(server) -> list[str]:
    """An organization of eight accounts (the management account and seven created members) and a standalone
    account, saved as a snapshot; returns the members."""
    second_standalone(server, OTHER, OTHER_KEY)
    orgs = server.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    members = [create_member(orgs, f"member{n}") for n in range(7)]
    server.snapshot("lifecycle")
    return members


@pytest.fixture
def orgs(server, eight_accounts):
    """Each test starts from the snapshot (whatever the others invited, created or closed)."""
    server.restore("lifecycle")
    return server.client("organizations")


def _quota_error(call, **params) -> tuple[str, str]:
    error = error_of(call, **params)
    return error["Code"], error["Reason"]


def test_open_invitations_hold_a_place_in_the_quota(server, orgs):
    other = server.client("organizations", OTHER_KEY, OTHER_KEY)
    to_other = orgs.invite_account_to_organization(Target={"Id": OTHER, "Type": "ACCOUNT"})["Handshake"]
    to_email = orgs.invite_account_to_organization(Target={"Id": "later@example.com", "Type": "EMAIL"})["Handshake"]
    assert _quota_error(orgs.create_account, Email="eleventh@example.com", AccountName="eleventh") == (
        "ConstraintViolationException", "ACCOUNT_NUMBER_LIMIT_EXCEEDED")
    error = error_of(orgs.invite_account_to_organization, Target={"Id": "more@example.com", "Type": "EMAIL"})
    assert (error["Code"], error["Reason"], error["Message"]) == (
        "HandshakeConstraintViolationException", "ACCOUNT_NUMBER_LIMIT_EXCEEDED",
        "You have exceeded the allowed number of AWS accounts")
    # the invited account takes the place its invitation held
    assert other.accept_handshake(HandshakeId=to_other["Id"])["Handshake"]["State"] == "ACCEPTED"
    orgs.cancel_handshake(HandshakeId=to_email["Id"])
    create_member(orgs, "tenth")


def test_closed_members_count_until_permanently_closed(server, orgs, eight_accounts):
    create_member(orgs, "ninth")
    orgs.invite_account_to_organization(Target={"Id": "later@example.com", "Type": "EMAIL"})
    orgs.close_account(AccountId=eight_accounts[0])
    server.advance_clock(60)
    assert orgs.describe_account(AccountId=eight_accounts[0])["Account"]["State"] == "SUSPENDED"
    assert _quota_error(orgs.create_account, Email="eleventh@example.com", AccountName="eleventh") == (
        "ConstraintViolationException", "ACCOUNT_NUMBER_LIMIT_EXCEEDED")
    server.advance_clock(91 * 86400)
    assert orgs.describe_account(AccountId=eight_accounts[0])["Account"]["State"] == "CLOSED"
    # the invitation has expired meanwhile: a new one holds the tenth place, the permanently closed account none
    orgs.invite_account_to_organization(Target={"Id": "later@example.com", "Type": "EMAIL"})
    create_member(orgs, "tenth")


def test_create_account_refuses_a_reserved_role_name(orgs, eight_accounts):
    """The role CreateAccount makes may not take service-linked roles' reserved prefix (INVALID_ROLE_NAME)."""
    error = error_of(orgs.create_account, Email="linked@example.com", AccountName="linked",
                     RoleName="AWSServiceRoleForOrganizations")
    assert (error["Code"], error["Reason"]) == ("InvalidInputException", "INVALID_ROLE_NAME")
    assert "AWSServiceRoleFor" in error["Message"]
    assert len(orgs.list_accounts()["Accounts"]) == len(eight_accounts) + 1
