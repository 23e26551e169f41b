"""MD5OfMessageAttributes: AWS's algorithm, pinned by digests real SQS returned (recorded in moto's suite)."""

from __future__ import annotations

import base64

from rootplane.services.sqs.digest import md5_of_attributes, md5_of_body


def _number(value: str) -> dict:
    return {"DataType": "Number", "StringValue": value}


def test_single_attribute_digests_match_aws() -> None:
    assert md5_of_attributes({"timestamp": _number("1493147359900")}) == "235c5c510d26fb653d073faed50ae77c"
    assert md5_of_attributes({"timestamp": _number("1493147359901")}) == "994258b45346a2cc3f9cbb611aa7af30"
    assert md5_of_attributes({"SOME_Valid.attribute-Name": _number("1493147359900")}) == "36655e7e9d7c0e8479fa3f3f42247ae7"


def test_order_of_names_does_not_matter_and_binary_differs_from_string() -> None:
    one = {"b": _number("1"), "a": {"DataType": "String", "StringValue": "x"}}
    two = {"a": {"DataType": "String", "StringValue": "x"}, "b": _number("1")}
    assert md5_of_attributes(one) == md5_of_attributes(two)
    binary = {"a": {"DataType": "Binary", "BinaryValue": base64.b64encode(b"x").decode()}}
    string = {"a": {"DataType": "Binary", "StringValue": "x"}}
    assert md5_of_attributes(binary) != md5_of_attributes(string)


def test_empty_attributes_have_no_digest_and_body_digest_is_md5() -> None:
    assert md5_of_attributes({}) is None
    assert md5_of_body("derp") == "58fd9edd83341c29f1aebba81c31e257"
