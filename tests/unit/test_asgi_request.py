"""The pipeline's request from what the HTTP parser read (gateway/asgi.py)."""

from __future__ import annotations

from rootplane.gateway.asgi import http_request


def test_header_names_are_lower_cased_and_a_repeated_header_is_joined_in_order():
    request = http_request("POST", "/a%20b?x=1", b"x=1", [(b"Host", b"h"), (b"X-Amz-Date", b"d"), (b"x-list", b"1"),
                                                         (b"X-List", b"2")], b"body", ("10.0.0.1", 5), "https")
    assert request.headers == {"host": "h", "x-amz-date": "d", "x-list": "1,2"}
    assert (request.path, request.query_string, request.client_ip, request.scheme) == ("/a%20b", "x=1", "10.0.0.1",
                                                                                       "https")


def test_header_bytes_are_read_as_latin_1():
    assert http_request("GET", "/", b"", [(b"x-name", "caf\u00e9".encode("latin-1"))], b"", None,
                        "http").headers == {"x-name": "caf\u00e9"}
