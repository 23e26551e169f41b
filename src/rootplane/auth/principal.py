"""Who is calling: the principal types the pipeline authenticates requests into."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from dataclasses import dataclass

__all__ = ["Principal", "ROOT", "IAM_USER", "ASSUMED_ROLE", "FEDERATED_USER", "ROOT_SESSION", "AWS_SERVICE",
           "ANONYMOUS"]

ROOT = "Root"                  # root user, long-term credentials or console
IAM_USER = "IAMUser"
ASSUMED_ROLE = "AssumedRole"   # role session from AssumeRole
FEDERATED_USER = "FederatedUser"  # federated user session from GetFederationToken (an IAM user's or the root user's)
ROOT_SESSION = "RootSession"   # privileged root session from sts:AssumeRoot (acts as Root of the target account)
AWS_SERVICE = "AWSService"
ANONYMOUS = "Anonymous"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller.

    ``arn`` is what GetCallerIdentity reports; ``user_id`` its UserId. Root and root sessions both have
    ``arn`` ``arn:aws:iam::<acct>:root`` and ``user_id`` == account id.
    """

    kind: str
    account_id: str
    arn: str
    user_id: str
    name: str | None = None                 # IAM user name, or role name for role sessions
    path: str = "/"
    access_key_id: str | None = None
    session_name: str | None = None
    role_arn: str | None = None             # role sessions: the role's ARN
    role_id: str | None = None
    task_policy_arn: str | None = None      # root sessions: the root-task policy ARN
    session_policies: tuple[str, ...] = ()  # inline/managed session policy documents (JSON text)
    session_policy_arns: tuple[str, ...] = ()
    mfa_authenticated: bool = False
    mfa_authenticated_at: _dt.datetime | None = None
    session_issued_at: _dt.datetime | None = None
    session_expires_at: _dt.datetime | None = None
    session_token_version: int | None = None  # 1: issued by the global STS endpoint with v1 tokens
    source_identity: str | None = None
    issuer_arn: str | None = None           # root and federated sessions: who called AssumeRoot / GetFederationToken
    issuer_account_id: str | None = None
    issuer_id: str | None = None            # federated users: the unique id of the IAM user that issued them
    tags: tuple[tuple[str, str], ...] = ()  # principal tags (user tags or session tags)
    transitive_tag_keys: tuple[str, ...] = ()
    service: str | None = None              # AWS service principals: "events.amazonaws.com"
    from_console: bool = False

    @property
    def is_root(self) -> bool:
        """True for the root user and for AssumeRoot sessions."""
        return self.kind in (ROOT, ROOT_SESSION)

    @property
    def is_temporary(self) -> bool:
        return self.session_expires_at is not None

    def tag_map(self) -> dict[str, str]:
        return dict(self.tags)

    def to_json(self) -> str:
        """Serialize for storage with a temporary session."""
        # Every field is a str, bool, int, datetime, None or a tuple of those: no deep copy (dataclasses.asdict) needed.
        data = {name: getattr(self, name) for name in _FIELD_NAMES}
        for key, value in data.items():
            if isinstance(value, _dt.datetime):
                data[key] = value.isoformat()
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Principal:
        data = json.loads(text)
        for f in dataclasses.fields(cls):
            value = data.get(f.name)
            if value is None:
                continue
            if f.name.endswith("_at") and isinstance(value, str):
                data[f.name] = _dt.datetime.fromisoformat(value)
            elif isinstance(value, list):
                data[f.name] = tuple(tuple(v) if isinstance(v, list) else v for v in value)
        return cls(**{f.name: data[f.name] for f in dataclasses.fields(cls) if f.name in data})


_FIELD_NAMES = tuple(field.name for field in dataclasses.fields(Principal))
