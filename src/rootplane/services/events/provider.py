"""EventBridge operations: buses, rules, targets, TestEventPattern, PutEvents."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from rootplane.core import page_token
from rootplane.core.arn import parse_arn
from rootplane.core.errors import AwsError
from rootplane.services.accounts import repo as accounts
from rootplane.services.context import RequestContext
from rootplane.services.events import repo
from rootplane.services.events.authz import DEFAULT_BUS, bus_arn, bus_name as _bus_name, rule_arn
from rootplane.services.events.dispatch import put_event
from rootplane.services.events.permissions import checked_policy, with_statement, without_statement
from rootplane.services.events.patterns import MAX_PATTERN_LENGTH, InvalidPattern, compile_pattern
from rootplane.services.events.tables import EventBusRow, RuleRow, TargetRow
from rootplane.services.events.transform import InvalidPath, check_path, check_transformer
from rootplane.services.provider import Provider
from rootplane.services.tagging import merged_tags, tag_map

__all__ = ["EventsProvider", "PROVIDER"]

MAX_TARGETS = 5
MAX_ENTRIES_SIZE = 256 * 1024  # PutEvents: all the entries of a request together
_STATES = ("ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|hour|day)(s?)\s*\)$")
_CRON = re.compile(r"^cron\(\s*(\S+(?:\s+\S+){5})\s*\)$")
_EVENT_FIELDS = ("id", "account", "source", "time", "region", "detail-type")


def _validation(message: str) -> AwsError:
    return AwsError("ValidationException", message, 400)


def _not_found(message: str) -> AwsError:
    return AwsError("ResourceNotFoundException", message, 400)


def _missing_bus(name: str) -> AwsError:
    return _not_found(f"Event bus {name} does not exist.")


def _bus_arn(ctx: RequestContext, name: str | None) -> str:
    return bus_arn(ctx.region, ctx.account_id, name)


def _rule_arn(ctx: RequestContext, bus: str, name: str) -> str:
    return rule_arn(ctx.region, ctx.account_id, bus, name)


def _token(name: str) -> str:
    return page_token.issue("events", name)


def _after(token: str | None) -> str | None:
    return page_token.after("events", token, lambda: _validation("The nextToken provided is invalid."))


def _page(rows: list, limit: int, key) -> tuple[list, dict[str, str]]:
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, {"NextToken": _token(key(rows[-1]))}
    return rows, {}


def _with_tags(current: dict[str, str], added: list[dict[str, str]]) -> dict[str, str]:
    """``current`` updated with the Key/Value list ``added``; past AWS's 50 tags per rule or bus, EventBridge's
    LimitExceededException (its wording for every exceeded quota)."""
    return merged_tags(current, tag_map(added), lambda: AwsError(
        "LimitExceededException", "The requested resource exceeds the maximum number allowed.", 400))


def _entry_size(entry: dict[str, Any]) -> int:
    """A PutEvents entry's size as EventBridge counts it ("Calculating PutEvents event entry size"): 14 bytes for a
    Time, the UTF-8 bytes of Source, DetailType, Detail and each of Resources."""
    texts = [entry.get("Source"), entry.get("DetailType"), entry.get("Detail"), *(entry.get("Resources") or ())]
    return (14 if entry.get("Time") is not None else 0) + sum(len(text.encode()) for text in texts if text)


def _valid_schedule(text: str) -> bool:
    """Whether ``text`` is a rate or cron expression as EventBridge's rules take them (User Guide, "Rate expressions
    reference" and "Cron expressions reference"): a positive rate whose unit is singular exactly for 1, or six cron
    fields with ``?`` in day-of-month or day-of-week (a value or ``*`` in one needs ``?`` in the other)."""
    rate = _RATE.match(text)
    if rate:
        value = int(rate.group(1))
        return value > 0 and (value == 1) == (rate.group(3) == "")
    cron = _CRON.match(text)
    if cron:
        fields = cron.group(1).split()
        return "?" in (fields[2], fields[4])
    return False


def _check_pattern(text: str) -> None:
    if len(text) > MAX_PATTERN_LENGTH:
        raise _validation("Event pattern is too long.")
    try:
        compile_pattern(text)
    except InvalidPattern as error:
        raise AwsError("InvalidEventPatternException", f"Event pattern is not valid. Reason: {error.reason}", 400) \
            from None


class EventsProvider(Provider):
    service_name = "events"

    # -- buses ---------------------------------------------------------------------------------------------------
    def _require_bus(self, ctx: RequestContext, name: str) -> EventBusRow | None:
        if name == DEFAULT_BUS:
            return None
        bus = repo.find_bus(ctx.session, ctx.account_id, ctx.region, name)
        if bus is None:
            raise _missing_bus(name)
        return bus

    def create_event_bus(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["Name"]
        if name == DEFAULT_BUS or repo.find_bus(ctx.session, ctx.account_id, ctx.region, name) is not None:
            raise AwsError("ResourceAlreadyExistsException", f"Event bus {name} already exists.", 400)
        if "/" in name:
            raise _validation("Event bus name must not contain '/'.")
        tags = _with_tags({}, params.get("Tags") or [])
        now = ctx.now()
        bus = repo.put_bus(ctx.session, EventBusRow(
            arn=_bus_arn(ctx, name), account_id=ctx.account_id, region=ctx.region, name=name,
            description=params.get("Description"), tags_json=json.dumps(tags), created_at=now, modified_at=now,
        ))
        result = {"EventBusArn": bus.arn}
        if bus.description:
            result["Description"] = bus.description
        return result

    @staticmethod
    def _times(ctx: RequestContext, bus: EventBusRow | None) -> dict[str, Any]:
        """CreationTime and LastModifiedTime; the default bus is as old as its account."""
        if bus is not None:
            return {"CreationTime": bus.created_at, "LastModifiedTime": bus.modified_at}
        account = accounts.find_account(ctx.session, ctx.account_id)
        return {"CreationTime": account.created_at, "LastModifiedTime": account.created_at} if account else {}

    def _bus_shape(self, ctx: RequestContext, name: str, bus: EventBusRow | None) -> dict[str, Any]:
        """An EventBus as DescribeEventBus and ListEventBuses show it (``bus`` None: the default bus, whose policy
        has a row of its own once set)."""
        shape: dict[str, Any] = {"Name": name, "Arn": _bus_arn(ctx, name), **self._times(ctx, bus)}
        if bus is not None and bus.description:
            shape["Description"] = bus.description
        held = bus if bus is not None else repo.find_bus(ctx.session, ctx.account_id, ctx.region, DEFAULT_BUS)
        if held is not None and held.policy:
            shape["Policy"] = held.policy
        return shape

    def describe_event_bus(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = _bus_name(params.get("Name"))
        return self._bus_shape(ctx, name, self._require_bus(ctx, name))

    def _policy_holder(self, ctx: RequestContext, name: str | None) -> EventBusRow:
        """The row holding the policy of a bus: a custom bus's own, or (made on first use) the default bus's."""
        name = _bus_name(name)
        bus = repo.find_bus(ctx.session, ctx.account_id, ctx.region, name, for_update=True)
        if bus is None and name != DEFAULT_BUS:
            raise _missing_bus(name)
        if bus is None:
            now = ctx.now()
            bus = repo.put_bus(ctx.session, EventBusRow(
                arn=_bus_arn(ctx, name), account_id=ctx.account_id, region=ctx.region, name=name, tags_json="{}",
                created_at=now, modified_at=now))
        return bus

    def put_permission(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        bus = self._policy_holder(ctx, params.get("EventBusName"))
        bus.policy = checked_policy(params["Policy"]) if params.get("Policy") else \
            with_statement(bus.policy, bus.arn, params)
        bus.modified_at = ctx.now()

    def remove_permission(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        bus = self._policy_holder(ctx, params.get("EventBusName"))
        if params.get("RemoveAllPermissions"):
            bus.policy = None
        elif params.get("StatementId"):
            bus.policy = without_statement(bus.policy, params["StatementId"])
        else:
            raise _validation("Parameter(s) StatementId must be specified.")
        bus.modified_at = ctx.now()

    def list_event_buses(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        limit = params.get("Limit") or 100
        after = _after(params.get("NextToken"))
        prefix = params.get("NamePrefix")
        entries: list[dict[str, Any]] = []
        if after is None and DEFAULT_BUS.startswith(prefix or ""):
            entries.append(self._bus_shape(ctx, DEFAULT_BUS, None))
        room = limit - len(entries)
        rows = repo.list_buses(ctx.session, ctx.account_id, ctx.region, prefix, after, room + 1)
        token: dict[str, str] = {}
        if len(rows) > room:  # more follow: after the page's last bus, or after the default one when it filled it
            token = {"NextToken": _token(rows[room - 1].name if room else "")}
            rows = rows[:room]
        entries.extend(self._bus_shape(ctx, bus.name, bus) for bus in rows)
        return {"EventBuses": entries, **token}

    def delete_event_bus(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        name = _bus_name(params["Name"])
        if name == DEFAULT_BUS:
            raise _validation("Cannot delete event bus default.")
        bus = repo.find_bus(ctx.session, ctx.account_id, ctx.region, name)
        if bus is not None:
            repo.delete_bus(ctx.session, bus)

    # -- rules ---------------------------------------------------------------------------------------------------
    def _require_rule(self, ctx: RequestContext, bus: str, name: str) -> RuleRow:
        rule = repo.find_rule(ctx.session, ctx.account_id, ctx.region, bus, name)
        if rule is None:
            raise _not_found(f"Rule {name} does not exist on EventBus {bus}.")
        return rule

    def put_rule(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["Name"]
        bus = _bus_name(params.get("EventBusName"))
        self._require_bus(ctx, bus)
        pattern, schedule = params.get("EventPattern"), params.get("ScheduleExpression")
        if not pattern and not schedule:
            raise _validation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
        if pattern:
            _check_pattern(pattern)
        if schedule:
            if bus != DEFAULT_BUS:
                raise _validation("ScheduleExpression is supported only on the default event bus.")
            if not _valid_schedule(schedule):
                raise _validation("Parameter ScheduleExpression is not valid.")
        state = params.get("State") or "ENABLED"
        tags = _with_tags({}, params.get("Tags") or [])
        rule = repo.find_rule(ctx.session, ctx.account_id, ctx.region, bus, name)
        if rule is None:  # as on AWS, Tags apply when the rule is created; updates leave them (TagResource does)
            rule = repo.put_rule(ctx.session, RuleRow(
                arn=_rule_arn(ctx, bus, name), account_id=ctx.account_id, region=ctx.region, bus_name=bus,
                name=name, state=state, created_by=ctx.account_id, created_at=ctx.now(), tags_json=json.dumps(tags),
            ))
        rule.event_pattern, rule.schedule_expression, rule.state = pattern, schedule, state
        rule.description, rule.role_arn = params.get("Description"), params.get("RoleArn")
        return {"RuleArn": rule.arn}

    @staticmethod
    def _rule_shape(rule: RuleRow) -> dict[str, Any]:
        shape: dict[str, Any] = {"Name": rule.name, "Arn": rule.arn}
        optional = {"EventPattern": rule.event_pattern, "ScheduleExpression": rule.schedule_expression,
                    "Description": rule.description, "RoleArn": rule.role_arn}
        shape.update({key: value for key, value in optional.items() if value})
        shape.update(State=rule.state, EventBusName=rule.bus_name)
        return shape

    def describe_rule(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        rule = self._require_rule(ctx, _bus_name(params.get("EventBusName")), params["Name"])
        return {**self._rule_shape(rule), "CreatedBy": rule.created_by}

    def list_rules(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bus = _bus_name(params.get("EventBusName"))
        self._require_bus(ctx, bus)
        limit = params.get("Limit") or 100
        rows = repo.list_rules(ctx.session, ctx.account_id, ctx.region, bus, params.get("NamePrefix"),
                               _after(params.get("NextToken")), limit + 1)
        rows, token = _page(rows, limit, lambda r: r.name)
        return {"Rules": [self._rule_shape(rule) for rule in rows], **token}

    def delete_rule(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        rule = repo.find_rule(ctx.session, ctx.account_id, ctx.region, _bus_name(params.get("EventBusName")),
                              params["Name"])
        if rule is None:
            return
        if repo.count_targets(ctx.session, rule.arn):
            raise _validation("Rule can't be deleted since it has targets.")
        repo.delete_rule(ctx.session, rule)

    # -- tags ----------------------------------------------------------------------------------------------------
    def _tagged(self, ctx: RequestContext, arn: str) -> EventBusRow | RuleRow:
        """The rule or custom bus of a ResourceARN (``rule/[<bus>/]<name>`` or ``event-bus/<name>``)."""
        resource = arn.split(":", 5)[-1]
        kind, _, path = resource.partition("/")
        if kind == "rule" and path:
            bus, _, name = path.rpartition("/")
            return self._require_rule(ctx, bus or DEFAULT_BUS, name)
        if kind == "event-bus" and path:
            bus = self._require_bus(ctx, path)
            if bus is not None:
                return bus
        raise _not_found(f"Resource {arn} does not exist.")

    def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = self._tagged(ctx, params["ResourceARN"])
        row.tags_json = json.dumps(_with_tags(json.loads(row.tags_json), params["Tags"]))

    def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = self._tagged(ctx, params["ResourceARN"])
        removed = set(params["TagKeys"])
        row.tags_json = json.dumps({key: value for key, value in json.loads(row.tags_json).items()
                                    if key not in removed})

    def list_tags_for_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = self._tagged(ctx, params["ResourceARN"])
        return {"Tags": [{"Key": key, "Value": value} for key, value in json.loads(row.tags_json).items()]}

    def _set_state(self, ctx: RequestContext, params: dict[str, Any], state: str) -> None:
        rule = self._require_rule(ctx, _bus_name(params.get("EventBusName")), params["Name"])
        rule.state = state

    def enable_rule(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        self._set_state(ctx, params, "ENABLED")

    def disable_rule(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        self._set_state(ctx, params, "DISABLED")

    # -- targets -------------------------------------------------------------------------------------------------
    @staticmethod
    def _check_target(target: dict[str, Any]) -> None:
        arn = target["Arn"]
        parsed = parse_arn(arn)
        if parsed is None or not parsed.service:
            raise _validation(f"Parameter {arn} is not valid. Reason: Provided Arn is not in correct format.")
        if parsed.service == "sqs" and arn.endswith(".fifo") and \
                not (target.get("SqsParameters") or {}).get("MessageGroupId"):
            raise _validation(f"Parameter(s) SqsParameters must be specified for target: {target['Id']}.")
        given = [key for key in ("Input", "InputPath", "InputTransformer") if target.get(key) is not None]
        if len(given) > 1:
            raise _validation(f"Only one of Input, InputPath, or InputTransformer must be provided for target "
                              f"{target['Id']}.")
        if target.get("Input") is not None:
            try:
                json.loads(target["Input"])
            except ValueError:
                raise _validation(f"Input for target {target['Id']} is not a valid JSON text.") from None
        if target.get("InputPath"):
            try:
                check_path(target["InputPath"])
            except InvalidPath:
                raise _validation(f"InputPath for target {target['Id']} is not a valid JSON path.") from None
        transformer = target.get("InputTransformer")
        if transformer:
            try:
                check_transformer(transformer.get("InputPathsMap") or {}, transformer["InputTemplate"])
            except ValueError as error:
                raise _validation(str(error)) from None

    def put_targets(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        rule = self._require_rule(ctx, _bus_name(params.get("EventBusName")), params["Rule"])
        targets = params["Targets"]
        for target in targets:
            self._check_target(target)
        existing = {row.target_id for row in repo.list_targets(ctx.session, rule.arn)}
        if len(existing | {target["Id"] for target in targets}) > MAX_TARGETS:
            raise AwsError("LimitExceededException",
                           f"The requested resource exceeds the maximum number allowed. Rule {rule.name} can have "
                           f"at most {MAX_TARGETS} targets.", 400)
        for target in targets:
            repo.put_target(ctx.session, TargetRow(
                rule_arn=rule.arn, target_id=target["Id"], target_arn=target["Arn"],
                spec=json.dumps(target, separators=(",", ":"), default=str),
            ))
        return {"FailedEntryCount": 0, "FailedEntries": []}

    def remove_targets(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        rule = self._require_rule(ctx, _bus_name(params.get("EventBusName")), params["Rule"])
        failed = []
        for target_id in params["Ids"]:
            if not repo.delete_target(ctx.session, rule.arn, target_id):
                failed.append({"TargetId": target_id, "ErrorCode": "ResourceNotFoundException",
                               "ErrorMessage": f"Target {target_id} does not exist on rule {rule.name}."})
        return {"FailedEntryCount": len(failed), "FailedEntries": failed}

    def list_targets_by_rule(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        rule = self._require_rule(ctx, _bus_name(params.get("EventBusName")), params["Rule"])
        limit = params.get("Limit") or 100
        rows = repo.list_targets(ctx.session, rule.arn, _after(params.get("NextToken")), limit + 1)
        rows, token = _page(rows, limit, lambda t: t.target_id)
        return {"Targets": [json.loads(row.spec) for row in rows], **token}

    def list_rule_names_by_target(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        limit = params.get("Limit") or 100
        names = repo.list_rule_names_by_target(
            ctx.session, ctx.account_id, ctx.region, _bus_name(params.get("EventBusName")), params["TargetArn"],
            _after(params.get("NextToken")), limit + 1)
        names, token = _page(names, limit, lambda name: name)
        return {"RuleNames": names, **token}

    # -- events --------------------------------------------------------------------------------------------------
    def test_event_pattern(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _check_pattern(params["EventPattern"])
        try:
            event = json.loads(params["Event"])
        except ValueError:
            raise _validation("Parameter Event is not valid.") from None
        if not isinstance(event, dict) or any(not isinstance(event.get(key), str) for key in _EVENT_FIELDS):
            raise _validation("Parameter Event is not valid.")
        return {"Result": compile_pattern(params["EventPattern"]).matches(event)}

    def put_events(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if sum(_entry_size(entry) for entry in params["Entries"]) > MAX_ENTRIES_SIZE:
            raise _validation("Total size of the entries in the request is over the limit.")
        results: list[dict[str, Any]] = []
        for entry in params["Entries"]:
            outcome = self._put_entry(ctx, entry)
            results.append(outcome)
        failed = sum(1 for outcome in results if "ErrorCode" in outcome)
        return {"FailedEntryCount": failed, "Entries": results}

    def _put_entry(self, ctx: RequestContext, entry: dict[str, Any]) -> dict[str, Any]:
        for member in ("Source", "DetailType", "Detail"):
            if not entry.get(member):
                return {"ErrorCode": "InvalidArgument", "ErrorMessage": f"Parameter {member} is not valid."}
        if entry["Source"].startswith("aws."):
            return {"ErrorCode": "NotAuthorizedForSourceException", "ErrorMessage": "Not authorized for the source."}
        try:
            detail = json.loads(entry["Detail"])
        except ValueError:
            detail = None
        if not isinstance(detail, dict):
            return {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
        _, _, _, region, account_id, resource = _bus_arn(ctx, entry.get("EventBusName")).split(":", 5)
        bus = resource.partition("/")[2]
        if bus != DEFAULT_BUS and repo.find_bus(ctx.session, account_id, region, bus) is None:
            return {"ErrorCode": "ResourceNotFoundException", "ErrorMessage": f"Event bus {bus} does not exist."}
        event_id = str(uuid.uuid4())
        time = entry.get("Time") or ctx.now()
        event = {
            "version": "0", "id": event_id, "detail-type": entry["DetailType"], "source": entry["Source"],
            "account": ctx.account_id, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ"), "region": ctx.region,
            "resources": list(entry.get("Resources") or []), "detail": detail,
        }
        put_event(ctx.session, account_id, region, bus, event, ctx.now(), forwarded=account_id != ctx.account_id)
        return {"EventId": event_id}


PROVIDER = EventsProvider()
