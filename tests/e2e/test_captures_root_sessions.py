"""Replay aws-captures/root_sessions.json: enabling/disabling the features (management vs delegate vs member),
AssumeRoot per task and feature, root-session IAM calls, trusted-access and delegation changes.

Actors: 111111111111 = management account (IAM admin user), 222222222222 = a member that becomes the IAM
delegated administrator (its OrganizationAccountAccessRole), 333333333333 = the target member.
The recording interleaves state changes it did not record (trusted access, delegation, feature resets):
``SETUP`` re-creates them before the named case. Some AWS answers show propagation delays of seconds to
minutes; rootplane applies changes immediately, so ``STEADY`` gives the answer AWS settled on for those cases.
"""

from __future__ import annotations

import csv
import io

from capture_replay import Mismatches, call, load, recorded_message, substitute
from root_access_org import ADMIN_POLICY, AUDIT, CREATE_PASSWORD, DELETE_CREDENTIALS, OrgWorld

SESSION_NAME = "stackd-root-propagation"
NOT_AUTHORIZED = ("User: arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/"
                  f"{SESSION_NAME} is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::333333333333:root")
NO_TRUST = "Service not enabled for AWS Organizations."
STEADY = {
    "delegate_after_deregister": NOT_AUTHORIZED,
    "new_session_without_trust": NO_TRUST,
    "delegate_session_after_15s": NOT_AUTHORIZED,
    "untrusted_session_after_0s": NO_TRUST,
    "untrusted_session_after_15s": NO_TRUST,
    "untrusted_session_after_60s": NO_TRUST,
}
SETUP = {
    "initial_features": ["trust_on"],
    "delegate_features": ["register"],
    "followup_initial_features": ["disable_credentials", "disable_sessions"],
    "delegate_after_deregister": ["deregister"],
    "features_without_trust": ["trust_off"],
    "features_after_trust_restore": ["trust_on"],
    "propagation_delegate_baseline": ["register"],
    "delegate_features_after_0s": ["deregister"],
    "untrusted_features_after_0s": ["trust_off"],
    "propagation_features_restored": ["trust_on", "disable_sessions"],
    "propagation_new_session_features_disabled": ["disable_credentials"],
    "recovery_only_features": ["enable_credentials"],
    "recovery_only_before": ["new:create2", "new:audit2", "new:delete2"],
}
NEW_SESSIONS = {"create2": CREATE_PASSWORD, "audit2": AUDIT, "delete2": DELETE_CREDENTIALS}
# Who makes each call: M, D, T (member admins) or a root session slot; assume-root results fill ``KEEP`` slots.
ACTOR = {
    "ordinary_member_features": "D", "delegate_features": "D", "delegate_enable_credentials": "D",
    "delegate_enable_sessions": "D", "delegate_assume_enabled": "D", "delegate_disable_credentials": "D",
    "delegate_disable_sessions": "D", "followup_delegate_audit": "D", "delegate_after_deregister": "D",
    "propagation_delegate_baseline": "D",
    "audit_get-user": "audit", "audit_list-access-keys": "audit", "audit_list-signing-certificates": "audit",
    "audit_list-mfa-devices": "audit", "profile_before": "audit", "summary_before": "audit",
    "create_profile": "create", "create_profile_duplicate": "create", "profile_after_create": "create",
    "summary_after_create": "audit", "generate_report": "T", "report_after_create": "T",
    "delete_owned_profile": "delete", "profile_after_delete": "delete", "summary_after_delete": "audit",
    "issued_session_after_disable": "audit", "issued_session_after_deregister": "audit_d",
    "issued_session_without_trust": "before_trust", "issued_delegate_session_after_180s": "baseline_d",
    "issued_delegate_session_without_trust_after_180s": "baseline_d",
    "propagation_issued_session_features_disabled": "baseline_d",
    "recovery_only_before": "create2", "recovery_only_create": "create2", "recovery_only_profile": "create2",
    "recovery_only_summary": "audit2", "recovery_only_delete": "delete2", "recovery_only_after": "create2",
    "recovery_only_final_summary": "audit2",
}
KEEP = {"audit_enabled": "audit", "create_task": "create", "delete_task": "delete",
        "followup_delegate_audit": "audit_d", "before_trust_disable": "before_trust",
        "propagation_delegate_baseline": "baseline_d"}


def _actor(case: str) -> str:
    if case.startswith(("delegate_features_after", "delegate_session_after", "fresh_delegate_session")):
        return "D"
    return ACTOR.get(case, "M")


def _summary(output: dict) -> dict:
    found = output.get("SummaryMap", {})
    return {key: value for key, value in found.items() if key.startswith("Account") or key.endswith("Quota")}


def _root_row(output: dict) -> dict:
    if "RootRow" in output:
        row = output["RootRow"]
    else:
        rows = csv.DictReader(io.StringIO(output["Content"].decode()))
        row = next(row for row in rows if row["arn"].endswith(":root"))
    return {key: row[key] for key in ("arn", "password_enabled", "mfa_active", "access_key_1_active")}


def _pick(operation: str):
    if operation in ("get-user",):
        return lambda out: {k: out["User"].get(k) for k in ("UserId", "Arn", "UserName", "Path")}
    if operation in ("get-login-profile", "create-login-profile"):
        return lambda out: sorted(out["LoginProfile"]) + [out["LoginProfile"]["PasswordResetRequired"]]
    if operation == "get-account-summary":
        return _summary
    if operation == "get-credential-report":
        return _root_row
    if operation in ("assume-root", "generate-credential-report"):
        return lambda out: sorted(key for key in out if key != "Description")[:1]
    return None


def test_replay_root_sessions(server):
    world = OrgWorld(server)
    admin = world.user("admin", managed=ADMIN_POLICY)
    world.create_organization()
    delegate, target = world.create_account("delegate"), world.create_account("target")
    ids = {"111111111111": world.management, "222222222222": delegate, "333333333333": target,
           "o-aaaaaaaaaa": world.organization_id}
    credentials = {"M": admin, "D": world.member_admin(admin, delegate, SESSION_NAME),
                   "T": world.member_admin(admin, target)}
    iam_m = server.client_for(admin, "iam")
    setup = {
        "trust_on": lambda: world.trust_iam(True), "trust_off": lambda: world.trust_iam(False),
        "register": lambda: world.delegate(delegate), "deregister": lambda: world.delegate(delegate, False),
        "disable_credentials": iam_m.disable_organizations_root_credentials_management,
        "disable_sessions": iam_m.disable_organizations_root_sessions,
        "enable_credentials": iam_m.enable_organizations_root_credentials_management,
    }
    mismatches = Mismatches()
    for observation in load("root_sessions.json")["observations"]:
        case, operation = observation["case"], observation["operation"]
        for step in SETUP.get(case, ()):
            if step.startswith("new:"):
                slot = step[4:]
                credentials[slot] = world.assume_root(admin, target, NEW_SESSIONS[slot])
            else:
                setup[step]()
        client = server.client_for(credentials[_actor(case)], observation["service"])
        params = substitute(observation["input"], ids)
        code, result, _ = call(client, operation, params)
        recorded_code = observation["code"]
        recorded = substitute(recorded_message(observation.get("message", "")), ids)
        if case in STEADY:
            recorded_code, recorded = "AccessDenied", substitute(STEADY[case], ids)
        mismatches.check(case, "code", recorded_code, code)
        if code != recorded_code:
            continue
        if code == "Success":
            expected = substitute(observation["output"], ids)
            pick = _pick(operation) or (lambda out, keys=tuple(expected): {key: out.get(key) for key in keys})
            mismatches.compare_outputs(case, expected, result, pick)
            if case in KEEP:
                credentials[KEEP[case]] = result["Credentials"]
        elif recorded:
            mismatches.check(case, "message", recorded, result)
    assert not mismatches, "\n".join(mismatches)
