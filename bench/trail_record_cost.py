"""What recording one call in CloudTrail costs, in CPU µs: on the request path and in the background writer.

    .venv/bin/python bench/trail_record_cost.py [--calls 20000] [--rounds 5] [--rate 3000] [--steady-seconds 3]

A real server (``build_app`` on a fresh SQLite store, the real EventBridge/trail consumers) answers one request
per scenario; its ``ApiCall`` is captured and replayed ``--calls`` times with fresh request ids and times:

- **request path**: the calling thread's CPU (``time.thread_time``) to hand the call to the gateway's audit sinks
  (what the event loop / request thread pays per call), and to build the ``ApiCall`` the pipeline fills in;
- **writer**: the process CPU of the threads other than this one from the first call handed over until ``flush``
  returns (the writer thread rendering, encoding, inserting, committing and running its consumers; past the
  recorder's capacity it writes while calls are still handed over) divided by the records written, and, measured in
  this thread without the store, the part of it that renders the record and its row (``records_for`` + the row
  tuple).

Figures are the median of ``--rounds`` rounds (min-max). The machine may be shared: compare runs made together.

- **steady load**: GetCallerIdentity calls submitted at ``--rate`` calls/s for ``--steady-seconds`` (0: skipped), as
  a busy server hands them over: the writer thread's CPU per record and the batches it wrote (a writer that writes
  what arrives during a write at once writes many small batches, each paying a batch's commit and queries).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import dataclasses
import statistics
import threading
import time
import uuid
from collections.abc import Callable


from rootplane.audit import recorder as recorder_module
from rootplane.audit.call import ApiCall
from rootplane.audit.record import records_for
from rootplane.core.config import ServerConfig
from rootplane.server import build_app
from rootplane.testing import signed_query
from stores import scratch_data_dir

_SCENARIOS = {
    "GetCallerIdentity": ("sts", "Action=GetCallerIdentity&Version=2011-06-15"),
    "CreateUser": ("iam", "Action=CreateUser&Version=2010-05-08&UserName=bench-user&Path=/bench/"),
}
_PACE = _dt.timedelta(microseconds=250)  # replayed calls 0.25 ms apart (4,000 calls/s): event ids sort as they would


def _captured(gateway, service: str, body: str) -> ApiCall:
    """The ApiCall the gateway hands its audit sinks for one real request."""
    seen: list[ApiCall] = []
    gateway.audit_sinks.append(seen.append)
    try:
        gateway.handle(signed_query(service, body))
    finally:
        gateway.audit_sinks.remove(seen.append)
    return seen[0]


def _per_call(work: Callable[[], object], count: int) -> float:
    """This thread's CPU µs per call of ``work``."""
    start = time.thread_time()
    for _ in range(count):
        work()
    return (time.thread_time() - start) / count * 1e6


def _round(gateway, recorder, call: ApiCall, count: int) -> dict[str, float]:
    start = _dt.datetime.now(_dt.timezone.utc)
    calls = [dataclasses.replace(call, request_id=str(uuid.uuid4()), event_time=start + i * _PACE)
             for i in range(count)]
    fields = dataclasses.asdict(call) | {"principal": call.principal}  # asdict would copy the principal as a dict
    build = _per_call(lambda: ApiCall(**fields), count)
    render = _per_call(lambda: recorder_module._new_events(records_for(call)), count)
    recorder.flush()
    sinks = list(gateway.audit_sinks)
    process, thread = time.process_time(), time.thread_time()  # from the first call: past the recorder's capacity
    start = thread                                             # the writer works while calls are still handed over
    for item in calls:
        for sink in sinks:
            sink(item)
    submit = (time.thread_time() - start) / count * 1e6
    recorder.flush(timeout=600)
    writer = ((time.process_time() - process) - (time.thread_time() - thread)) / count * 1e6
    return {"ApiCall build": build, "sink (request path)": submit, "render+row (no store)": render,
            "writer total per record": writer}


def _steady(gateway, recorder, call: ApiCall, rate: float, seconds: float) -> tuple[float, int, int]:
    """The writer thread's CPU µs per record, the calls and the batches while calls arrive at ``rate`` per second."""
    from rootplane.services.cloudtrail import plain

    writer = next(thread for thread in threading.enumerate() if thread.name == "rootplane-audit")
    clock = time.pthread_getcpuclockid(writer.ident)
    batches = []
    put_events = plain.put_events

    def counted(connection, events):
        batches.append(len(events))
        put_events(connection, events)

    recorder.flush()
    plain.put_events = counted
    try:
        cpu, started, sent = time.clock_gettime(clock), time.monotonic(), 0
        while (elapsed := time.monotonic() - started) < seconds:
            for _ in range(int(elapsed * rate) - sent):
                recorder.submit(dataclasses.replace(call, request_id=str(uuid.uuid4()),
                                                    event_time=_dt.datetime.now(_dt.timezone.utc)))
                sent += 1
            time.sleep(0.001)
        recorder.flush(timeout=600)
        return (time.clock_gettime(clock) - cpu) / sent * 1e6, sent, len(batches)
    finally:
        plain.put_events = put_events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rate", type=float, default=3000.0)
    parser.add_argument("--steady-seconds", type=float, default=3.0)
    args = parser.parse_args()
    app = build_app(ServerConfig(data_dir=scratch_data_dir()))
    gateway, recorder = app.gateway, app.recorder
    print(f"CPU µs per call, median of {args.rounds} rounds of {args.calls} calls (min-max)")
    for name, (service, body) in _SCENARIOS.items():
        call = _captured(gateway, service, body)
        rounds = [_round(gateway, recorder, call, args.calls) for _ in range(args.rounds)]
        print(name)
        for key in rounds[0]:
            values = [r[key] for r in rounds]
            print(f"  {key:<26}{statistics.median(values):>8.1f}  ({min(values):.1f}-{max(values):.1f})")
    if args.steady_seconds > 0:
        cpu, calls, batches = _steady(gateway, recorder, _captured(gateway, *_SCENARIOS["GetCallerIdentity"]),
                                      args.rate, args.steady_seconds)
        print(f"GetCallerIdentity at {args.rate:.0f} calls/s for {args.steady_seconds:g} s: writer {cpu:.1f} CPU µs "
              f"per record, {calls} calls in {batches} batches")
    recorder.close()


if __name__ == "__main__":
    main()
