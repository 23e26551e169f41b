"""CloudTrail for root sessions (aws-spec.md j.2): AssumeRoot in the caller's and the target's event history,
the session's own calls recorded in the member account as the root user with the ASIA key."""

from __future__ import annotations

import json
import time

from root_access_org import ADMIN_POLICY, AUDIT, OrgWorld


def _events(client, name: str) -> list[dict]:
    deadline = time.monotonic() + 5
    while True:
        found = client.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}])
        if found["Events"] or time.monotonic() > deadline:
            return [json.loads(event["CloudTrailEvent"]) for event in found["Events"]]
        time.sleep(0.1)


def test_root_session_is_audited(server):
    world = OrgWorld(server)
    admin = world.user("admin", managed=ADMIN_POLICY)
    world.create_organization()
    target = world.create_account("target")
    world.trust_iam()
    server.client_for(admin, "iam").enable_organizations_root_credentials_management()
    credentials = world.assume_root(admin, target, AUDIT)
    server.client_for(credentials, "iam").get_user()

    caller_records = _events(server.client_for(admin, "cloudtrail"), "AssumeRoot")
    assert caller_records and caller_records[0]["userIdentity"]["arn"].endswith(":user/org-access/admin")
    member_trail = server.client_for(world.member_admin(admin, target), "cloudtrail")
    assert _events(member_trail, "AssumeRoot")
    get_user = _events(member_trail, "GetUser")[0]["userIdentity"]
    assert get_user["type"] == "Root" and get_user["arn"] == f"arn:aws:iam::{target}:root"
    assert get_user["accessKeyId"] == credentials["AccessKeyId"]
