"""Replay aws-captures/root_access.json (management account without IAM trusted access: feature listing under
different grants, denied Enable/Disable, AssumeRoot validation and refusals, the five root-task policies) and
aws-captures/organizations_features.json (EnableAllFeatures on an organization that already has all features)."""

from __future__ import annotations

import json

import pytest

from capture_replay import Mismatches, call, load, substitute
from harness import raw_request
from root_access_org import ADMIN_POLICY, OrgWorld

RECORDED_MANAGEMENT = "123456789012"


def _caller(world: OrgWorld, observation: dict, keys: dict) -> dict:
    """The identity of a recorded ``credential``: 'original' = an administrator of the management account."""
    name = observation["credential"]
    if name not in keys:
        policy = next((json.loads(change["input"]["PolicyDocument"]) for change in observation.get(
            "state_changes_before", ()) if change["operation"] == "PutUserPolicy"), None)
        policy = substitute(policy, {RECORDED_MANAGEMENT: world.management})
        keys[name] = world.user(f"stackd-root-access-fixture-{name}", policy=policy)
    return keys[name]


@pytest.fixture(scope="module")
def world(server) -> OrgWorld:
    """An all-features organization without trusted access for IAM (the recording's state)."""
    world = OrgWorld(server)
    world.create_organization()
    return world


def test_replay_root_access(server, world):
    ids = {RECORDED_MANAGEMENT: world.management}
    keys = {"original": world.user("original", managed=ADMIN_POLICY)}
    mismatches = Mismatches()
    for observation in load("root_access.json")["observations"]:
        case = observation["case"]
        key = _caller(world, observation, keys)
        params = substitute(observation["input"], ids)
        if observation.get("endpoint") == "https://sts.amazonaws.com":
            body = (f"Action=AssumeRoot&Version=2011-06-15&TargetPrincipal={params['TargetPrincipal']}"
                    f"&TaskPolicyArn.arn={params['TaskPolicyArn']['arn']}").encode()
            response = raw_request(server, "sts", body=body, access_key=key["AccessKeyId"],
                                   secret_key=key["SecretAccessKey"],
                                   headers={"Host": "sts.amazonaws.com",
                                            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
            code = response.text.split("<Code>", 1)[-1].split("</Code>", 1)[0]
            result = response.text.split("<Message>", 1)[-1].split("</Message>", 1)[0]
            status = response.status
        else:
            code, result, status = call(server.client_for(key, observation["service"]), observation["operation"],
                                        params)
        mismatches.check(case, "code", observation["code"], code)
        mismatches.check(case, "status", observation["http_status"], status)
        if code != observation["code"]:
            continue
        if code == "Success":
            expected = substitute(observation["output"], ids)
            mismatches.compare_outputs(case, expected, result, lambda out, keys=tuple(expected): {
                key: _comparable(out.get(key)) for key in keys})
        else:
            message = substitute(observation["message"], ids).replace(
                "<original-caller-arn>", f"arn:aws:iam::{world.management}:user/org-access/original")
            if "<authorization-id>" in message:  # our id, wherever the recording names its (sanitized) one
                ours = result.split("#/authorization-details/", 1)[-1].split(" ", 1)[0]
                message = message.replace("<authorization-id>", ours)
            mismatches.check(case, "message", message, result)
    assert not mismatches, "\n".join(mismatches)


def _comparable(value):
    """Recorded outputs were JSON: datetimes as ISO text, policy documents as objects."""
    if isinstance(value, dict):
        return {key: _comparable(item) for key, item in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def test_replay_organizations_features(server, world):
    admin = world.user("admin", managed=ADMIN_POLICY)
    member = world.create_account("member")
    mismatches = Mismatches()
    for observation in load("organizations_features.json")["observations"]:
        case = observation["case"]
        credentials = world.member_admin(admin, member) if case == "member" else {
            "AccessKeyId": "test", "SecretAccessKey": "test"}
        response = raw_request(server, "organizations", body=json.dumps(observation["input"]).encode(),
                               access_key=credentials["AccessKeyId"], secret_key=credentials["SecretAccessKey"],
                               token=credentials.get("SessionToken"),
                               headers={"X-Amz-Target": "AWSOrganizationsV20161128.EnableAllFeatures",
                                        "Content-Type": "application/x-amz-json-1.1"})
        body = json.loads(response.text)
        body["__type"] = body.get("__type", "").rsplit("#", 1)[-1]
        mismatches.check(case, "status", observation["status"], response.status)
        mismatches.check(case, "body", observation["output"], {key: body.get(key) for key in observation["output"]})
    assert not mismatches, "\n".join(mismatches)
