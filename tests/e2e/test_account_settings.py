"""Account service round trips, replaying aws-captures contacts/primary_contact/regions/organization_regions."""

from __future__ import annotations

import json

import pytest

from harness import BOOT_ACCOUNT
from orgs_helpers import admin_key, assume_access_role, create_member, error_of

NO_CONTACT = "No contact of the inputted alternate contact type found."


@pytest.fixture(scope="module")
def account(server):
    return server.client("account")


@pytest.fixture(scope="module")
def organization(server) -> str:
    """The bootstrap account's organization (made once for the tests that need one, in any order)."""
    return server.client("organizations").create_organization()["Organization"]["Id"]


def test_alternate_contact_round_trip(server, account):
    for call in (account.get_alternate_contact, account.delete_alternate_contact):
        error = error_of(call, AlternateContactType="OPERATIONS")
        assert (error["Code"], error["Message"], error["Status"]) == ("ResourceNotFoundException", NO_CONTACT, 404)
    account.put_alternate_contact(AlternateContactType="OPERATIONS", Name="  Stackd Contact Probe  ",
                                  Title="  Operations  ", EmailAddress="  Probe+ops@Example.invalid  ",
                                  PhoneNumber=" +1 (202) 555-0100 ")
    assert account.get_alternate_contact(AlternateContactType="OPERATIONS")["AlternateContact"] == {
        "Name": "  Stackd Contact Probe  ", "Title": "  Operations  ", "EmailAddress": "Probe+ops@Example.invalid",
        "PhoneNumber": " +1 (202) 555-0100 ", "AlternateContactType": "OPERATIONS"}
    server.cli("account", "put-alternate-contact", "--alternate-contact-type", "OPERATIONS", "--name", "Stackd Updated",
               "--title", "Contact Probe", "--email-address", "probe2@example.invalid", "--phone-number", "2025550101")
    got = server.cli_json("account", "get-alternate-contact", "--alternate-contact-type", "OPERATIONS")
    assert got["AlternateContact"]["Name"] == "Stackd Updated"
    account.delete_alternate_contact(AlternateContactType="OPERATIONS")
    assert error_of(account.get_alternate_contact, AlternateContactType="OPERATIONS")["Message"] == NO_CONTACT


def test_primary_contact_normalization(account):
    original = account.get_contact_information()["ContactInformation"]
    assert {"FullName", "AddressLine1", "City", "PostalCode", "CountryCode", "PhoneNumber"} <= set(original)
    padded = {**original, "AddressLine1": f"  {original['AddressLine1']}  ", "CountryCode": "us",
              "PhoneNumber": original["PhoneNumber"] + " "}
    padded.pop("StateOrRegion", None)
    account.put_contact_information(ContactInformation=padded)
    stored = account.get_contact_information()["ContactInformation"]
    assert stored["AddressLine1"] == original["AddressLine1"] and stored["CountryCode"] == "US"
    assert stored["PhoneNumber"] == original["PhoneNumber"] and "StateOrRegion" not in stored
    for field in ("AddressLine1", "City", "FullName", "PostalCode", "StateOrRegion"):
        error = error_of(account.put_contact_information, ContactInformation={**original, field: " "})
        assert error["Code"] == "ValidationException" and error["Message"] == f"the argument {field} can not be empty"
    assert error_of(account.put_contact_information,
                    ContactInformation={**original, "PhoneNumber": " +12065550100 "})["Code"] == "ValidationException"


def test_account_name_and_information(server, account):
    info = account.get_account_information()
    assert info["AccountId"] == BOOT_ACCOUNT and info["AccountState"] == "ACTIVE" and info["AccountCreatedDate"]
    account.put_account_name(AccountName=info["AccountName"])
    account.put_account_name(AccountName="renamed account")
    assert server.cli_json("account", "get-account-information")["AccountName"] == "renamed account"


def test_regions_listing_and_errors(account):
    first = account.list_regions()
    assert len(first["Regions"]) == 20 and first["NextToken"]
    assert {"RegionName": "af-south-1", "RegionOptStatus": "DISABLED"} in first["Regions"]
    rest = account.list_regions(NextToken=first["NextToken"], MaxResults=50)
    assert len(first["Regions"]) + len(rest["Regions"]) == 34 and "NextToken" not in rest
    disabled = account.list_regions(RegionOptStatusContains=["DISABLED"])
    assert len(disabled["Regions"]) == 17 and "NextToken" not in disabled
    default = account.list_regions(RegionOptStatusContains=["ENABLED_BY_DEFAULT"])["Regions"]
    assert len(default) == 17 and {"RegionName": "us-east-1", "RegionOptStatus": "ENABLED_BY_DEFAULT"} in default
    error = error_of(account.list_regions, NextToken="invalid-token")
    assert error["Message"] == "NextToken is malformed" and error["reason"] == "fieldValidationFailed"
    assert error["fieldList"] == [{"name": "NextToken", "message": "NextToken is malformed"}]
    for name in ("unknown-region", "cn-north-1"):
        error = error_of(account.get_region_opt_status, RegionName=name)
        message = f"{name} is not a valid region for opt-in or opt-out."
        assert (error["Code"], error["Message"], error["reason"]) == ("ValidationException", message,
                                                                      "fieldValidationFailed")
    error = error_of(account.get_region_opt_status, RegionName="US-EAST-1")
    assert error["Code"] == "AccessDeniedException" and error["Status"] == 403
    assert error["Message"] == (f"User: arn:aws:iam::{BOOT_ACCOUNT}:root is not authorized to perform: "
                                "account:GetRegionOptStatus (You specified an invalid target region.)")


def test_region_opt_in_lifecycle(server, account):
    busy = f"Account {BOOT_ACCOUNT} and region af-south-1 is currently being enabled or disabled. " \
           "Please wait until it finishes and then try again."
    refused = "Unable to switch region status because of its current opt-in status."
    account.enable_region(RegionName="af-south-1")
    assert account.get_region_opt_status(RegionName="af-south-1")["RegionOptStatus"] == "ENABLING"
    for call in (account.enable_region, account.disable_region):
        error = error_of(call, RegionName="af-south-1")
        assert (error["Code"], error["Message"], error["Status"]) == ("ConflictException", busy, 409)
    server.advance_clock(600)
    assert account.get_region_opt_status(RegionName="af-south-1")["RegionOptStatus"] == "ENABLED"
    error = error_of(account.enable_region, RegionName="af-south-1")
    assert (error["Message"], error["reason"]) == (refused, "invalidRegionOptTarget")
    account.disable_region(RegionName="af-south-1")
    assert account.get_region_opt_status(RegionName="af-south-1")["RegionOptStatus"] == "DISABLING"
    server.advance_clock(600)
    assert account.get_region_opt_status(RegionName="af-south-1")["RegionOptStatus"] == "DISABLED"
    assert error_of(account.disable_region, RegionName="af-south-1")["reason"] == "invalidRegionOptTarget"
    assert error_of(account.enable_region, RegionName="us-east-1")["reason"] == "invalidRegionOptTarget"


def test_organization_context(server, account, organization):
    """organization_regions.json: trusted access, the management account's own id, members, delegates."""
    orgs = server.client("organizations")
    org_id = organization
    orgs.disable_aws_service_access(ServicePrincipal="account.amazonaws.com")  # as a new organization has it
    member = create_member(orgs, "acct-target")
    admin = admin_key(server, "Delegated")
    admin_account = server.client_for(admin, "account")
    user_arn = f"arn:aws:iam::{BOOT_ACCOUNT}:user/Delegated"
    prefix = f"User: {user_arn} is not authorized to perform: account:GetRegionOptStatus"
    error = error_of(admin_account.get_region_opt_status, AccountId=member, RegionName="us-east-1")
    assert error["Message"] == prefix + " (Your organization must first enable trusted access with AWS Account Management.)"
    role = assume_access_role(server, admin, member, "stackd-account-org")
    member_account = server.client_for(role, "account")
    role_arn = f"arn:aws:sts::{member}:assumed-role/OrganizationAccountAccessRole/stackd-account-org"
    error = error_of(member_account.get_region_opt_status, AccountId=member, RegionName="us-east-1")
    assert error["Message"] == f"User: {role_arn} is not authorized to perform: account:GetRegionOptStatus"
    orgs.enable_aws_service_access(ServicePrincipal="account.amazonaws.com")
    status = admin_account.get_region_opt_status(AccountId=member, RegionName="us-east-1")
    assert status["RegionOptStatus"] == "ENABLED_BY_DEFAULT"
    error = error_of(admin_account.get_region_opt_status, AccountId=BOOT_ACCOUNT, RegionName="us-east-1")
    assert error["Message"] == prefix + (" (The management account can only be managed using the standalone context "
                                         "from the management account.)")
    orgs.register_delegated_administrator(AccountId=member, ServicePrincipal="account.amazonaws.com")
    assert member_account.get_region_opt_status(AccountId=member, RegionName="us-east-1")["RegionName"] == "us-east-1"
    scoped_policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "account:GetRegionOptStatus",
        "Resource": f"arn:aws:account::{BOOT_ACCOUNT}:account/{org_id}/{member}",
        "Condition": {"StringEquals": {"account:TargetRegion": "us-east-1"}}}]}
    scoped = server.client_for(admin, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole", RoleSessionName="stackd-account-org",
        Policy=json.dumps(scoped_policy))["Credentials"]
    scoped_account = server.client_for(scoped, "account")
    scoped_account.get_region_opt_status(AccountId=member, RegionName="us-east-1")
    error = error_of(scoped_account.get_region_opt_status, AccountId=member, RegionName="eu-west-1")
    assert error["Message"] == (f"User: {role_arn} is not authorized to perform: account:GetRegionOptStatus on "
                                f"resource: arn:aws:account::{BOOT_ACCOUNT}:account/{org_id}/{member} because no "
                                "session policy allows the account:GetRegionOptStatus action")
    error = error_of(scoped_account.get_region_opt_status, RegionName="us-east-1")
    assert error["Message"].endswith(f"on resource: arn:aws:account::{member}:account because no session policy "
                                     "allows the account:GetRegionOptStatus action")


def test_primary_email_update_sends_otp(server, organization):
    orgs = server.client("organizations")
    orgs.enable_aws_service_access(ServicePrincipal="account.amazonaws.com")
    member = create_member(orgs, "email-change")
    account = server.client("account")
    new_email = f"new-{member}@example.com"
    assert account.start_primary_email_update(AccountId=member, PrimaryEmail=new_email)["Status"] == "PENDING"
    message = server.get_json(f"/_rootplane/outbox?to={new_email}")[-1]
    otp = message["body"].split(": ")[-1].split()[0]
    assert len(otp) == 6
    assert error_of(account.accept_primary_email_update, AccountId=member, PrimaryEmail=new_email,
                    Otp="000000" if otp != "000000" else "111111")["Code"] == "ValidationException"
    accepted = account.accept_primary_email_update(AccountId=member, PrimaryEmail=new_email, Otp=otp)
    assert accepted["Status"] == "ACCEPTED"
    assert account.get_primary_email(AccountId=member)["PrimaryEmail"] == new_email
    assert orgs.describe_account(AccountId=member)["Account"]["Email"] == new_email
