"""Which management events a trail's event selectors let it deliver (services/cloudtrail/selectors.py ``selects``;
CloudTrail User Guide, "Logging management events": ReadWriteType, ExcludeManagementEventSources, advanced event
selectors on eventCategory, readOnly and eventSource)."""

from __future__ import annotations

import pytest

from rootplane.services.cloudtrail.selectors import DEFAULT, checked, selects

_READ = {"eventSource": "iam.amazonaws.com", "eventName": "GetUser", "readOnly": True, "eventCategory": "Management"}
_WRITE = {"eventSource": "iam.amazonaws.com", "eventName": "CreateUser", "readOnly": False,
          "eventCategory": "Management", "resources": [{"type": "AWS::IAM::User", "ARN": "arn:aws:iam::1:user/a"}]}
_KMS = {"eventSource": "kms.amazonaws.com", "eventName": "Decrypt", "readOnly": True, "eventCategory": "Management"}


def _basic(**selector) -> dict:
    return checked({"EventSelectors": [selector]})


def _advanced(*conditions: dict) -> dict:
    return checked({"AdvancedEventSelectors": [{"FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Management"]}, *conditions]}]})


@pytest.mark.parametrize("selectors, delivered", [
    (DEFAULT, [_READ, _WRITE, _KMS]),
    (_basic(ReadWriteType="WriteOnly"), [_WRITE]),
    (_basic(ReadWriteType="ReadOnly"), [_READ, _KMS]),
    (_basic(ExcludeManagementEventSources=["kms.amazonaws.com"]), [_READ, _WRITE]),
    (_basic(IncludeManagementEvents=False), []),
    (_advanced(), [_READ, _WRITE, _KMS]),
    (_advanced({"Field": "readOnly", "Equals": ["false"]}), [_WRITE]),
    (_advanced({"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]}), [_READ, _WRITE]),
    (_advanced({"Field": "eventName", "StartsWith": ["Get", "List"]}), [_READ]),
    (_advanced({"Field": "resources.type", "Equals": ["AWS::IAM::User"]}), [_WRITE]),
    (_advanced({"Field": "eventName", "NotEndsWith": ["User"]}), [_KMS]),
    (checked({"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}]}]}), []),
])
def test_a_trail_delivers_the_management_events_its_selectors_select(selectors, delivered):
    assert [record for record in (_READ, _WRITE, _KMS) if selects(selectors, record)] == delivered


def test_any_of_several_selectors_may_select_an_event():
    either = checked({"EventSelectors": [{"ReadWriteType": "ReadOnly", "ExcludeManagementEventSources":
                                          ["kms.amazonaws.com"]}, {"ReadWriteType": "WriteOnly"}]})
    assert [selects(either, record) for record in (_READ, _WRITE, _KMS)] == [True, True, False]
