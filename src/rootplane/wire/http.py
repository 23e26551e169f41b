"""Plain HTTP request/response objects: what the ASGI adapter hands to the pipeline and gets back."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import unquote

__all__ = ["HttpRequest", "HttpResponse", "parse_form"]


def _form_text(text: str) -> str:
    if "+" in text:
        text = text.replace("+", " ")
    return unquote(text) if "%" in text else text


def parse_form(text: str) -> list[tuple[str, str]]:
    """``urllib.parse.parse_qsl(text, keep_blank_values=True)``: the same (name, value) pairs, in order, for a
    query string or form body, without its per-field generic-argument handling (issue #19: every query-protocol
    request decodes its query and its body)."""
    pairs = []
    for item in text.split("&"):
        if item:
            name, _, value = item.partition("=")
            pairs.append((_form_text(name), _form_text(value)))
    return pairs


@dataclass
class HttpRequest:
    """An HTTP request as received.

    ``path`` is the raw (still percent-encoded) path; ``query_string`` the raw query string;
    ``headers`` maps lower-cased names to values (repeated headers joined with ``,``).
    """

    method: str
    path: str
    query_string: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    client_ip: str = "127.0.0.1"
    scheme: str = "http"

    @property
    def host(self) -> str:
        return self.headers.get("host", "")

    @cached_property
    def query_params(self) -> list[tuple[str, str]]:
        """Decoded query parameters in order (blank values kept)."""
        return parse_form(self.query_string)

    @cached_property
    def query(self) -> dict[str, str]:
        """Decoded query parameters, first value wins."""
        result: dict[str, str] = {}
        for key, value in self.query_params:
            result.setdefault(key, value)
        return result

    @cached_property
    def decoded_path(self) -> str:
        return unquote(self.path)

    def header(self, name: str, default: str | None = None) -> str | None:
        """Header value by case-insensitive name."""
        return self.headers.get(name.lower(), default)


@dataclass
class HttpResponse:
    """An HTTP response to send: status, header list (order kept, repeats allowed) and body bytes."""

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def set_header(self, name: str, value: str) -> None:
        lowered = name.lower()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != lowered]
        self.headers.append((name, value))

    def get_header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None
