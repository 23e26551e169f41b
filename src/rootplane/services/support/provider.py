"""AWS Support operations: services and severity levels, cases and their communications (us-east-1 API).

Every operation first requires a paid support plan (Basic: SubscriptionRequiredException). A case about the KMS
service that names one of the account's keys starts its recovery (services/support/recovery.py).
"""

from __future__ import annotations

import base64
import datetime as _dt
import binascii
import functools
import json
import secrets
import string
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.core.ids import random_string
from rootplane.services.context import Handler, RequestContext
from rootplane.services.accounts import repo as accounts
from rootplane.services.provider import Provider
from rootplane.services.support import repo
from rootplane.services.support.catalog import KMS_SERVICE_CODE, SERVICES, SEVERITY_LEVELS
from rootplane.services.support.plans import require_subscription
from rootplane.services.support.recovery import handle_communication, start_recovery
from rootplane.services.support.tables import CaseRow, CommunicationRow

__all__ = ["SupportProvider", "PROVIDER"]

_PAGE = 100


def _time(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _offset(params: dict[str, Any]) -> int:
    token = params.get("nextToken")
    if not token:
        return 0
    try:
        return max(0, int(base64.urlsafe_b64decode(token.encode()).decode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise AwsError("ValidationException", "Invalid pagination token.", 400) from None


def _paged(rows: list, offset: int, limit: int) -> tuple[list, dict[str, str]]:
    if len(rows) > limit:
        return rows[:limit], {"nextToken": base64.urlsafe_b64encode(str(offset + limit).encode()).decode()}
    return rows, {}


def _time_bound(params: dict[str, Any], member: str) -> _dt.datetime | None:
    """afterTime / beforeTime: an ISO 8601 date or time (UTC unless it says otherwise)."""
    text = params.get(member)
    if not text:
        return None
    try:
        value = _dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise AwsError("ValidationException", f"Invalid {member}: {text}", 400) from None
    return value if value.tzinfo else value.replace(tzinfo=_dt.timezone.utc)


def _dry_run(params: dict[str, Any]) -> None:
    if params.get("dryRun"):
        raise AwsError("DryRunOperationException",
                       "The request would have succeeded, but the dryRun option is set.", 400)


def _case_not_found(case_id: str) -> AwsError:
    return AwsError("CaseIdNotFound", f"Case {case_id} not found.", 400)


def _account_email(ctx: RequestContext) -> str:
    """A case's submittedBy: "the email address of the account that submitted the case" (CaseDetails)."""
    account = accounts.find_account(ctx.session, ctx.account_id)
    return account.email if account is not None else ctx.principal.arn


def _communication(row: CommunicationRow) -> dict[str, Any]:
    return {"caseId": row.case_id, "body": row.body, "submittedBy": row.submitted_by,
            "timeCreated": _time(row.created_at), "attachmentSet": []}


class SupportProvider(Provider):
    service_name = "support"

    def handler(self, operation_name: str) -> Handler | None:
        """Each operation, behind the support-plan check."""
        found = super().handler(operation_name)
        if found is None:
            return None

        @functools.wraps(found)
        def subscribed(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any] | None:
            require_subscription(ctx.session, ctx.account_id)
            return found(ctx, params)
        return subscribed

    def describe_services(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _dry_run(params)
        wanted = set(params.get("serviceCodeList") or ())
        return {"services": [
            {"code": code, "name": name, "categories": [{"code": c, "name": n} for c, n in categories]}
            for code, name, categories in SERVICES if not wanted or code in wanted]}

    def describe_severity_levels(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _dry_run(params)
        return {"severityLevels": [{"code": code, "name": name} for code, name in SEVERITY_LEVELS]}

    def create_case(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _dry_run(params)
        if params.get("attachmentSetId"):
            raise AwsError("AttachmentSetIdNotFound", "The attachment set ID was not found.", 400)
        now = ctx.now()
        case = repo.put(ctx.session, CaseRow(
            case_id=f"case-{ctx.account_id}-{now.year}-{secrets.token_hex(8)}",
            display_id=random_string(10, string.digits), account_id=ctx.account_id, subject=params["subject"],
            status="opened", service_code=params.get("serviceCode") or "general-info",
            category_code=params.get("categoryCode") or "other", severity_code=params.get("severityCode") or "low",
            issue_type=params.get("issueType") or "technical", language=params.get("language") or "en",
            submitted_by=_account_email(ctx), cc_json=json.dumps(list(params.get("ccEmailAddresses") or [])),
            created_at=now))
        repo.put(ctx.session, CommunicationRow(case_id=case.case_id, body=params["communicationBody"],
                                               submitted_by=ctx.principal.arn, created_at=now))
        if case.service_code == KMS_SERVICE_CODE:
            start_recovery(ctx, case, f"{params['subject']}\n{params['communicationBody']}")
        return {"caseId": case.case_id}

    def _case(self, ctx: RequestContext, case_id: str) -> CaseRow:
        case = repo.find_case(ctx.session, ctx.account_id, case_id)
        if case is None:
            raise _case_not_found(case_id)
        return case

    def _case_details(self, ctx: RequestContext, case: CaseRow, communications: bool) -> dict[str, Any]:
        details: dict[str, Any] = {
            "caseId": case.case_id, "displayId": case.display_id, "subject": case.subject, "status": case.status,
            "serviceCode": case.service_code, "categoryCode": case.category_code,
            "severityCode": case.severity_code, "submittedBy": case.submitted_by,
            "timeCreated": _time(case.created_at), "ccEmailAddresses": json.loads(case.cc_json),
            "language": case.language,
        }
        if communications:
            rows = repo.list_communications(ctx.session, case.case_id, 0, 6)
            rows, token = _paged(rows, 0, 5)
            details["recentCommunications"] = {"communications": [_communication(row) for row in rows], **token}
        return details

    def describe_cases(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _dry_run(params)
        case_ids = list(params.get("caseIdList") or [])
        for case_id in case_ids:
            self._case(ctx, case_id)
        offset, limit = _offset(params), params.get("maxResults") or _PAGE
        include_resolved = bool(params.get("includeResolvedCases")) or bool(case_ids)
        rows = repo.list_cases(ctx.session, ctx.account_id, case_ids=case_ids or None,
                               display_id=params.get("displayId"), include_resolved=include_resolved,
                               after=_time_bound(params, "afterTime"), before=_time_bound(params, "beforeTime"),
                               offset=offset, limit=limit + 1)
        rows, token = _paged(rows, offset, limit)
        communications = params.get("includeCommunications", True) is not False
        return {"cases": [self._case_details(ctx, case, communications) for case in rows], **token}

    def describe_communications(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _dry_run(params)
        case = self._case(ctx, params["caseId"])
        offset, limit = _offset(params), params.get("maxResults") or _PAGE
        rows = repo.list_communications(ctx.session, case.case_id, offset, limit + 1,
                                        _time_bound(params, "afterTime"), _time_bound(params, "beforeTime"))
        rows, token = _paged(rows, offset, limit)
        return {"communications": [_communication(row) for row in rows], **token}

    def add_communication_to_case(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _dry_run(params)
        case = self._case(ctx, params.get("caseId") or "")
        if params.get("attachmentSetId"):
            raise AwsError("AttachmentSetIdNotFound", "The attachment set ID was not found.", 400)
        communication = repo.put(ctx.session, CommunicationRow(
            case_id=case.case_id, body=params["communicationBody"], submitted_by=ctx.principal.arn,
            created_at=ctx.now()))
        if case.status == "resolved":
            case.status = "reopened"
        if handle_communication(ctx, case, params["communicationBody"], ctx.principal):
            # A confirmation code: neither kept in the case nor shown in CloudTrail.
            communication.body = "(verification code submitted)"
            ctx.audit["request_parameters"] = {k: v for k, v in params.items() if k != "communicationBody"}
        return {"result": True}

    def resolve_case(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _dry_run(params)
        case = self._case(ctx, params.get("caseId") or "")
        initial, case.status = case.status, "resolved"
        return {"initialCaseStatus": initial, "finalCaseStatus": "resolved"}


PROVIDER = SupportProvider()
