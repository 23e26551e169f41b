"""IAM pages: users, groups, roles and policies (view, basic edit) and the policy simulator."""

from __future__ import annotations

import json

from starlette.responses import Response

from rootplane.console.page import Page, View

__all__ = ["VIEWS"]

PAGE_SIZE = 100


def iam_home(page: Page) -> Response:
    if page.method == "POST":
        return _iam_action(page)
    iam = page.api("iam")
    users, users_error = page.attempt(iam.list_users, MaxItems=PAGE_SIZE)
    groups, groups_error = page.attempt(iam.list_groups, MaxItems=PAGE_SIZE)
    roles, roles_error = page.attempt(iam.list_roles, MaxItems=PAGE_SIZE)
    policies, policies_error = page.attempt(iam.list_policies, Scope="Local", MaxItems=PAGE_SIZE)
    return page.render(
        "iam.html", title="IAM",
        users=(users or {}).get("Users", []), users_error=users_error,
        groups=(groups or {}).get("Groups", []), groups_error=groups_error,
        roles=(roles or {}).get("Roles", []), roles_error=roles_error,
        policies=(policies or {}).get("Policies", []), policies_error=policies_error,
    )


def _iam_action(page: Page) -> Response:
    iam, form, action = page.api("iam"), page.form, page.form.get("action", "")
    name = form.get("name", "").strip()
    if action == "create-user":
        _, error = page.attempt(iam.create_user, UserName=name)
    elif action == "delete-user":
        _, error = page.attempt(iam.delete_user, UserName=name)
    elif action == "create-group":
        _, error = page.attempt(iam.create_group, GroupName=name)
    elif action == "delete-group":
        _, error = page.attempt(iam.delete_group, GroupName=name)
    elif action == "create-policy":
        _, error = page.attempt(iam.create_policy, PolicyName=name, PolicyDocument=form.get("document", ""))
    else:
        error = "Unknown action."
    page.flash("error", error) if error else page.flash("success", f"Done: {action.replace('-', ' ')} {name}.")
    return page.redirect("/console/iam")


def policy(page: Page) -> Response:
    """One customer managed policy: its default version's document, and saving a new default version."""
    arn = page.form.get("arn") or page.query.get("arn", "")
    iam = page.api("iam")
    if page.method == "POST":
        _, error = page.attempt(iam.create_policy_version, PolicyArn=arn, PolicyDocument=page.form.get("document", ""),
                                SetAsDefault=True)
        page.flash("error", error) if error else page.flash("success", "Saved a new default version.")
        return page.redirect(f"/console/iam/policy?arn={arn}")
    found, error = page.attempt(iam.get_policy, PolicyArn=arn)
    document = ""
    if found:
        version, error = page.attempt(iam.get_policy_version, PolicyArn=arn,
                                      VersionId=found["Policy"]["DefaultVersionId"])
        if version:
            document = json.dumps(_document(version["PolicyVersion"]["Document"]), indent=2)
    return page.render("iam_policy.html", title="Policy", arn=arn, policy=(found or {}).get("Policy"),
                       document=document, error=error)


def _document(value):
    """boto3 hands policy documents back decoded; text (URL-decoded JSON) is parsed."""
    return json.loads(value) if isinstance(value, str) else value


def simulator(page: Page) -> Response:
    """SimulatePrincipalPolicy for a user or role, with the statements that decided each result."""
    iam, form = page.api("iam"), page.form
    users, _ = page.attempt(iam.list_users, MaxItems=PAGE_SIZE)
    roles, _ = page.attempt(iam.list_roles, MaxItems=PAGE_SIZE)
    principals = [u["Arn"] for u in (users or {}).get("Users", [])] + [r["Arn"] for r in (roles or {}).get("Roles", [])]
    results, error = [], ""
    if page.method == "POST":
        actions = [a.strip() for a in form.get("actions", "").replace(",", "\n").splitlines() if a.strip()]
        resources = [r.strip() for r in form.get("resources", "").replace(",", "\n").splitlines() if r.strip()]
        answer, error = page.attempt(iam.simulate_principal_policy, PolicySourceArn=form.get("principal", ""),
                                     ActionNames=actions, ResourceArns=resources or ["*"])
        results = (answer or {}).get("EvaluationResults", [])
    return page.render("iam_simulator.html", title="Policy simulator", principals=principals, results=results,
                       error=error, form=form)


_BOTH = ("GET", "POST")
VIEWS = [
    View("/console/iam", iam_home, _BOTH),
    View("/console/iam/policy", policy, _BOTH),
    View("/console/iam/simulator", simulator, _BOTH),
]
