"""Resource and trust policies name IAM users and roles by unique id, as AWS stores them.

When a policy is saved, each ``{"AWS": "arn:aws:iam::<account>:user|role/<path><name>"}`` principal of an existing
user or role becomes that principal's unique id (``AIDA...``/``AROA...``), so the policy keeps applying to that
user or role only: a later user or role of the same name is a different principal.  On read, the ids of principals
that still exist are shown as their ARNs again; the id of a deleted one stays, as AWS shows it.

The stored text keeps the caller's formatting (each principal's quoted ARN is replaced where it is written), unless
the same ARN also appears outside a Principal element or is written with escapes; then the document is written
anew.

Before a policy is saved, ``missing_principal`` finds an ``AWS`` principal that names no principal, which S3, IAM and
KMS refuse ("Invalid principal in policy"; KMS: "one or more invalid principals").
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy.orm import Session

from rootplane.policy.matching import UNIQUE_ID_RE
from rootplane.services.accounts import repo as accounts
from rootplane.services.iam import repo
from rootplane.services.iam.tables import RoleRow, UserRow

__all__ = ["bind_principals", "render_principals", "shown_trust_policy", "missing_principal"]

_IAM_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):(user|role)(/.*)?/([^/]+)$")


def _entity(session: Session, arn: str) -> UserRow | RoleRow | None:
    match = _IAM_ARN.match(arn)
    if match is None:
        return None
    row_cls = UserRow if match.group(2) == "user" else RoleRow
    row = repo.find_named(session, row_cls, match.group(1), match.group(4))
    return row if row is not None and row.arn == arn else None


def _unique_id(row: UserRow | RoleRow) -> str:
    return row.user_id if isinstance(row, UserRow) else row.role_id


def _by_unique_id(session: Session, value: str) -> UserRow | RoleRow | None:
    return repo.user_by_id(session, value) if value.startswith("AIDA") else repo.role_by_id(session, value)


def _statements(document: Any) -> list[dict[str, Any]]:
    statements = document.get("Statement") if isinstance(document, dict) else None
    statements = statements if isinstance(statements, list) else [statements]
    return [s for s in statements if isinstance(s, dict)]


def _principal_values(document: Any) -> list[str]:
    """Every ``AWS`` principal value of the Principal/NotPrincipal elements."""
    values: list[str] = []
    for statement in _statements(document):
        for key in ("Principal", "NotPrincipal"):
            element = statement.get(key)
            raw = element.get("AWS") if isinstance(element, dict) else None
            values.extend(v for v in ([raw] if isinstance(raw, str) else raw if isinstance(raw, list) else [])
                          if isinstance(v, str))
    return values


def _count_strings(value: Any, wanted: str) -> int:
    if isinstance(value, str):
        return int(value == wanted)
    if isinstance(value, dict):
        return sum(_count_strings(v, wanted) + (k == wanted) for k, v in value.items())
    if isinstance(value, list):
        return sum(_count_strings(v, wanted) for v in value)
    return 0


def _replace_principals(document: Any, mapping: dict[str, str]) -> None:
    for statement in _statements(document):
        for key in ("Principal", "NotPrincipal"):
            element = statement.get(key)
            raw = element.get("AWS") if isinstance(element, dict) else None
            if isinstance(raw, str):
                element["AWS"] = mapping.get(raw, raw)
            elif isinstance(raw, list):
                element["AWS"] = [mapping.get(v, v) if isinstance(v, str) else v for v in raw]


def _rewrite(text: str, document: Any, mapping: dict[str, str]) -> str:
    """``text`` with the principal values in ``mapping`` replaced: in place when each appears only as a principal
    (so the caller's formatting stays), else by writing the document anew."""
    if not mapping:
        return text
    principals = _principal_values(document)
    rewritten = text
    for old, new in mapping.items():
        quoted = json.dumps(old)
        count = principals.count(old)
        if rewritten.count(quoted) != count or _count_strings(document, old) != count:
            _replace_principals(document, mapping)
            return json.dumps(document)
        rewritten = rewritten.replace(quoted, json.dumps(new))
    return rewritten


def _names_a_principal(session: Session, value: str) -> bool:
    """False when ``value`` names a user or role that does not exist: an ARN in an account this server holds, or a
    unique id (a deleted principal's, as a stored policy shows it).  Everything else stands: ``*``, accounts and
    their roots, session and federated ARNs, and users or roles of accounts this server does not hold, which
    cannot be checked offline."""
    if UNIQUE_ID_RE.match(value):
        return _by_unique_id(session, value) is not None
    match = _IAM_ARN.match(value)
    if match is None or accounts.find_account(session, match.group(1)) is None:
        return True
    return _entity(session, value) is not None


def missing_principal(session: Session, text: str) -> str | None:
    """The first ``AWS`` principal of the policy ``text`` that names no existing user or role, else None."""
    return next((value for value in _principal_values(_parsed(text)) if not _names_a_principal(session, value)), None)


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def bind_principals(session: Session, text: str) -> str:
    """The policy text to store: principals that are existing IAM users or roles named by their unique ids."""
    if ":user/" not in text and ":role/" not in text:
        return text
    document = _parsed(text)
    mapping: dict[str, str] = {}
    for value in _principal_values(document):
        if value not in mapping and (row := _entity(session, value)) is not None:
            mapping[value] = _unique_id(row)
    return _rewrite(text, document, mapping)


def render_principals(session: Session, text: str) -> str:
    """The policy text to show: unique ids of users and roles that still exist become their ARNs again."""
    if '"AIDA' not in text and '"AROA' not in text:
        return text
    document = _parsed(text)
    mapping: dict[str, str] = {}
    for value in _principal_values(document):
        if value in mapping or not UNIQUE_ID_RE.match(value):
            continue
        row = _by_unique_id(session, value)
        if row is not None:
            mapping[value] = row.arn
    return _rewrite(text, document, mapping)


def shown_trust_policy(role: RoleRow) -> str:
    """A role's trust policy as GetRole/ListRoles show it."""
    session = repo.session_of(role)
    return role.trust_policy if session is None else render_principals(session, role.trust_policy)
