"""docs/benchmarks.md from the measurements of bench/run.py: medians with their spread, ratios, targets."""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics

from scenarios import SKIPPED
from stores import ROOTPLANES

__all__ = ["render"]

PEERS = ("ministack", "moto")
SERVERS = ("bare", *ROOTPLANES, *PEERS)  # the column order
# scenario -> (target as text, minimum ratio to the best peer or None)
TARGETS = {
    "GetCallerIdentity": ("≥ 0.25 × bare and ≥ 2.5 × ministack", 2.5),
    "CreateUser": ("≥ 1.5 × ministack (acknowledged writes survive kill -9)", 1.5),
    "GetUser": ("≥ 2 × ministack", 2.0),
    "AssumeRoot": ("reported", None),
    "S3 PutObject (authorized)": ("reported", None),
    "ListUsers (page of 100)": ("≥ 2 × ministack", 2.0),
    "GetUser (10k users)": ("≥ 2 × ministack", 2.0),
}


def _figure(entry: dict | None, digits: int = 0, unit: str = "") -> str:
    if not entry or entry.get("value") is None:
        return "—"
    value = f"{entry['value']:,.{digits}f}{unit}"
    if "min" in entry and entry.get("n", 2) > 1 and entry["min"] != entry["max"]:
        value += f" ({entry['min']:,.{digits}f}–{entry['max']:,.{digits}f})"
    if entry.get("errors"):
        value += f" [{entry['errors']} errors]"
    return value


def _ratios(a: dict | None, b: dict | None) -> list[float]:
    """``a`` ÷ ``b`` within each round both were measured in (bench/run.py measures every server in a round back
    to back), else the ratio of their medians; empty when either is missing."""
    if not a or not b or not a.get("value") or not b.get("value"):
        return []
    ours, theirs = a.get("rounds") or {}, b.get("rounds") or {}
    paired = [value / theirs[number] for number, value in ours.items() if theirs.get(number)]
    return paired or [a["value"] / b["value"]]


def _ratio_value(a: dict | None, b: dict | None) -> float | None:
    """The median of the per-round ratios (see ``_ratios``)."""
    ratios = _ratios(a, b)
    return statistics.median(ratios) if ratios else None


def _ratio(a: dict | None, b: dict | None) -> str:
    ratios = _ratios(a, b)
    if not ratios:
        return "—"
    text = f"{statistics.median(ratios):.2f} ×"
    if len(ratios) > 1 and min(ratios) != max(ratios):
        text += f" ({min(ratios):.2f}–{max(ratios):.2f})"
    return text


def _best_peer(results: dict, scenario: str) -> tuple[str | None, dict | None]:
    best = None
    for peer in PEERS:
        entry = results.get(peer, {}).get(scenario)
        if entry and entry.get("value") and (best is None or entry["value"] > best[1]["value"]):
            best = (peer, entry)
    return best or (None, None)


def _verdict(scenario: str, ours: dict | None, peer: dict | None, bare: dict | None) -> str:
    target = TARGETS.get(scenario)
    to_peer = _ratio_value(ours, peer)
    if target is None or target[1] is None or to_peer is None:
        return ""
    met = to_peer >= target[1]
    if scenario == "GetCallerIdentity" and (to_bare := _ratio_value(ours, bare)) is not None:
        met = met and to_bare >= 0.25
    return "met" if met else "**not met**"


def _ratio_cells(results: dict, scenario: str, server: str) -> list[str]:
    """``server``'s figure ÷ bare, ÷ the best peer (named), and its CPU µs per request."""
    ours = results.get(server, {}).get(scenario)
    peer_name, peer = _best_peer(results, scenario)
    cpu = f"{ours['cpu_us']:,.0f}" if ours and "cpu_us" in ours else "—"
    best = f"{_ratio(ours, peer)} ({peer_name})" if peer_name else "—"
    return [_ratio(ours, results.get("bare", {}).get("GetCallerIdentity")), best, cpu]


def _cpu_advantage(ours: dict | None, peer: dict | None) -> str:
    """The best peer's CPU µs per request, and that ÷ rootplane's (``ours``): the ratio throughput tends to when the
    machine, not the load, is the limit (busy or stolen CPU moves req/s far more than this)."""
    if not ours or not peer or not ours.get("cpu_us") or not peer.get("cpu_us"):
        return "— | —"
    return f"{peer['cpu_us']:,.0f} | {peer['cpu_us'] / ours['cpu_us']:.2f} ×"


def _throughput_table(results: dict, scenarios: list[str]) -> list[str]:
    """Every server's req/s, then rootplane's (SQLite) ratios, CPU (beside the best peer's) and verdict against
    the target."""
    servers = [s for s in SERVERS if s in results]
    lines = ["| operation (req/s) | " + " | ".join(servers) + " | rootplane ÷ bare | rootplane ÷ best peer | "
             "rootplane CPU µs/request | best peer CPU µs/request | CPU: best peer ÷ rootplane | target | |",
             "|---" * (len(servers) + 8) + "|"]
    bare = results.get("bare", {}).get("GetCallerIdentity")
    for scenario in scenarios:
        ours = results.get("rootplane", {}).get(scenario)
        _, peer = _best_peer(results, scenario)
        cells = []
        for server in servers:
            entry = results.get(server, {}).get(scenario)
            why = SKIPPED.get((server, scenario))
            cells.append(_figure(entry) if entry else (f"n/a ({why})" if why else "—"))
        lines.append(f"| {scenario} | " + " | ".join(cells + _ratio_cells(results, scenario, "rootplane")) +
                     f" | {_cpu_advantage(ours, peer)} | {TARGETS.get(scenario, ('',))[0]} | "
                     f"{_verdict(scenario, ours, peer, bare)} |")
    return lines


def _postgres_table(results: dict, scenarios: list[str]) -> list[str]:
    """The same ratios and CPU for rootplane on PostgreSQL (no targets); nothing when those servers did not run."""
    servers = [s for s in ROOTPLANES if s != "rootplane" and s in results]
    if not servers:
        return []
    lines = ["| operation | " + " | ".join(f"{s} ÷ bare | {s} ÷ best peer | {s} CPU µs/request" for s in servers) +
             " |", "|---" * (3 * len(servers) + 1) + "|"]
    for scenario in scenarios:
        cells = [cell for server in servers for cell in _ratio_cells(results, scenario, server)]
        lines.append(f"| {scenario} | " + " | ".join(cells) + " |")
    return ["", *lines]


def _section(results: dict, scenarios: list[str]) -> list[str]:
    return [*_throughput_table(results, scenarios), *_postgres_table(results, scenarios)]


def _row(label: str, results: dict, metric: str, servers: list[str], target: str, digits: int = 2) -> str:
    return f"| {label} | " + " | ".join(_figure(results.get(s, {}).get(metric), digits) for s in servers) + \
        f" | {target} |"


def _trail_section(trail: dict | None) -> list[str]:
    if not trail:
        return ["Not run (`--trail-records 0`)."]
    if "error" in trail:
        return [f"Failed: {trail['error']}"]
    lines = [f"{trail['records']:,} records written into the store in {trail['fill_seconds']:.0f} s "
             f"(the recorder's own batched insert), against a history of {trail.get('baseline', 0):,} records of the "
             "same shape. Target: within 10%.", "",
             "| metric | small history | with the records | ratio | |", "|---|---|---|---|---|"]
    names = {"ready_s": ("first signed answer after start (s)", 2, False),
             "GetCallerIdentity_rps": ("GetCallerIdentity req/s", 0, True),
             "LookupEvents_ms": ("LookupEvents, first page of 50 (ms)", 1, False),
             "LookupEvents_by_user_ms": ("LookupEvents by Username (ms)", 1, False)}
    for metric, (label, digits, higher_is_better) in names.items():
        empty, full = trail["empty"].get(metric), trail["full"].get(metric)
        if not empty or not full:
            continue
        ratio = trail.get("ratio", {}).get(metric) or {"value": full["value"] / empty["value"] if empty["value"]
                                                        else float("nan")}
        within = ratio["value"] >= 0.9 if higher_is_better else ratio["value"] <= 1.1
        lines.append(f"| {label} | {_figure(empty, digits)} | {_figure(full, digits)} | {_figure(ratio, 2)} | "
                     f"{'met' if within else '**not met**'} |")
    return lines


def _audit_section(audit: dict | None) -> list[str]:
    if not audit:
        return ["Not run (`--audit-accounts 0`)."]
    if "error" in audit or "seconds" not in audit:
        return [f"Failed: {audit.get('error')}"]
    verdict = "met" if audit["seconds"] <= 20 else "**not met**"
    return [f"`rootplane audit --output json` over {audit['audited']:,} member accounts (seeded with `rootplane seed "
            f"--accounts {audit['accounts']}` in {audit['seed_seconds']:.0f} s): **{audit['seconds']:.1f} s** wall "
            f"(target ≤ 20 s: {verdict}); CPU: server {audit['server_cpu']:.1f} s "
            f"({1000 * audit['server_cpu'] / max(1, audit['audited']):.0f} ms per account), audit process "
            f"{audit['client_cpu']:.1f} s; {audit['not_auditable']} accounts not auditable (the seed denies one "
            f"member root audits by an SCP and closes another, so the report shows both cases), exit status "
            f"{audit['exit_status']} (findings exist)."]


def _reused_parts(options) -> str:
    """What a ``--parts`` run took from ``--previous`` instead of measuring again."""
    reused = [part for part in ("throughput", "scale", "trail", "audit") if part not in options.parts.split(",")]
    saved = os.path.relpath(options.previous, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return f" The {', '.join(reused)} part(s) come from the earlier run saved in {saved}." if reused else ""


def render(results: dict, scale: dict, trails: dict[str, dict | None], audit: dict | None, options, command: str,
           seconds: float) -> str:
    load = os.getloadavg()
    rounds = options.rounds
    servers = [s for s in SERVERS if s in results or s in scale]
    lines = [
        "# Benchmarks", "",
        f"Generated by `{command}` (bench/run.py) on {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC in "
        f"{seconds / 60:.0f} min: {os.cpu_count()} CPUs, {platform.python_implementation()} "
        f"{platform.python_version()}, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end "
        "(the machine is shared: absolute figures move with the load, ratios measured in the same run much less)."
        + _reused_parts(options),
        "",
        f"Figures are medians of {rounds} rounds with the spread (min–max). Every round starts every server afresh "
        "and keeps them all running; each scenario is then measured on every server back to back (the order "
        "rotating from round to round), once every server and the machine are quiet (no CPU used for 0.2 s: "
        "rootplane's audit writer and PostgreSQL done with the previous burst), so the ratios of one round compare "
        "measurements seconds apart. A "
        "ratio is the median of the rounds' own ratios, with their spread. "
        f"Load: {options.workers} closed-loop client processes replaying pre-signed SigV4 requests for "
        f"{options.seconds:g} s per scenario over keep-alive connections, each request's bytes built before the "
        "clock starts and each answer read with a minimal HTTP/1.1 reader, so that the clients take as little of "
        "the machine's CPU from the server as they can (bench/loadgen.py; until 2026-12-05 the clients used "
        "http.client, whose own CPU capped bare near 20,000 req/s). "
        "**bare** is uvicorn + uvloop + httptools answering every request with a canned GetCallerIdentity response "
        "(bench/bare_app.py): the limit of the stack and of the load generator on this machine; its figure is the "
        "denominator of every \"÷ bare\". Peers run from PyPI in their own virtualenvs (bench/peers.py): "
        "ministack 1.5.33 and moto[server] 5.2.5. \"CPU µs/request\" is a server's processes' user + system "
        "time, from the start of the load until the server is quiet again, divided by the requests answered (for "
        "rootplane the CloudTrail writer's work for those calls included): steadier than req/s on a loaded "
        "machine. \"CPU: best peer ÷ rootplane\" divides the best peer's by rootplane's: what the throughput ratio "
        "tends to when the machine's CPU (shared with the clients, and with other machines' work on a host that "
        "steals time) is the limit.", "",
        "rootplane runs three ways: **rootplane** on its SQLite store in one process (the default, and the column "
        "every target is judged on), and **rootplane-pg2** / **rootplane-pg4**: `rootplane serve --workers 2|4 "
        "--database-url postgresql+psycopg://…` on a fresh database of this machine's PostgreSQL (created before "
        "the server starts, dropped after each round), a supervisor and its forked workers serving one port. Their "
        "CPU µs/request and RSS sum the supervisor and its workers; the PostgreSQL server's own CPU and memory are "
        "not counted, and pages the forked workers share are counted in each.", "",
        "## Hot operations", "",
        *_section(results, ["GetCallerIdentity", "CreateUser", "GetUser", "AssumeRoot", "S3 PutObject (authorized)"]),
        "",
        "AssumeRoot: an IAM user allowed `sts:AssumeRoot` in the management account, member account target, task "
        "policy IAMAuditRootUserCredentials. S3 PutObject: 1 KiB objects by an IAM user whose identity policy allows "
        "`s3:PutObject` on the bucket (the request is authorized by the policy engine). CreateUser on rootplane "
        "(SQLite store) is acknowledged only after its commit is fsynced (group commit; on PostgreSQL, after the "
        "database's commit).", "",
        f"## IAM at {options.users:,} users", "",
        *_section(scale, ["ListUsers (page of 100)", "GetUser (10k users)"]), "",
        "rootplane's users are inserted into its store (SQLite or PostgreSQL) before it starts (AWS caps an account "
        "at 5,000 users and rootplane enforces the quota); the peers get theirs through CreateUser.", "",
        "## Start-up and memory", "",
        "Targets apply to the rootplane (SQLite) column. Fresh: an empty store (on PostgreSQL, an empty database: "
        "the schema is created by the first worker). Restart: a second start on the store the first one made. With "
        "several workers the first signed answer comes from the first worker built; the measurements above start "
        "once every worker is built.", "",
        "| | " + " | ".join(servers) + " | target |", "|---" * (len(servers) + 2) + "|",
        _row("first signed answer after process start, fresh (s)", results, "ready_s", servers, "≤ 0.3 s"),
        _row("first signed answer after a restart on an existing store (s)", results, "ready_restart_s", servers,
             "≤ 0.3 s"),
        _row("RSS idle, 1 s after the first signed answer (MiB)", results, "rss_idle_mib", servers, "≤ 60", 1),
        _row(f"RSS after {options.users:,} users and the runs (MiB)", scale, "rss_users_mib", servers, "≤ 80", 1),
        "", "## CloudTrail Event history at scale (rootplane on SQLite)", "", *_trail_section(trails.get("trail")), "",
        "## CloudTrail Event history at scale (rootplane-pg2: PostgreSQL, 2 workers)", "",
        *_trail_section(trails.get("trail_pg2")), "",
        "## Organization audit (rootplane on SQLite)", "", *_audit_section(audit), "",
    ]
    return "\n".join(lines)
