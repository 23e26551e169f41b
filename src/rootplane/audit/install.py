"""Wire auditing into the server: the gateway's audit sink feeds the background recorder."""

from __future__ import annotations

import atexit
import datetime

from rootplane.audit import eventbridge
from rootplane.audit.recorder import Recorder
from rootplane.services.cloudtrail import delivery as trail_delivery
from rootplane.services.cloudtrail import history
from rootplane.services.sns import delivery as sns_delivery
from rootplane.services.sns import signing as sns_signing

__all__ = ["install"]


def install(app) -> Recorder:
    """Start the recorder for ``app.gateway`` and register its sink, flush hook and shutdown drain."""
    gateway = app.gateway
    recorder = Recorder(gateway.store, gateway.clock, consumers=[
        lambda session, batch: eventbridge.deliver(session, batch, gateway.clock.now()),
        lambda session, batch: trail_delivery.deliver(session, batch, gateway.clock.now()),
    ], retention=datetime.timedelta(days=gateway.config.trail_retention_days))
    gateway.audit_sinks.append(recorder.submit)
    gateway.health_reports["audit"] = recorder.status
    sns_delivery.configure(gateway.config.endpoint, gateway.config.smtp_url)
    history.configure(recorder.flush, lambda: gateway.store.transaction(write=False))
    gateway.before_state_change.append(recorder.flush)
    gateway.after_state_change.append(sns_signing.forget)
    atexit.register(recorder.close)
    app.recorder = recorder
    return recorder
