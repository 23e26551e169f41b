"""Replay aws-captures/regions.json and regions_initial_session.json (ListRegions paging and filters,
GetRegionOptStatus validation and context, the af-south-1 EnableRegion/DisableRegion lifecycle with its conflicts,
and what regional STS in af-south-1 accepts meanwhile) and organization_regions.json (GetRegionOptStatus with an
AccountId before/after trusted access and delegation).

Actors: 111111111111 = the management account (IAM user ``Delegated``, an administrator), 222222222222 = a member
(its OrganizationAccountAccessRole session ``stackd-region-probe``, issued by us-west-2's STS in regions.json and by
the global endpoint in regions_initial_session.json). Account calls go to the (global) Account endpoint; STS calls
to af-south-1's, except the first identity check, made where the member session was issued. Each observation runs
at its recorded time offset on the server's (frozen) clock (enabling took AWS about 2 minutes, disabling about 50 s).
Judged on outcome, HTTP status, code, exact message and recorded fields (reason, fieldList); ListRegions on its
regions and whether a NextToken came (AWS's tokens are opaque).
"""

from __future__ import annotations

import datetime as _dt
import json

import urllib.request

import pytest

from capture_replay import attempt, load, Mismatches, recorded_error, substitute
from orgs_helpers import admin_key, create_member
from server_clock import ServerClock

MANAGEMENT, MEMBER, ORG = "111111111111", "222222222222", "o-exampleorg"
OPT_IN = "af-south-1"
RECORDED_ROLE_ID = "AROA5LIQA72GUU3ZX4CQS"
STATUS = {"Success": 200, "AccessDeniedException": 403, "AccessDenied": 403, "ValidationException": 400,
          "ConflictException": 409, "InvalidClientTokenId": 403}


@pytest.fixture
def fresh(server):
    """The module's server, reset: every replay starts from a new organization at the real time."""
    urllib.request.urlopen(urllib.request.Request(server.endpoint + "/_rootplane/reset", method="POST"),
                           timeout=30).read()
    return server


def _time(observation: dict) -> float:
    return _dt.datetime.fromisoformat(observation["observed_at"]).timestamp()


def _global_endpoint(request, **_kwargs) -> None:
    """Send an STS request as to sts.amazonaws.com (the Host is signed; the connection stays local)."""
    request.headers["Host"] = "sts.amazonaws.com"


class RegionsWorld:
    """The recording's organization: management admin ``Delegated``, one member, the member's session."""

    def __init__(self, server, member_name: str, issued_globally: bool) -> None:
        self.server = server
        orgs = server.client("organizations")
        self.org_id = orgs.create_organization()["Organization"]["Id"]
        self.management = server.client("sts").get_caller_identity()["Account"]
        self.member = create_member(orgs, member_name)
        self.admin = admin_key(server, "Delegated")
        issuer_region = "us-east-1" if issued_globally else "us-west-2"
        sts = server.client_for(self.admin, "sts", region=issuer_region)
        if issued_globally:
            sts.meta.events.register("before-sign.sts.AssumeRole", _global_endpoint)
        self.session = sts.assume_role(RoleArn=f"arn:aws:iam::{self.member}:role/OrganizationAccountAccessRole",
                                       RoleSessionName="stackd-region-probe")["Credentials"]
        self.issuer_region = issuer_region
        self.fresh: dict | None = None
        role_id = server.client_for(self.session, "sts").get_caller_identity()["UserId"].split(":", 1)[0]
        self.ids = {MANAGEMENT: self.management, MEMBER: self.member, ORG: self.org_id, RECORDED_ROLE_ID: role_id}

    def client(self, observation: dict):
        """The recorded caller's client for one observation."""
        case, service = observation["case"], observation["service"]
        if case.startswith("management_") or case.startswith("initial_management") or \
                case.startswith("trusted_management") or case.endswith("assume_into_member"):
            credentials = self.admin
        elif case.endswith("fresh_member_identity"):
            credentials = self.fresh
        else:
            credentials = self.session
        if service == "account":
            return self.server.client_for(credentials, "account")
        region = self.issuer_region if case == "member_issuer_region_identity" else OPT_IN
        return self.server.client_for(credentials, "sts", region=region)


def _enable_for_management(server, clock: ServerClock, recorded: dict) -> None:
    """The management account's recorded region state (opt-in regions it had enabled), set before the replay."""
    account = server.client("account")
    enabled = [r["RegionName"] for r in recorded["output"]["Regions"] if r["RegionOptStatus"] == "ENABLED"]
    for region in enabled:
        if account.get_region_opt_status(RegionName=region)["RegionOptStatus"] == "DISABLED":
            account.enable_region(RegionName=region)
    clock.advance(10 * 60)


def _comparable_output(operation: str, output: dict, now: float) -> dict:
    """Outputs as recorded: list-regions without the opaque token, assume-role's expiry as seconds from now."""
    output = dict(output)
    if operation == "list-regions":
        output["NextToken"] = "NextToken" in output
    if operation == "assume-role":
        expiration = output["Credentials"]["Expiration"]
        if isinstance(expiration, str):
            expiration = _dt.datetime.fromisoformat(expiration)
        output["Credentials"] = {"ExpiresIn": round((expiration.timestamp() - now) / 60)}
    return output


def replay(server, name: str, member_name: str, issued_globally: bool) -> Mismatches:
    recording = load(name)
    clock = ServerClock(server)
    observations = recording["observations"]
    management_list = next(o for o in observations if o["case"] == "management_regions")
    _enable_for_management(server, clock, management_list)
    world = RegionsWorld(server, member_name, issued_globally)
    clock.freeze()  # each answer at its recorded offset, however long the requests take here
    origin, recorded_origin = clock.now() + 1, _time(observations[0])
    mismatches = Mismatches()
    for observation in observations:
        case, operation = observation["case"], observation["operation"]
        clock.advance_to(origin + _time(observation) - recorded_origin)
        code, result, status = attempt(world.client(observation), operation,
                                       substitute(observation["input"], world.ids))
        mismatches.check(case, "code", observation["code"], code)
        mismatches.check(case, "status", STATUS[observation["code"]], status)
        if code != observation["code"]:
            continue
        if code == "Success":
            if operation == "assume-role":
                world.fresh = result["Credentials"]
            if "NextToken" in observation["output"] and "NextToken" in result:  # the next page asks with ours
                world.ids[observation["output"]["NextToken"]] = result["NextToken"]
            recorded = _comparable_output(operation, substitute(observation["output"], world.ids), _time(observation))
            ours = _comparable_output(operation, result, clock.now())
            mismatches.check(case, "output", recorded, {key: value for key, value in ours.items() if key in recorded})
        else:
            expected = recorded_error(observation, world.ids)
            mismatches.check(case, "error", expected, {key: result.get(key) for key in expected})
    return mismatches


@pytest.mark.parametrize("name, issued_globally", [("regions.json", False), ("regions_initial_session.json", True)])
def test_replay_region_lifecycle(fresh, name, issued_globally):
    mismatches = replay(fresh, name, name.split(".")[0].replace("_", "-"), issued_globally)
    assert not mismatches, "\n".join(mismatches)


def test_replay_organization_regions(fresh):
    """organization_regions.json: trusted access for account.amazonaws.com and the member's delegation are the
    recording's unrecorded steps between observations (``SETUP``); the scoped session carries the recorded
    session policy (TargetRegion us-east-1 on the member's organization ARN)."""
    server = fresh
    world = RegionsWorld(server, "organization-regions", False)
    orgs = server.client("organizations")
    admin_session = server.client_for(world.admin, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{world.member}:role/OrganizationAccountAccessRole",
        RoleSessionName="stackd-account-org")["Credentials"]
    scoped_policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "account:GetRegionOptStatus",
        "Resource": f"arn:aws:account::{world.management}:account/{world.org_id}/{world.member}",
        "Condition": {"StringEquals": {"account:TargetRegion": "us-east-1"}}}]})
    scoped = server.client_for(world.admin, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{world.member}:role/OrganizationAccountAccessRole",
        RoleSessionName="stackd-account-org", Policy=scoped_policy)["Credentials"]
    setup = {
        "trusted_management_target": lambda: orgs.enable_aws_service_access(ServicePrincipal="account.amazonaws.com"),
        "delegated_member_explicit_self": lambda: orgs.register_delegated_administrator(
            AccountId=world.member, ServicePrincipal="account.amazonaws.com"),
    }
    ids = {**world.ids, ORG: world.org_id}
    mismatches = Mismatches()
    for observation in load("organization_regions.json")["observations"]:
        case = observation["case"]
        setup.get(case, lambda: None)()
        credentials = world.admin if "management" in case else scoped if case.startswith("delegated_") and \
            case != "delegated_member_explicit_self" else admin_session
        code, result, status = attempt(server.client_for(credentials, "account"), observation["operation"],
                                       substitute(observation["input"], ids))
        mismatches.check(case, "code", observation["code"], code)
        mismatches.check(case, "status", STATUS[observation["code"]], status)
        if code != observation["code"]:
            continue
        if code == "Success":
            mismatches.check(case, "output", substitute(observation["output"], ids), result)
        else:
            expected = recorded_error(observation, ids)
            mismatches.check(case, "error", expected, {key: result.get(key) for key in expected})
    assert not mismatches, "\n".join(mismatches)
