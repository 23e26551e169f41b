"""SQS's legacy query form, round-tripped with botocore's own query serializer and parser on the SQS model
switched back to protocol "query", plus the XML forms AWS documents for the legacy responses."""

from __future__ import annotations

import copy
from xml.etree import ElementTree

import pytest
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from rootplane.wire import detect, protocol_for
from rootplane.wire.http import HttpRequest
from rootplane.wire.legacy_query import legacy_query_model
from wire_examples import example, normalize, to_botocore_response, to_http_request

MODEL = legacy_query_model("sqs")
NS = "{http://queue.amazonaws.com/doc/2012-11-05/}"
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/000000000000/q1"


@pytest.mark.parametrize("name", MODEL.operation_names)
def test_legacy_input_round_trip(name: str) -> None:
    operation = MODEL.operation_model(name)
    params = (example(operation.input_shape) if operation.input_shape is not None else {}) or {}
    request_dict = create_serializer("query", include_validation=False).serialize_to_request(copy.deepcopy(params), operation)
    request = to_http_request(request_dict, host="sqs.us-east-1.amazonaws.com", signing_name="sqs")
    route = detect(request)
    assert (route.service, route.protocol, route.operation.name) == ("sqs", "query", name)
    parsed = protocol_for("query").parse(route.operation, request, route.path_params)
    assert normalize(operation.input_shape, parsed) == normalize(operation.input_shape, params)


@pytest.mark.parametrize("name", MODEL.operation_names)
def test_legacy_output_round_trip(name: str) -> None:
    operation = MODEL.operation_model(name)
    shape = operation.output_shape
    output = (example(shape) if shape is not None else {}) or {}
    response = protocol_for("query").serialize(operation, copy.deepcopy(output), "req-1")
    parsed = create_parser("query").parse(to_botocore_response(response), shape)
    assert parsed.pop("ResponseMetadata")["RequestId"] == "req-1"
    assert normalize(shape, parsed) == normalize(shape, output)


def _serialize(name: str, output: dict) -> ElementTree.Element:
    response = protocol_for("query").serialize(MODEL.operation_model(name), output, "req-1")
    root = ElementTree.fromstring(response.body)
    assert root.tag == f"{NS}{name}Response"
    return root.find(f"{NS}{name}Result")


def _pairs(elements: list[ElementTree.Element], key: str = "Name", value: str = "Value") -> dict[str, str]:
    return {e.findtext(f"{NS}{key}"): e.findtext(f"{NS}{value}") for e in elements}


def test_get_queue_attributes_uses_attribute_name_value_elements() -> None:
    result = _serialize("GetQueueAttributes", {"Attributes": {"VisibilityTimeout": "30", "DelaySeconds": "0"}})
    assert [child.tag for child in result] == [f"{NS}Attribute", f"{NS}Attribute"]
    assert _pairs(result.findall(f"{NS}Attribute")) == {"VisibilityTimeout": "30", "DelaySeconds": "0"}


def test_receive_message_uses_message_attribute_and_message_attribute_elements() -> None:
    message = {
        "MessageId": "m-1",
        "ReceiptHandle": "rh",
        "MD5OfBody": "abc",
        "Body": "hello",
        "Attributes": {"SenderId": "000000000000", "ApproximateReceiveCount": "1"},
        "MessageAttributes": {"colour": {"StringValue": "blue", "DataType": "String"}},
    }
    result = _serialize("ReceiveMessage", {"Messages": [message]})
    (element,) = result.findall(f"{NS}Message")
    assert element.findtext(f"{NS}Body") == "hello"
    assert _pairs(element.findall(f"{NS}Attribute")) == {"SenderId": "000000000000", "ApproximateReceiveCount": "1"}
    (attribute,) = element.findall(f"{NS}MessageAttribute")
    assert attribute.findtext(f"{NS}Name") == "colour"
    assert attribute.findtext(f"{NS}Value/{NS}StringValue") == "blue"
    assert attribute.findtext(f"{NS}Value/{NS}DataType") == "String"


def test_list_queues_and_tags_and_batches_use_documented_element_names() -> None:
    result = _serialize("ListQueues", {"QueueUrls": [QUEUE_URL, QUEUE_URL + "2"]})
    assert [e.text for e in result.findall(f"{NS}QueueUrl")] == [QUEUE_URL, QUEUE_URL + "2"]
    result = _serialize("ListQueueTags", {"Tags": {"team": "core"}})
    assert _pairs(result.findall(f"{NS}Tag"), "Key") == {"team": "core"}
    result = _serialize("SendMessageBatch", {
        "Successful": [{"Id": "a", "MessageId": "m", "MD5OfMessageBody": "x"}],
        "Failed": [{"Id": "b", "SenderFault": True, "Code": "InvalidParameterValue"}],
    })
    assert result.find(f"{NS}SendMessageBatchResultEntry/{NS}Id").text == "a"
    assert result.find(f"{NS}BatchResultErrorEntry/{NS}SenderFault").text == "true"


def test_documented_legacy_request_forms_parse() -> None:
    body = (
        "Action=SendMessage&QueueUrl=" + QUEUE_URL + "&MessageBody=hi"
        "&MessageAttribute.1.Name=colour&MessageAttribute.1.Value.StringValue=blue&MessageAttribute.1.Value.DataType=String"
    )
    parsed = _parse(body)
    assert parsed["MessageAttributes"] == {"colour": {"StringValue": "blue", "DataType": "String"}}
    parsed = _parse("Action=CreateQueue&QueueName=q1&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5&Tag.1.Key=team&Tag.1.Value=core")
    assert parsed == {"QueueName": "q1", "Attributes": {"DelaySeconds": "5"}, "tags": {"team": "core"}}
    parsed = _parse("Action=GetQueueAttributes&QueueUrl=" + QUEUE_URL + "&AttributeName.1=All")
    assert parsed["AttributeNames"] == ["All"]


def _parse(body: str) -> dict:
    request = HttpRequest("POST", "/", "", {
        "host": "sqs.us-east-1.amazonaws.com",
        "content-type": "application/x-www-form-urlencoded",
        "authorization": "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x",
    }, body.encode())
    route = detect(request)
    return protocol_for("query").parse(route.operation, request, route.path_params)
