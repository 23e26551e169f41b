"""One server-side class per AWS wire protocol, all driven by botocore models.

Each protocol's module is imported with the first request in it (issue #19): a server that has answered only
query-protocol calls has not loaded the JSON, REST, EC2 and CBOR codecs, nor the CBOR library's extension (0.8 MiB
resident).
"""

from __future__ import annotations

import importlib
from functools import lru_cache

from .base import Protocol

__all__ = ["Protocol", "protocol_for", "RPC_V2_CBOR", "RPC_V2_CBOR_HEADER"]

#: Smithy RPC v2 CBOR's protocol name, and the value of its ``smithy-protocol`` header (both ways).
RPC_V2_CBOR = "smithy-rpc-v2-cbor"
RPC_V2_CBOR_HEADER = "rpc-v2-cbor"

# protocol name -> (module of this package, its Protocol class)
_CLASSES: dict[str, tuple[str, str]] = {
    "query": ("query", "QueryProtocol"),
    "ec2": ("ec2", "Ec2Protocol"),
    "json": ("json", "JsonProtocol"),
    "rest-json": ("rest_json", "RestJsonProtocol"),
    "rest-xml": ("rest_xml", "RestXmlProtocol"),
    RPC_V2_CBOR: ("rpc_v2_cbor", "RpcV2CborProtocol"),
}


@lru_cache(maxsize=None)
def protocol_for(name: str) -> Protocol:
    """The shared protocol instance for a protocol name (query, ec2, json, rest-json, rest-xml, smithy-rpc-v2-cbor)."""
    try:
        module, cls = _CLASSES[name]
    except KeyError:
        raise ValueError(f"unsupported protocol {name!r}") from None
    return getattr(importlib.import_module(f"{__name__}.{module}"), cls)()
