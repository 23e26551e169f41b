"""Switches one part of a served rootplane off, for bench/attribution.py only (never how rootplane runs).

Python imports this module at start-up when its directory is on PYTHONPATH; ``ROOTPLANE_BENCH_OFF`` names the part:

- ``audit``: the gateway's calls reach no audit writer (nothing is recorded);
- ``audit-render``: the writer stores a minimal record per call instead of rendering CloudTrail's;
- ``audit-insert``: the writer renders every record but stores none;
- ``durability-wait``: a write is answered without waiting for its commit's fsync (acknowledged writes would not
  survive a power loss: an experiment only).
"""

from __future__ import annotations

import os


def _switch_off(part: str) -> None:
    if part == "audit":
        from rootplane.audit.recorder import Recorder

        Recorder.submit = lambda self, call: None
    elif part == "audit-render":
        import rootplane.audit.recorder as recorder
        from rootplane.audit.record import Recorded
        from rootplane.core.ids import event_id

        def minimal(call):
            record = {"eventID": event_id(call.event_time), "eventName": call.operation, "eventSource": call.service,
                      "readOnly": True, "userIdentity": {}}
            return [Recorded(call.principal.account_id, call.region, call.event_time, record, "", ())]

        recorder.records_for = minimal
    elif part == "audit-insert":
        import rootplane.services.cloudtrail.plain as plain

        plain.put_events = lambda connection, events: None
    elif part == "durability-wait":
        from rootplane.store.group_commit import GroupCommit

        GroupCommit.when_synced = lambda self, callback: False
    elif part:
        raise SystemExit(f"ROOTPLANE_BENCH_OFF: no part named {part!r}")


_switch_off(os.environ.get("ROOTPLANE_BENCH_OFF", ""))
