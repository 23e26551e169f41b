"""The SQS message move worker loads when the store first holds a move task (services/sqs/install.py, issue #19):
an idle server never loads it, and one started on a store that already holds a running task (a restart) moves it."""

from __future__ import annotations

import datetime as dt
import types

from harness import sqlite_store
from rootplane.core.clock import SystemClock
from rootplane.schema import metadata
from rootplane.services.sqs.install import MOVE_TASKS_TABLE, install
from rootplane.services.sqs.tables import MoveTaskRow

NOW = dt.datetime.now(dt.timezone.utc)
SOURCE = "arn:aws:sqs:us-east-1:000000000000:gone"


def test_the_check_for_tasks_names_the_tasks_table():
    assert MOVE_TASKS_TABLE == MoveTaskRow.__tablename__


def test_the_worker_loads_only_once_a_task_exists_and_then_advances_it(tmp_path):
    with sqlite_store(tmp_path, metadata()) as store:
        app = types.SimpleNamespace(gateway=types.SimpleNamespace(store=store, clock=SystemClock()))
        worker = install(app)
        worker.close()  # ticked by hand here
        assert app.move_worker is worker
        assert worker.tick() == 0 and not worker.loaded
        with store.transaction() as session:  # its source queue is gone: the pass fails the task
            session.add(MoveTaskRow(task_id="t", source_arn=SOURCE, status="RUNNING", moved=0, to_move=1,
                                    started_at=NOW))
        assert worker.tick() == 1 and worker.loaded
        with store.transaction(write=False) as session:
            task = session.get(MoveTaskRow, "t")
            assert (task.status, task.failure_reason) == ("FAILED", "AWS.SimpleQueueService.NonExistentQueue")
        assert worker.tick() == 0
