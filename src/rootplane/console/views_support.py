"""Support Center: the account's cases and a case page, through the Support API as the console session.

A case about a KMS key that locks everyone out asks the root user to confirm the code texted to the primary
contact's phone (services/support/recovery.py); the case page's confirmation form sends it as a reply
(AddCommunicationToCase), which only the account's root user can make count.
"""

from __future__ import annotations

from starlette.responses import Response

from rootplane.console.page import Page, View

__all__ = ["VIEWS"]

KMS_SERVICE = "key-management-service"


def cases(page: Page) -> Response:
    found, error = page.attempt(page.api("support").describe_cases, includeResolvedCases=True,
                                includeCommunications=False)
    return page.render("support.html", title="Support", cases=(found or {}).get("cases", []), error=error)


def case(page: Page) -> Response:
    case_id = (page.form.get("case_id") or page.query.get("id", "")).strip()
    support = page.api("support")
    if page.method == "POST":
        return _reply(page, case_id)
    found, error = page.attempt(support.describe_cases, caseIdList=[case_id], includeResolvedCases=True,
                                includeCommunications=False) if case_id else (None, "No case was named.")
    shown = ((found or {}).get("cases") or [None])[0]
    communications = []
    if shown is not None:
        listed, listing_error = page.attempt(support.describe_communications, caseId=case_id)
        communications, error = (listed or {}).get("communications", []), listing_error
    status = 404 if shown is None else 200
    return page.render("support_case.html", status=status, title=f"Case {case_id}", case=shown, error=error,
                       communications=communications, kms=shown is not None and shown["serviceCode"] == KMS_SERVICE)


def _reply(page: Page, case_id: str) -> Response:
    """A reply or a verification code, sent as AddCommunicationToCase; the case's status says what it did."""
    body = page.form.get("code") or page.form.get("body", "")
    support = page.api("support")
    _, error = page.attempt(support.add_communication_to_case, caseId=case_id, communicationBody=body.strip())
    if error:
        page.flash("error", error)
    elif page.form.get("code") is not None:
        found, _ = page.attempt(support.describe_cases, caseIdList=[case_id], includeResolvedCases=True)
        resolved = ((found or {}).get("cases") or [{}])[0].get("status") == "resolved"
        page.flash("success", "The recovery is confirmed: the key policy is the default key policy again.") \
            if resolved else page.flash("error", "The verification code was not accepted.")
    else:
        page.flash("success", "Your reply was added to the case.")
    return page.redirect(f"/console/support/case?id={case_id}")


VIEWS = [
    View("/console/support", cases),
    View("/console/support/case", case, ("GET", "POST")),
]
