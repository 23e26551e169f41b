"""Issue #10 finding 4: no member a botocore model marks ``sensitive`` reaches a CloudTrail record.

For every operation of every served service, a synthetic call carries a value in every member of its input and
output shapes (recursively through structures, lists and maps); each value under a sensitive shape is a unique
marker that must not appear in the records built from the call (the record shows
``HIDDEN_DUE_TO_SECURITY_REASONS`` in its place, or drops the member as CloudTrail drops secret access keys).
"""

from __future__ import annotations

import datetime as _dt
import itertools
import json
from typing import Any

import pytest
from botocore.model import ListShape, MapShape, Shape, StructureShape

from rootplane.audit.call import ApiCall
from rootplane.audit.record import records_for
from rootplane.audit.redaction import HIDDEN
from rootplane.auth.principal import ROOT, Principal
from rootplane.services.provider import is_read_only
from rootplane.wire.models import SERVICES, service_model

_ROOT = Principal(kind=ROOT, account_id="111111111111", arn="arn:aws:iam::111111111111:root", user_id="111111111111")
_NOW = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)


class _Synthetic:
    """Builds a value for a shape; leaves under a sensitive shape are unique ``SECRET-n`` markers."""

    def __init__(self) -> None:
        self.counter = itertools.count()
        self.secrets: list[str] = []

    def value(self, shape: Shape, sensitive: bool = False, depth: int = 0) -> Any:
        sensitive = sensitive or bool(shape.metadata.get("sensitive"))
        if isinstance(shape, StructureShape):
            if depth > 5:
                return {}
            return {name: self.value(member, sensitive, depth + 1) for name, member in shape.members.items()}
        if isinstance(shape, ListShape):
            return [self.value(shape.member, sensitive, depth + 1)]
        if isinstance(shape, MapShape):
            return {f"key{next(self.counter)}": self.value(shape.value, sensitive, depth + 1)}
        if shape.type_name == "string" and not sensitive:
            return f"plain-{next(self.counter)}"
        if shape.type_name == "string":
            marker = f"SECRET-{next(self.counter)}-MARKER"
            self.secrets.append(marker)
            return marker
        if shape.type_name == "timestamp":
            return _NOW
        if shape.type_name == "blob":
            return b"blob"
        if shape.type_name == "boolean":
            return True
        return 7


def _has_sensitive(shape: Shape | None, depth: int = 0) -> bool:
    if shape is None or depth > 6:
        return False
    if shape.metadata.get("sensitive"):
        return True
    if isinstance(shape, StructureShape):
        return any(_has_sensitive(m, depth + 1) for m in shape.members.values())
    if isinstance(shape, ListShape):
        return _has_sensitive(shape.member, depth + 1)
    if isinstance(shape, MapShape):
        return _has_sensitive(shape.value, depth + 1)
    return False


@pytest.mark.parametrize("service", SERVICES)
def test_every_sensitive_member_is_redacted(service: str) -> None:
    model = service_model(service)
    checked, hidden = 0, 0
    for name in model.operation_names:
        operation = model.operation_model(name)
        if not (_has_sensitive(operation.input_shape) or _has_sensitive(operation.output_shape)):
            continue
        synthetic = _Synthetic()
        params = synthetic.value(operation.input_shape) if operation.input_shape is not None else {}
        result = synthetic.value(operation.output_shape) if operation.output_shape is not None else None
        call = ApiCall(request_id="r", service=service, operation=name, region="us-east-1", principal=_ROOT,
                       event_time=_NOW, source_ip="192.0.2.1", user_agent="test", params=params, result=result)
        records = records_for(call)
        for recorded in records:
            text = json.dumps(recorded.record)
            leaked = [marker for marker in synthetic.secrets if marker in text]
            assert not leaked, (service, name, leaked)
            shown = (service != "s3" and _has_sensitive(operation.input_shape)) or (
                not is_read_only(name) and _has_sensitive(operation.output_shape))
            checked += shown
            hidden += HIDDEN in text
    if service not in ("sqs", "cloudtrail", "support", "logs", "resourcegroupstaggingapi"):  # nothing sensitive
        assert checked and hidden, service


def test_named_secrets_are_hidden_and_examples() -> None:
    """The cases of the finding: service-specific credentials, SAML private keys, the Account OTP."""
    def record(service: str, operation: str, params: dict, result: dict | None = None) -> dict:
        call = ApiCall(request_id="r", service=service, operation=operation, region="us-east-1", principal=_ROOT,
                       event_time=_NOW, source_ip="192.0.2.1", user_agent="test", params=params, result=result)
        return records_for(call)[0].record

    created = record("iam", "CreateServiceSpecificCredential", {"UserName": "u", "ServiceName": "codecommit.amazonaws.com"},
                     {"ServiceSpecificCredential": {"ServiceUserName": "u-at-1", "ServicePassword": "pw-secret",
                                                    "ServiceCredentialSecret": "cred-secret", "UserName": "u"}})
    credential = created["responseElements"]["serviceSpecificCredential"]
    assert credential["servicePassword"] == HIDDEN and credential["serviceCredentialSecret"] == HIDDEN
    assert credential["serviceUserName"] == "u-at-1"
    saml = record("iam", "UpdateSAMLProvider", {"SAMLProviderArn": "arn:aws:iam::111111111111:saml-provider/p",
                                                "AddPrivateKey": "-----BEGIN PRIVATE KEY-----x"})
    assert saml["requestParameters"]["addPrivateKey"] == HIDDEN
    otp = record("account", "AcceptPrimaryEmailUpdate", {"AccountId": "111111111111", "Otp": "123456",
                                                          "PrimaryEmail": "a@example.com"})
    assert otp["requestParameters"]["otp"] == HIDDEN
    key = record("iam", "CreateAccessKey", {}, {"AccessKey": {"AccessKeyId": "AKIA", "SecretAccessKey": "s",
                                                              "Status": "Active", "UserName": "u", "CreateDate": _NOW}})
    assert "secretAccessKey" not in key["responseElements"]["accessKey"]
