"""Invitations (a standalone account joins and its root becomes bound by SCPs), closure, removal."""

from __future__ import annotations

import pytest

from harness import BOOT_ACCOUNT
from orgs_helpers import create_member, error_of, policy_text, second_standalone

OTHER = "111111111111"


@pytest.fixture(scope="module")
def organization(server) -> str:
    """A second standalone account and an organization, saved as a snapshot."""
    second_standalone(server, OTHER, "AKIAOTHERROOTKEY01")
    server.client("organizations").create_organization(FeatureSet="ALL")
    server.snapshot("membership")
    return "membership"


@pytest.fixture
def orgs(server, organization):
    """Each test starts from the snapshot (whatever the others invited, closed or removed)."""
    server.restore(organization)
    return server.client("organizations")


def test_invitation_then_scp_binds_member_root(server, orgs):
    other_orgs = server.client("organizations", "AKIAOTHERROOTKEY01", "AKIAOTHERROOTKEY01")
    assert error_of(other_orgs.describe_organization)["Code"] == "AWSOrganizationsNotInUseException"
    handshake = orgs.invite_account_to_organization(Target={"Id": OTHER, "Type": "ACCOUNT"}, Notes="join us")[
        "Handshake"]
    assert handshake["State"] == "OPEN" and handshake["Action"] == "INVITE"
    assert error_of(orgs.invite_account_to_organization, Target={"Id": OTHER, "Type": "ACCOUNT"})["Code"] == \
        "DuplicateHandshakeException"
    mail = server.get_json(f"/_rootplane/outbox?to=root-{OTHER}@example.com")
    assert handshake["Id"] in mail[-1]["body"]
    pending = other_orgs.list_handshakes_for_account()["Handshakes"]
    assert [h["Id"] for h in pending] == [handshake["Id"]]
    accepted = other_orgs.accept_handshake(HandshakeId=handshake["Id"])["Handshake"]
    assert accepted["State"] == "ACCEPTED"
    assert error_of(other_orgs.accept_handshake, HandshakeId=handshake["Id"])["Code"] == \
        "HandshakeAlreadyInStateException"
    for target in ({"Id": OTHER, "Type": "ACCOUNT"}, {"Id": f"root-{OTHER}@example.com", "Type": "EMAIL"},
                   {"Id": BOOT_ACCOUNT, "Type": "ACCOUNT"}):
        error = error_of(orgs.invite_account_to_organization, Target=target)
        assert (error["Code"], error["Reason"]) == ("HandshakeConstraintViolationException",
                                                    "ALREADY_IN_AN_ORGANIZATION")
    account = orgs.describe_account(AccountId=OTHER)["Account"]
    assert account["JoinedMethod"] == "INVITED" and account["Status"] == "ACTIVE"
    other_iam = server.client("iam", "AKIAOTHERROOTKEY01", "AKIAOTHERROOTKEY01")
    other_iam.list_users()
    deny = orgs.create_policy(Content=policy_text({"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"}),
                              Description="", Name="RootNoList", Type="SERVICE_CONTROL_POLICY")["Policy"]
    orgs.attach_policy(PolicyId=deny["PolicySummary"]["Id"], TargetId=OTHER)
    error = error_of(other_iam.list_users)
    assert error["Code"] == "AccessDenied"
    assert f"arn:aws:iam::{OTHER}:root" in error["Message"] and "service control policy" in error["Message"]
    server.client("iam").list_users()
    orgs.detach_policy(PolicyId=deny["PolicySummary"]["Id"], TargetId=OTHER)


def test_decline_and_cancel(server, orgs):
    handshake = orgs.invite_account_to_organization(Target={"Id": "someone@example.com", "Type": "EMAIL"})["Handshake"]
    cancelled = orgs.cancel_handshake(HandshakeId=handshake["Id"])["Handshake"]
    assert cancelled["State"] == "CANCELED"
    assert error_of(orgs.cancel_handshake, HandshakeId=handshake["Id"])["Code"] == "HandshakeAlreadyInStateException"
    assert error_of(orgs.describe_handshake, HandshakeId="h-" + "0" * 10)["Code"] == "HandshakeNotFoundException"


def test_close_account_lifecycle(server, orgs):
    member = create_member(orgs, "closing")
    error = error_of(orgs.close_account, AccountId=BOOT_ACCOUNT)
    assert error["Code"] == "ConstraintViolationException" and error["Reason"] == "CANNOT_CLOSE_MANAGEMENT_ACCOUNT"
    server.cli("organizations", "close-account", "--account-id", member)
    account = orgs.describe_account(AccountId=member)["Account"]
    assert account["Status"] == "PENDING_CLOSURE" and account["State"] == "PENDING_CLOSURE"
    assert error_of(orgs.close_account, AccountId=member)["Code"] == "AccountAlreadyClosedException"
    server.advance_clock(60)
    account = orgs.describe_account(AccountId=member)["Account"]
    assert account["Status"] == "SUSPENDED" and account["State"] == "SUSPENDED"
    server.advance_clock(91 * 86400)
    assert orgs.describe_account(AccountId=member)["Account"]["State"] == "CLOSED"


def test_closed_member_credentials_stop_working(server, orgs):
    other_orgs = server.client("organizations", "AKIAOTHERROOTKEY01", "AKIAOTHERROOTKEY01")
    handshake = orgs.invite_account_to_organization(Target={"Id": OTHER, "Type": "ACCOUNT"})["Handshake"]
    other_orgs.accept_handshake(HandshakeId=handshake["Id"])
    other_sts = server.client("sts", "AKIAOTHERROOTKEY01", "AKIAOTHERROOTKEY01")
    assert other_sts.get_caller_identity()["Account"] == OTHER
    orgs.close_account(AccountId=OTHER)
    error = error_of(other_sts.get_caller_identity)
    assert (error["Code"], error["Status"]) == ("InvalidClientTokenId", 403)


def test_remove_account_and_delete_organization(server, orgs):
    create_member(orgs, "staying")  # the organization keeps a member whatever ran before
    member = create_member(orgs, "leaving")
    assert error_of(orgs.remove_account_from_organization, AccountId=BOOT_ACCOUNT)["Code"] == \
        "MasterCannotLeaveOrganizationException"
    orgs.remove_account_from_organization(AccountId=member)
    assert error_of(orgs.describe_account, AccountId=member)["Code"] == "AccountNotFoundException"
    assert error_of(orgs.delete_organization)["Code"] == "OrganizationNotEmptyException"
