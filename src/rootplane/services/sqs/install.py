"""Wire the message move worker into the server: a background thread that lets running dead-letter queue redrives
move their messages (move_tasks.py ``step``) on the gateway's store and clock.

move_tasks.py (SQS's tables, the ORM) loads when the store first holds a move task; until then each tick only asks
the store, in plain SQL, whether one exists.
"""

from __future__ import annotations

import atexit

from rootplane.store.ticker import Step, StoreTicker

__all__ = ["install", "MOVE_TASKS_TABLE"]

#: ``tables.MoveTaskRow``'s table, named here so that the check for tasks maps no table (a unit test keeps them equal).
MOVE_TASKS_TABLE = "sqs_move_tasks"


def _load() -> Step:
    from rootplane.services.sqs.move_tasks import step

    return step


def install(app) -> StoreTicker:
    """Start the message move worker of ``app.gateway`` (stopped at exit)."""
    worker = StoreTicker(app.gateway.store, app.gateway.clock, name="sqs-move-tasks",
                         probe=f"SELECT 1 FROM {MOVE_TASKS_TABLE} LIMIT 1", load=_load)
    worker.start()
    atexit.register(worker.close)
    app.move_worker = worker
    return worker
