"""Wire the alarm evaluator into the server: a background thread on the gateway's store and clock."""

from __future__ import annotations

import atexit

from rootplane.services.cloudwatch.evaluator import Evaluator

__all__ = ["install"]


def install(app) -> Evaluator:
    """Start the alarm evaluator of ``app.gateway`` (stopped at exit)."""
    evaluator = Evaluator(app.gateway.store, app.gateway.clock)
    evaluator.start()
    atexit.register(evaluator.close)
    app.alarm_evaluator = evaluator
    return evaluator
