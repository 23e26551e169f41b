"""The account a request acts on: ``AccountId`` when given (already vetted by authz.py), else the caller's."""

from __future__ import annotations

from typing import Any

__all__ = ["target_account"]


def target_account(ctx: Any, params: dict[str, Any]) -> str:
    return params.get("AccountId") or ctx.account_id
