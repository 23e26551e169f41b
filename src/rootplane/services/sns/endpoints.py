"""Where SNS may POST: never to the server itself, and only to the listed destinations when there is a list.

The server itself is any address of this machine (every loopback address, 0.0.0.0, [::1], the addresses of its
interfaces: exactly those a socket can bind to) on the server's port. ``--sns-http-allow`` (CIDR or host:port,
repeatable) narrows the destinations further; without it every other destination is allowed, so tests can deliver to
local HTTP listeners. Subscribe checks both; each delivery checks the first again, after resolving the name anew.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import urlsplit

__all__ = ["is_server_itself", "permitted"]

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _host_and_port(url: str) -> tuple[str, int] | None:
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    return (parts.hostname or "", port) if parts.hostname else None


def _addresses(host: str) -> set[_Address]:
    """Every address the name resolves to (none when it does not resolve: nothing can be delivered there)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return set()
    return {ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos}


@lru_cache(maxsize=256)
def _is_local(address: _Address) -> bool:
    """Whether the address belongs to this machine: a socket can bind to it."""
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((str(address), 0))
    except OSError:
        return False
    return True


def is_server_itself(url: str, server_port: int) -> bool:
    """Whether a POST to ``url`` would reach this server (a local address on its port)."""
    target = _host_and_port(url)
    if target is None or target[1] != server_port:
        return False
    return any(_is_local(address) for address in _addresses(target[0]))


def _matches(rule: str, host: str, port: int, addresses: set[_Address]) -> bool:
    try:
        network = ipaddress.ip_network(rule, strict=False)
    except ValueError:
        rule_host, _, rule_port = rule.rpartition(":")
        if not rule_port.isdigit() or int(rule_port) != port:
            return False
        rule_host = rule_host.strip("[]").lower()
        return rule_host == host.lower() or bool(addresses & _addresses(rule_host))
    return bool(addresses) and all(address in network for address in addresses)


def permitted(url: str, server_port: int, allowed: Sequence[str]) -> bool:
    """Whether Subscribe may accept an HTTP(S) endpoint: not the server itself, and listed when ``allowed`` is set."""
    target = _host_and_port(url)
    if target is None or is_server_itself(url, server_port):
        return False
    if not allowed:
        return True
    host, port = target
    addresses = _addresses(host)
    return any(_matches(rule, host, port, addresses) for rule in allowed)
