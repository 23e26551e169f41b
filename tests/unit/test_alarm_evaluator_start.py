"""The alarm evaluator loads when the store first holds an alarm (services/cloudwatch/install.py, issue #19): an idle
server never loads it, and one started on a store that already holds alarms (a restart) evaluates them."""

from __future__ import annotations

import datetime as dt
import json

from harness import sqlite_store
from rootplane.core.clock import SystemClock
from rootplane.schema import metadata
from rootplane.services.cloudwatch.install import ALARMS_TABLE, AlarmEvaluator
from rootplane.services.cloudwatch.tables import AlarmRow

NOW = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)  # the alarm is due


def test_the_check_for_alarms_names_the_alarms_table():
    assert ALARMS_TABLE == AlarmRow.__tablename__


def _alarm() -> AlarmRow:
    configuration = {"AlarmName": "a", "Namespace": "N", "MetricName": "M", "Statistic": "Sum", "Period": 60,
                     "EvaluationPeriods": 1, "Threshold": 1.0, "ComparisonOperator": "GreaterThanOrEqualToThreshold"}
    return AlarmRow(arn="arn:aws:cloudwatch:us-east-1:000000000000:alarm:a", account_id="000000000000",
                    region="us-east-1", name="a", namespace="N", metric_name="M",
                    configuration=json.dumps(configuration), configuration_updated=NOW, actions_enabled=True,
                    state_value="INSUFFICIENT_DATA", state_reason="Unchecked: Initial alarm creation",
                    state_updated=NOW, state_transitioned=NOW, next_evaluation=NOW, tags="{}")


def test_the_evaluator_loads_only_once_an_alarm_exists_and_then_evaluates_it(tmp_path):
    with sqlite_store(tmp_path, metadata()) as store:
        evaluator = AlarmEvaluator(store, SystemClock())
        assert evaluator.tick() == 0 and not evaluator.loaded
        with store.transaction() as session:  # as on a restart: the alarm was stored before this evaluator began
            session.add(_alarm())
        assert evaluator.tick() == 1 and evaluator.loaded
        with store.transaction(write=False) as session:
            alarm = session.get(AlarmRow, "arn:aws:cloudwatch:us-east-1:000000000000:alarm:a")
            assert alarm.state_value == "INSUFFICIENT_DATA" and not alarm.state_reason.startswith("Unchecked")
            assert alarm.next_evaluation > NOW  # scheduled again
