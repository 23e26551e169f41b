"""The AWS query form of JSON-modelled services that still accept it (SQS): the JSON model with the XML
naming traits of the service's former query model put back, so the generic query protocol (and botocore's
query serializer/parser in tests) handles it from the model alone."""

from __future__ import annotations

import copy
from functools import lru_cache

from botocore.model import ServiceModel

from .models import model_data

__all__ = ["LEGACY_QUERY_SERVICES", "legacy_query_model"]

# Shape traits of SQS's 2012-11-05 query model that its JSON model dropped: map/list element names.
_SQS_TRAITS: dict[str, dict] = {
    "QueueAttributeMap": {"locationName": "Attribute", "key": {"locationName": "Name"}, "value": {"locationName": "Value"}},
    "MessageSystemAttributeMap": {"locationName": "Attribute", "key": {"locationName": "Name"}, "value": {"locationName": "Value"}},
    "MessageBodyAttributeMap": {"locationName": "MessageAttribute", "key": {"locationName": "Name"}, "value": {"locationName": "Value"}},
    "MessageBodySystemAttributeMap": {"locationName": "MessageSystemAttribute", "key": {"locationName": "Name"}, "value": {"locationName": "Value"}},
    "TagMap": {"locationName": "Tag", "key": {"locationName": "Key"}, "value": {"locationName": "Value"}},
    "AWSAccountIdList": {"member": {"locationName": "AWSAccountId"}},
    "ActionNameList": {"member": {"locationName": "ActionName"}},
    "AttributeNameList": {"member": {"locationName": "AttributeName"}},
    "MessageAttributeNameList": {"member": {"locationName": "MessageAttributeName"}},
    "MessageSystemAttributeList": {"member": {"locationName": "MessageSystemAttributeName"}},
    "TagKeyList": {"member": {"locationName": "TagKey"}},
    "QueueUrlList": {"member": {"locationName": "QueueUrl"}},
    "MessageList": {"member": {"locationName": "Message"}},
    "StringList": {"member": {"locationName": "StringListValue"}},
    "BinaryList": {"member": {"locationName": "BinaryListValue"}},
    "SendMessageBatchRequestEntryList": {"member": {"locationName": "SendMessageBatchRequestEntry"}},
    "SendMessageBatchResultEntryList": {"member": {"locationName": "SendMessageBatchResultEntry"}},
    "DeleteMessageBatchRequestEntryList": {"member": {"locationName": "DeleteMessageBatchRequestEntry"}},
    "DeleteMessageBatchResultEntryList": {"member": {"locationName": "DeleteMessageBatchResultEntry"}},
    "ChangeMessageVisibilityBatchRequestEntryList": {"member": {"locationName": "ChangeMessageVisibilityBatchRequestEntry"}},
    "ChangeMessageVisibilityBatchResultEntryList": {"member": {"locationName": "ChangeMessageVisibilityBatchResultEntry"}},
    "BatchResultErrorEntryList": {"member": {"locationName": "BatchResultErrorEntry"}},
    "ListMessageMoveTasksResultEntryList": {"member": {"locationName": "ListMessageMoveTasksResultEntry"}},
}

_LEGACY: dict[str, tuple[str, dict[str, dict]]] = {
    "sqs": ("http://queue.amazonaws.com/doc/2012-11-05/", _SQS_TRAITS),
}

LEGACY_QUERY_SERVICES = frozenset(_LEGACY)


def _merge(target: dict, traits: dict) -> None:
    for key, value in traits.items():
        if isinstance(value, dict):
            _merge(target.setdefault(key, {}), value)
        else:
            target[key] = value


@lru_cache(maxsize=None)
def legacy_query_model(name: str) -> ServiceModel:
    """``name``'s model as a query-protocol model (result wrappers, XML namespace and element names restored)."""
    namespace, traits = _LEGACY[name]
    data = copy.deepcopy(model_data(name))
    data["metadata"].update(protocol="query", protocols=["query"], xmlNamespace=namespace)
    for shape_name, shape_traits in traits.items():
        _merge(data["shapes"][shape_name], shape_traits)
    for operation_name, operation in data["operations"].items():
        if "output" in operation:
            operation["output"]["resultWrapper"] = f"{operation_name}Result"
    return ServiceModel(data, service_name=name)
