"""CloudWatch operations: metric data, statistics, metric listing, metric alarms, their history and tags."""

from __future__ import annotations

import json
from typing import Any

from rootplane.core import page_token
from rootplane.core.errors import AwsError
from rootplane.services.cloudwatch import alarms, metrics, repo
from rootplane.services.cloudwatch.ingest import dimensions_key, put_metric_data
from rootplane.services.cloudwatch.tables import AlarmRow
from rootplane.services.context import RequestContext
from rootplane.services.provider import Provider
from rootplane.services.tagging import merged_tags, tag_map

__all__ = ["CloudWatchProvider", "PROVIDER"]

METRICS_PAGE = 500
ALARMS_PAGE = 50
HISTORY_PAGE = 100
_INITIAL_REASON = "Unchecked: Initial alarm creation"


def _token(value: str | int) -> str:
    return page_token.issue("cloudwatch", str(value))


def _after(token: str | None, kind: type = str) -> Any:
    """The position a NextToken carries; InvalidNextToken when it is not one of ours."""
    if token is None:
        return None
    keys = page_token.resume("cloudwatch", token)
    if keys is not None:
        try:
            return kind(keys[0])
        except ValueError:
            pass  # a token of ours, for another listing's kind of position
    raise AwsError("InvalidNextToken", "The service couldn't process the NextToken you provided.", 400)


def _json_object(text: str, member: str) -> None:
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise AwsError("InvalidFormatFault", f"{member} must be a valid JSON object.", 400)


def _arn_alarm(ctx: RequestContext, arn: str) -> AlarmRow:
    """The alarm an ARN names (tags are on alarms only here); ResourceNotFoundException otherwise."""
    parts = arn.split(":", 6)
    alarm = None
    if len(parts) == 7 and parts[2] == "cloudwatch" and parts[5] == "alarm":
        alarm = repo.find_alarm(ctx.session, parts[4], parts[3], parts[6])
    if alarm is None or alarm.account_id != ctx.account_id or alarm.region != ctx.region:
        raise AwsError("ResourceNotFoundException", f"{arn} not found", 404,
                       fields={"ResourceType": "alarm", "ResourceId": arn})
    return alarm


class CloudWatchProvider(Provider):
    service_name = "cloudwatch"

    # -- metrics ---------------------------------------------------------------------------------------------
    def put_metric_data(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        if params.get("EntityMetricData"):
            raise AwsError("InvalidParameterValueException", "rootplane does not store EntityMetricData.", 400)
        if not params.get("MetricData"):
            raise AwsError("MissingRequiredParameterException", "The parameter MetricData is required.", 400)
        put_metric_data(ctx.session, ctx.account_id, ctx.region, params["Namespace"], params["MetricData"],
                        ctx.clock.now())
        return {}

    def get_metric_statistics(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        return metrics.metric_statistics(ctx.session, ctx.account_id, ctx.region, params, ctx.now())

    def get_metric_data(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        return metrics.metric_data(ctx.session, ctx.account_id, ctx.region, params, ctx.now())

    def list_metrics(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        rows, more = metrics.list_metrics(ctx.session, ctx.account_id, ctx.region, params,
                                          _after(params.get("NextToken"), int), METRICS_PAGE, ctx.clock.now())
        answer: dict[str, Any] = {"Metrics": [{"Namespace": row.namespace, "MetricName": row.metric_name,
                                               "Dimensions": json.loads(row.dimensions)} for row in rows]}
        if more:
            answer["NextToken"] = _token(rows[-1].id)
        return answer

    # -- alarms ----------------------------------------------------------------------------------------------
    def put_metric_alarm(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        config = alarms.check_configuration(params)
        now = ctx.clock.now()
        document = json.dumps(config, separators=(",", ":"))
        alarm = repo.find_alarm(ctx.session, ctx.account_id, ctx.region, params["AlarmName"])
        created = alarm is None
        if created:
            tags = tag_map(params.get("Tags"))
            alarm = AlarmRow(arn=alarms.alarm_arn(ctx.region, ctx.account_id, params["AlarmName"]),
                             account_id=ctx.account_id, region=ctx.region, name=params["AlarmName"],
                             state_value="INSUFFICIENT_DATA", state_reason=_INITIAL_REASON, state_updated=now,
                             state_transitioned=now, tags=json.dumps(merged_tags({}, tags, _too_many_tags)))
            ctx.session.add(alarm)
        alarm.namespace, alarm.metric_name = config["Namespace"], config["MetricName"]
        alarm.configuration, alarm.configuration_updated = document, now
        alarm.actions_enabled = params.get("ActionsEnabled", True)
        alarm.next_evaluation = now
        alarms.record(ctx.session, alarm, "ConfigurationUpdate",
                      f'Alarm "{alarm.name}" {"created" if created else "updated"}',
                      {"version": "1.0", "type": "Create" if created else "Update",
                       "createdAlarm" if created else "updatedAlarm": json.loads(document)}, now)
        return {}

    def describe_alarms(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        names, prefix = params.get("AlarmNames"), params.get("AlarmNamePrefix")
        if names and prefix:
            raise AwsError("InvalidParameterCombinationException",
                           "AlarmNames and AlarmNamePrefix cannot be specified together.", 400)
        types = params.get("AlarmTypes") or ["MetricAlarm"]
        if "MetricAlarm" not in types or params.get("ChildrenOfAlarmName") or params.get("ParentsOfAlarmName"):
            return {"MetricAlarms": [], "CompositeAlarms": []}
        limit = params.get("MaxRecords") or ALARMS_PAGE
        state, action_prefix = params.get("StateValue"), params.get("ActionPrefix")
        after = _after(params.get("NextToken"))
        found: list[AlarmRow] = []
        more = False
        while True:
            if names:
                rows = [row for row in repo.alarms_by_names(ctx.session, ctx.account_id, ctx.region, names)
                        if (after is None or row.name > after) and (state is None or row.state_value == state)]
                rows, exhausted = rows[:limit + 1], True
            else:
                rows = repo.list_alarms(ctx.session, ctx.account_id, ctx.region, prefix=prefix, state=state,
                                        after=after, limit=limit + 1)
                exhausted = len(rows) <= limit
            found.extend(row for row in rows if action_prefix is None or _has_action(row, action_prefix))
            if len(found) > limit:
                more = True
                break
            if exhausted:
                break
            after = rows[-1].name
        found = found[:limit]
        answer: dict[str, Any] = {"MetricAlarms": [alarms.metric_alarm(row) for row in found], "CompositeAlarms": []}
        if more:
            answer["NextToken"] = _token(found[-1].name)
        return answer

    def describe_alarms_for_metric(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        wanted_dimensions = dimensions_key(params.get("Dimensions")) if "Dimensions" in params else None
        found = []
        for row in repo.alarms_for_metric(ctx.session, ctx.account_id, ctx.region, params["Namespace"],
                                          params["MetricName"]):
            config = json.loads(row.configuration)
            if wanted_dimensions is not None and dimensions_key(config.get("Dimensions")) != wanted_dimensions:
                continue
            if any(params.get(key) is not None and params[key] != config.get(key)
                   for key in ("Statistic", "Period", "Unit")):
                continue
            found.append(alarms.metric_alarm(row))
        return {"MetricAlarms": found}

    def delete_alarms(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        names = params["AlarmNames"]
        rows = repo.alarms_by_names(ctx.session, ctx.account_id, ctx.region, names)
        missing = sorted(set(names) - {row.name for row in rows})
        if missing:
            raise AwsError("ResourceNotFound", f"{len(missing)} of {len(set(names))} alarms not found: "
                           f"{', '.join(missing)}", 404)
        for row in rows:
            repo.delete_alarm(ctx.session, row)
        return {}

    def set_alarm_state(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        alarm = repo.find_alarm(ctx.session, ctx.account_id, ctx.region, params["AlarmName"])
        if alarm is None:
            raise alarms.not_found(params["AlarmName"])
        data = params.get("StateReasonData")
        if data is not None:
            _json_object(data, "StateReasonData")
        alarms.change_state(ctx.session, alarm, params["StateValue"], params["StateReason"], data, ctx.clock.now())
        return {}

    def enable_alarm_actions(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        return self._alarm_actions(ctx, params["AlarmNames"], True)

    def disable_alarm_actions(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        return self._alarm_actions(ctx, params["AlarmNames"], False)

    @staticmethod
    def _alarm_actions(ctx: RequestContext, names: list[str], enabled: bool) -> dict:
        for row in repo.alarms_by_names(ctx.session, ctx.account_id, ctx.region, names):
            row.actions_enabled = enabled
        return {}

    def describe_alarm_history(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        types = params.get("AlarmTypes") or ["MetricAlarm", "CompositeAlarm"]
        if "MetricAlarm" not in types:
            return {"AlarmHistoryItems": []}
        limit = params.get("MaxRecords") or HISTORY_PAGE
        ascending = params.get("ScanBy") == "TimestampAscending"
        rows = repo.list_history(ctx.session, ctx.account_id, ctx.region, name=params.get("AlarmName"),
                                 item_type=params.get("HistoryItemType"), start=params.get("StartDate"),
                                 end=params.get("EndDate"), ascending=ascending,
                                 after=_after(params.get("NextToken"), int), limit=limit + 1)
        answer: dict[str, Any] = {"AlarmHistoryItems": [
            {"AlarmName": row.alarm_name, "AlarmType": row.alarm_type, "Timestamp": row.timestamp,
             "HistoryItemType": row.item_type, "HistorySummary": row.summary, "HistoryData": row.data}
            for row in rows[:limit]]}
        if len(rows) > limit:
            answer["NextToken"] = _token(rows[limit - 1].id)
        return answer

    # -- tags ------------------------------------------------------------------------------------------------
    def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        alarm = _arn_alarm(ctx, params["ResourceARN"])
        alarm.tags = json.dumps(merged_tags(json.loads(alarm.tags), tag_map(params["Tags"]), _too_many_tags))
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        alarm = _arn_alarm(ctx, params["ResourceARN"])
        tags = json.loads(alarm.tags)
        for key in params["TagKeys"]:
            tags.pop(key, None)
        alarm.tags = json.dumps(tags)
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        alarm = _arn_alarm(ctx, params["ResourceARN"])
        return {"Tags": [{"Key": key, "Value": value} for key, value in json.loads(alarm.tags).items()]}


def _too_many_tags() -> AwsError:
    return AwsError("LimitExceededFault", "The maximum number of tags for this resource is 50.", 400)


def _has_action(alarm: AlarmRow, prefix: str) -> bool:
    config = json.loads(alarm.configuration)
    return any(action.startswith(prefix) for key in alarms.ACTION_LISTS for action in config.get(key, ()))


PROVIDER = CloudWatchProvider()
