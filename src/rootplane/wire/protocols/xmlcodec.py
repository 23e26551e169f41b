"""Shape-driven XML encoding (string joins) and decoding (xml.etree) shared by query and rest-xml."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree
from xml.parsers import expat
from xml.sax.saxutils import escape

from botocore.model import Shape

from .values import RESPONSE_LOCATIONS, scalar_from_text, text_from_scalar

__all__ = ["write_xml", "write_members", "URL_ENCODED_SHAPES", "xml_text", "parse_xml", "read_structure", "read_value", "XmlError", "MAX_XML_BYTES"]

MAX_XML_BYTES = 4 * 1024 * 1024
_TEXT_ENTITIES = {"\r": "&#xD;"}
_ATTR_ENTITIES = {'"': "&quot;", "\r": "&#xD;", "\n": "&#xA;", "\t": "&#x9;"}


# Shapes AWS returns URL-encoded in XML (IAM policy documents); botocore URL-decodes them.
URL_ENCODED_SHAPES = frozenset({"policyDocumentType"})


class XmlError(ValueError):
    """Malformed or unacceptable XML input."""


# Characters XML 1.0 cannot carry, not even as character references: sent as U+FFFD so every parser reads the
# document (an echoed value in an error message, say).
_NOT_XML_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_NOT_XML = re.compile(f"[{_NOT_XML_CHARS}]")
_NEEDS_ESCAPE = re.compile(f"[&<>\r{_NOT_XML_CHARS}]")


def xml_text(text: str) -> str:
    """Escape element text; most values need nothing, so check before building a new string."""
    if _NEEDS_ESCAPE.search(text) is None:
        return text
    return escape(_NOT_XML.sub("\ufffd", text), _TEXT_ENTITIES)


def _xml_attribute(text: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", text), _ATTR_ENTITIES)


def _namespace_attr(serialization: dict) -> str:
    namespace = serialization.get("xmlNamespace")
    if not namespace:
        return ""
    if isinstance(namespace, str):
        return f' xmlns="{escape(namespace, _ATTR_ENTITIES)}"'
    prefix = namespace.get("prefix")
    uri = escape(namespace.get("uri", ""), _ATTR_ENTITIES)
    return f' xmlns:{prefix}="{uri}"' if prefix else f' xmlns="{uri}"'


def write_xml(parts: list[str], shape: Shape, value: Any, tag: str, ts_default: str = "iso8601", extra_attrs: str = "") -> None:
    """Append the XML for ``value`` (of ``shape``) as element ``tag`` to ``parts``."""
    kind = shape.type_name
    if kind == "string" and shape.name not in URL_ENCODED_SHAPES and isinstance(value, str):
        parts.append(f"<{tag}{extra_attrs}>{xml_text(value)}</{tag}>")
    elif kind == "structure":
        body: list[str] = []
        attrs = write_members(body, shape, value, ts_default)
        parts.append(f"<{tag}{extra_attrs}{attrs}>")
        parts.extend(body)
        parts.append(f"</{tag}>")
    elif kind == "list":
        item_tag = shape.member.serialization.get("name", "member")
        parts.append(f"<{tag}{extra_attrs}>")
        for item in value:
            write_xml(parts, shape.member, item, item_tag, ts_default)
        parts.append(f"</{tag}>")
    elif kind == "map":
        key_tag = shape.key.serialization.get("name", "key")
        value_tag = shape.value.serialization.get("name", "value")
        parts.append(f"<{tag}{extra_attrs}>")
        for key, item in value.items():
            parts.append(f"<entry><{key_tag}>{xml_text(str(key))}</{key_tag}>")
            write_xml(parts, shape.value, item, value_tag, ts_default)
            parts.append("</entry>")
        parts.append(f"</{tag}>")
    else:
        text = text_from_scalar(shape, value, ts_default)
        if shape.name in URL_ENCODED_SHAPES:
            text = quote(text, safe="")
        parts.append(f"<{tag}{extra_attrs}>{xml_text(text)}</{tag}>")


_ELEMENT, _ATTRIBUTE, _FLAT_LIST, _FLAT_MAP, _TEXT = range(5)  # _TEXT: a string element, written in place
_Plan = tuple[tuple[str, Shape, str, int, str], ...]
# id(shape) -> (shape, plan): keeping the shape alive means its id can never be reused by another shape.
_PLANS: dict[int, tuple[Shape, _Plan]] = {}


def _plan(shape: Shape) -> _Plan:
    """How each member of a structure is written, worked out once per shape (models live for the process):
    (member name, member shape, tag or attribute name, how, namespace attribute)."""
    cached = _PLANS.get(id(shape))
    if cached is not None and cached[0] is shape:
        return cached[1]
    entries = []
    for name, member in shape.members.items():
        serialization = member.serialization
        if serialization.get("location") in RESPONSE_LOCATIONS:
            continue
        tag = serialization.get("name", name)
        if serialization.get("xmlAttribute"):
            how, namespace = _ATTRIBUTE, _namespace_attr(serialization) if ":" in tag else ""
        elif serialization.get("flattened") and member.type_name in ("list", "map"):
            how, namespace = (_FLAT_LIST if member.type_name == "list" else _FLAT_MAP), ""
        elif member.type_name == "string" and member.name not in URL_ENCODED_SHAPES:
            how, namespace = _TEXT, ""
        else:
            how = _ELEMENT
            namespace = _namespace_attr(serialization) if member.type_name == "structure" else ""
        entries.append((name, member, tag, how, namespace))
    plan = tuple(entries)
    _PLANS[id(shape)] = (shape, plan)
    return plan


def write_members(parts: list[str], shape: Shape, value: dict, ts_default: str = "iso8601") -> str:
    """Append the child elements of a structure; return its XML attributes text (xmlAttribute members)."""
    attrs = ""
    for name, member, tag, how, namespace in _plan(shape):
        item = value.get(name)
        if item is None:
            continue
        if how == _TEXT and type(item) is str:  # most members: what write_xml would write, without the call
            parts.append(f"<{tag}>{xml_text(item)}</{tag}>")
        elif how == _ELEMENT or how == _TEXT:
            write_xml(parts, member, item, tag, ts_default, namespace)
        elif how == _ATTRIBUTE:
            attrs += f'{namespace} {tag}="{_xml_attribute(text_from_scalar(member, item, ts_default))}"'
        elif how == _FLAT_LIST:
            item_tag = member.member.serialization.get("name", tag)
            for element in item:
                write_xml(parts, member.member, element, item_tag, ts_default)
        else:
            key_tag = member.key.serialization.get("name", "key")
            value_tag = member.value.serialization.get("name", "value")
            for key, element in item.items():
                parts.append(f"<{tag}><{key_tag}>{xml_text(str(key))}</{key_tag}>")
                write_xml(parts, member.value, element, value_tag, ts_default)
                parts.append(f"</{tag}>")
    return attrs


# --------------------------------------------------------------------------- decoding


def _refuse_dtd(*_args: Any) -> None:
    raise XmlError("DTDs and entity declarations are not allowed")


def _scan_for_dtd(body: bytes) -> None:
    """Run expat over a non-ASCII-compatible body (UTF-16/32) only to refuse a DTD the byte check cannot see."""
    scanner = expat.ParserCreate()
    scanner.StartDoctypeDeclHandler = _refuse_dtd
    scanner.EntityDeclHandler = _refuse_dtd
    try:
        scanner.Parse(body, True)
    except expat.ExpatError as exc:
        raise XmlError(str(exc)) from exc


def parse_xml(body: bytes) -> ElementTree.Element:
    """Parse an XML document, refusing oversized bodies and any DTD or entity declaration (nothing is ever
    expanded or fetched), whatever the document's encoding."""
    if len(body) > MAX_XML_BYTES:
        raise XmlError("XML body too large")
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise XmlError("DTDs are not allowed")
    if b"\x00" in body[:4] or body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        _scan_for_dtd(body)
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise XmlError(str(exc)) from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag[:1] == "{" else tag


def _children(node: ElementTree.Element) -> dict[str, list[ElementTree.Element]]:
    children: dict[str, list[ElementTree.Element]] = {}
    for child in node:
        children.setdefault(_local(child.tag), []).append(child)
    return children


def _member_key(member: Shape, name: str) -> str:
    if member.type_name == "list" and member.serialization.get("flattened"):
        item_name = member.member.serialization.get("name")
        if item_name:
            return item_name
    return member.serialization.get("name", name)


def _attribute(node: ElementTree.Element, attr_name: str) -> str | None:
    if ":" in attr_name:
        local = attr_name.split(":", 1)[1]
        for key, value in node.attrib.items():
            if _local(key) == local:
                return value
        return None
    return node.attrib.get(attr_name)


def read_structure(shape: Shape, node: ElementTree.Element) -> dict[str, Any]:
    """Decode a request element as a structure shape (unknown children ignored).

    Requests name flattened list elements after the member (as botocore's serializer does),
    not after the list's member shape (which is what responses use).
    """
    result: dict[str, Any] = {}
    children = _children(node)
    for name, member in shape.members.items():
        serialization = member.serialization
        if serialization.get("xmlAttribute"):
            text = _attribute(node, serialization.get("name", name))
            if text is not None:
                result[name] = scalar_from_text(member, text)
            continue
        if serialization.get("location"):
            continue
        # botocore names a member after its target shape's locationName; Smithy after the member: take either
        nodes = children.get(serialization.get("name", name)) or children.get(name)
        if not nodes:
            continue
        if serialization.get("flattened") and member.type_name == "list":
            result[name] = [read_value(member.member, item) for item in nodes]
        elif serialization.get("flattened") and member.type_name == "map":
            result[name] = _read_entries(member, nodes)
        else:
            result[name] = read_value(member, nodes[0])
    return result


def _read_entries(shape: Shape, entries: list[ElementTree.Element]) -> dict[str, Any]:
    key_tag = shape.key.serialization.get("name", "key")
    value_tag = shape.value.serialization.get("name", "value")
    result: dict[str, Any] = {}
    for entry in entries:
        key_node = value_node = None
        for child in entry:
            local = _local(child.tag)
            if local == key_tag:
                key_node = child
            elif local == value_tag:
                value_node = child
        if key_node is None:
            continue
        result[key_node.text or ""] = read_value(shape.value, value_node) if value_node is not None else None
    return result


def read_value(shape: Shape, node: ElementTree.Element) -> Any:
    """Decode an element as any shape."""
    kind = shape.type_name
    if kind == "structure":
        return read_structure(shape, node)
    if kind == "list":
        return [read_value(shape.member, child) for child in node]
    if kind == "map":
        return _read_entries(shape, [child for child in node if _local(child.tag) == "entry"])
    return scalar_from_text(shape, node.text or "")
