"""Audit results as a rich table, JSON (one object per account) or CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Sequence

from rich.console import Console
from rich.table import Table

from rootplane.tools.audit import AccountAudit

__all__ = ["as_json", "as_csv", "print_table", "summary"]

CSV_COLUMNS = ("AccountId", "AccountName", "RootPassword", "PasswordLastUsed", "RootAccessKeys", "MfaDevices",
               "SigningCertificates", "Error")


def as_json(results: Sequence[AccountAudit]) -> str:
    return json.dumps([result.as_json() for result in results], indent=2) + "\n"


def as_csv(results: Sequence[AccountAudit]) -> str:
    """One row per account; credential columns list ids separated by ';'."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in results:
        password = r.root_password or {}
        writer.writerow([r.account_id, r.account_name, "yes" if r.root_password else "no",
                         password.get("PasswordLastUsed") or "",
                         ";".join(key["AccessKeyId"] for key in r.access_keys),
                         ";".join(device["SerialNumber"] for device in r.mfa_devices),
                         ";".join(cert["CertificateId"] for cert in r.signing_certificates), r.error or ""])
    return out.getvalue()


def summary(results: Sequence[AccountAudit]) -> dict[str, int]:
    """Counts of accounts by finding, for the table's caption and the HTML chart."""
    return {
        "Accounts": len(results),
        "Root password": sum(r.root_password is not None for r in results),
        "Root access keys": sum(bool(r.access_keys) for r in results),
        "MFA devices": sum(bool(r.mfa_devices) for r in results),
        "Signing certificates": sum(bool(r.signing_certificates) for r in results),
        "Not audited": sum(r.error is not None for r in results),
        "Clean": sum(r.error is None and r.findings == 0 for r in results),
    }


def _password_cell(result: AccountAudit) -> str:
    if result.root_password is None:
        return "-"
    last = result.root_password.get("PasswordLastUsed")
    return f"[red]yes[/] (last used {last})" if last else "[red]yes[/] (never used)"


def _keys_cell(result: AccountAudit) -> str:
    if not result.access_keys:
        return "-"
    return "\n".join(f"[red]{key['AccessKeyId']}[/] {key['Status']}, last used {key['LastUsedDate'] or 'never'}"
                     for key in result.access_keys)


def print_table(console: Console, results: Sequence[AccountAudit], features: dict[str, bool]) -> None:
    state = ", ".join(f"{name} {'on' if on else '[red]off[/]'}" for name, on in features.items())
    console.print(f"Centralized root access: {state}")
    table = Table(title="Member account root users", show_lines=False)
    table.add_column("Account", no_wrap=True)
    table.add_column("Name", no_wrap=True)
    for column in ("Root password", "Root access keys", "MFA devices", "Signing certificates", "Status"):
        table.add_column(column, overflow="fold")
    for r in results:
        status = f"[yellow]not audited: {r.error}[/]" if r.error else ("[red]findings[/]" if r.findings else
                                                                        "[green]clean[/]")
        table.add_row(r.account_id, r.account_name, _password_cell(r), _keys_cell(r),
                      "\n".join(d["SerialNumber"] for d in r.mfa_devices) or "-",
                      "\n".join(c["CertificateId"] for c in r.signing_certificates) or "-", status)
    console.print(table)
    console.print(", ".join(f"{name}: {count}" for name, count in summary(results).items()))
