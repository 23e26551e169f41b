"""Root activity: recent root user events from CloudTrail Event history, with filters."""

from __future__ import annotations

import datetime as _dt
import json

from starlette.responses import Response

from rootplane.console.page import Page, View

__all__ = ["VIEWS"]

PERIODS = {"1": "Last hour", "24": "Last day", "168": "Last 7 days", "2160": "Last 90 days"}
MAX_EVENTS = 200


def activity(page: Page) -> Response:
    query = page.query
    hours = query.get("hours", "168") if query.get("hours") in PERIODS else "168"
    event_name = query.get("event_name", "").strip()
    attributes = [{"AttributeKey": "Username", "AttributeValue": "root"}]
    cloudtrail = page.api("cloudtrail")
    start = page.now - _dt.timedelta(hours=int(hours))
    found, error = page.attempt(cloudtrail.lookup_events, LookupAttributes=attributes, StartTime=start,
                                MaxResults=50)
    events = []
    for event in (found or {}).get("Events", []):
        if event_name and event["EventName"].lower() != event_name.lower():
            continue
        record = json.loads(event["CloudTrailEvent"])
        events.append({"time": event["EventTime"], "name": event["EventName"], "source": event.get("EventSource"),
                       "ip": record.get("sourceIPAddress", ""), "error": record.get("errorCode") or
                       record.get("errorMessage", ""), "type": record.get("userIdentity", {}).get("type", ""),
                       "console": record.get("sessionCredentialFromConsole") == "true"})
    return page.render("activity.html", title="Root activity", events=events[:MAX_EVENTS], error=error,
                       periods=PERIODS, hours=hours, event_name=event_name)


VIEWS = [View("/console/activity", activity)]
