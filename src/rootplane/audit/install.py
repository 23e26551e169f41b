"""Wire auditing into the server: the gateway's audit sink feeds the background recorder.

Start-up builds only the recorder and its queue: the consumers (EventBridge rules, trail log files), the CloudTrail
tables and the SNS signing key load with their first use, on the writer thread after the first call is answered
(issue #19: the first signed answer waits for none of them); the consumers' modules and the ORM, only once a batch
finds a rule or trail that can receive it.
"""

from __future__ import annotations

import atexit
import datetime

from rootplane.audit.recorder import Consumer, Recorder
from rootplane.core.clock import Clock
from rootplane.services.cloudtrail import history
from rootplane.services.sns import settings as sns_settings

__all__ = ["install", "consumers"]


def _to_eventbridge(clock: Clock) -> Consumer:
    def eventbridge_rules(session, batch) -> None:
        from rootplane.audit import eventbridge

        eventbridge.deliver(session, batch, clock.now())

    def any_rule(connection, batch) -> bool:
        from rootplane.audit import eventbridge

        return eventbridge.may_deliver(connection, batch)

    return Consumer(eventbridge_rules, any_rule)


def _to_trails(clock: Clock) -> Consumer:
    def trail_log_files(session, batch) -> None:
        from rootplane.services.cloudtrail import delivery

        delivery.deliver(session, batch, clock.now())

    def any_trail(connection, batch) -> bool:
        from rootplane.services.cloudtrail import plain

        return plain.any_trail_receiving(connection, min(item.event_time for item in batch))

    return Consumer(trail_log_files, any_trail)


def consumers(clock: Clock) -> list[Consumer]:
    """What the server's recorder hands each batch to: EventBridge rules, then trail log files."""
    return [_to_eventbridge(clock), _to_trails(clock)]


def _forget_sns_signing_key() -> None:
    from rootplane.services.sns import signing

    signing.forget()


def install(app) -> Recorder:
    """Start the recorder for ``app.gateway`` and register its sink, flush hook and shutdown drain."""
    gateway = app.gateway
    recorder = Recorder(gateway.store, gateway.clock, consumers=consumers(gateway.clock),
                        retention=datetime.timedelta(days=gateway.config.trail_retention_days))
    gateway.audit_sinks.append(recorder.submit)
    gateway.health_reports["audit"] = recorder.status
    sns_settings.configure(gateway.config.endpoint, gateway.config.smtp_url)
    history.configure(recorder.flush, lambda: gateway.store.transaction(write=False))
    gateway.before_state_change.append(recorder.flush)
    gateway.after_state_change.append(_forget_sns_signing_key)
    atexit.register(recorder.close)
    app.recorder = recorder
    return recorder
