"""One server-side class per AWS wire protocol, all driven by botocore models."""

from __future__ import annotations

from functools import lru_cache

from .base import Protocol
from .json import JsonProtocol
from .query import QueryProtocol
from .rest_json import RestJsonProtocol
from .rest_xml import RestXmlProtocol
from .rpc_v2_cbor import RpcV2CborProtocol

__all__ = ["Protocol", "QueryProtocol", "JsonProtocol", "RestJsonProtocol", "RestXmlProtocol", "RpcV2CborProtocol",
           "protocol_for"]

_CLASSES: dict[str, type[Protocol]] = {
    "query": QueryProtocol,
    "json": JsonProtocol,
    "rest-json": RestJsonProtocol,
    "rest-xml": RestXmlProtocol,
    "smithy-rpc-v2-cbor": RpcV2CborProtocol,
}


@lru_cache(maxsize=None)
def protocol_for(name: str) -> Protocol:
    """The shared protocol instance for a protocol name (query, json, rest-json, rest-xml, smithy-rpc-v2-cbor)."""
    try:
        return _CLASSES[name]()
    except KeyError:
        raise ValueError(f"unsupported protocol {name!r}") from None
