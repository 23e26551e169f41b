"""One self-contained HTML audit report (inline CSS and SVG chart, no scripts or external assets)."""

from __future__ import annotations

import datetime as _dt
from html import escape
from typing import Sequence

from rootplane.tools.audit import AccountAudit
from rootplane.tools.report import summary

__all__ = ["render_html"]

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#16191f}
h1{font-size:1.5rem;margin:0 0 .25rem}
.meta{color:#545b64;margin-bottom:1.5rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid #d5dbdb;padding:.4rem .6rem;text-align:left;vertical-align:top}
th{background:#f2f3f3}
.finding{color:#d13212;font-weight:600}.clean{color:#1d8102}.error{color:#8d6605}
code{font-size:.85rem}
"""
_BAR_COLOURS = {"Root password": "#d13212", "Root access keys": "#d13212", "MFA devices": "#ec7211",
                "Signing certificates": "#d13212", "Not audited": "#8d6605", "Clean": "#1d8102"}


def _chart(counts: dict[str, int]) -> str:
    """A horizontal bar chart of accounts per finding, as inline SVG."""
    total = max(counts["Accounts"], 1)
    rows = [(name, counts[name]) for name in _BAR_COLOURS]
    width, label, bar_height = 640, 170, 26
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Accounts by finding" '
             f'width="{width}" height="{len(rows) * bar_height + 10}" id="summary-chart">']
    for index, (name, count) in enumerate(rows):
        y = index * bar_height + 5
        length = round((width - label - 60) * count / total)
        parts.append(f'<text x="0" y="{y + 16}" font-size="13">{escape(name)}</text>'
                     f'<rect x="{label}" y="{y}" width="{length}" height="{bar_height - 8}" '
                     f'fill="{_BAR_COLOURS[name]}"><title>{escape(name)}: {count}</title></rect>'
                     f'<text x="{label + length + 6}" y="{y + 16}" font-size="13">{count}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _row(result: AccountAudit) -> str:
    password = result.root_password
    cells = [
        f"<code>{escape(result.account_id)}</code>", escape(result.account_name),
        (f'<span class="finding">yes</span>, last used {escape(password.get("PasswordLastUsed") or "never")}'
         if password else "-"),
        "<br>".join(f'<span class="finding">{escape(k["AccessKeyId"])}</span> {escape(k["Status"])}, last used '
                    f'{escape(k["LastUsedDate"] or "never")}' for k in result.access_keys) or "-",
        "<br>".join(escape(d["SerialNumber"]) for d in result.mfa_devices) or "-",
        "<br>".join(escape(c["CertificateId"]) for c in result.signing_certificates) or "-",
        (f'<span class="error">not audited: {escape(result.error)}</span>' if result.error else
         '<span class="finding">findings</span>' if result.findings else '<span class="clean">clean</span>'),
    ]
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def render_html(results: Sequence[AccountAudit], features: dict[str, bool],
                now: _dt.datetime | None = None) -> str:
    """The whole report as one HTML document."""
    now = now or _dt.datetime.now(_dt.timezone.utc)
    counts = summary(results)
    feature_text = ", ".join(f"{escape(name)}: {'on' if on else 'off'}" for name, on in features.items())
    headers = ("Account", "Name", "Root password", "Root access keys", "MFA devices", "Signing certificates", "Status")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Root user audit</title>"
        f"<style>{_STYLE}</style></head><body>"
        "<h1>Root user audit</h1>"
        f'<p class="meta">{counts["Accounts"]} member accounts audited at {now:%Y-%m-%d %H:%M} UTC. '
        f"Centralized root access: {feature_text}.</p>"
        f"<h2>Summary</h2>{_chart(counts)}"
        "<h2>Accounts</h2><table><thead><tr>" + "".join(f"<th>{h}</th>" for h in headers) + "</tr></thead><tbody>"
        + "".join(_row(result) for result in results) + "</tbody></table></body></html>\n"
    )
