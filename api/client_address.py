"""The caller's address: the direct peer, or what trusted proxies say in ``X-Forwarded-For`` or
``Forwarded`` (RFC 7239), whichever one header GOUTONG_TRUSTED_PROXY_HEADER names.

Only one header is read: a proxy that appends to one of them passes the other through as the
client wrote it, so reading both would let a client choose its own address.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

from core.netguard import Network, parse_networks

__all__ = [
    "client_address",
    "forwarded_hops",
    "in_networks",
    "parse_networks",
    "walk_hops",
    "x_forwarded_for_hops",
]

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# "192.0.2.1:8080" (some proxies add the port) and "[2001:db8::1]:8080" / "[2001:db8::1]"
_V4_PORT = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$")
_V6_BRACKETS = re.compile(r"^\[([^\]]+)\](?::\d{1,5})?$")


def _address(text: str) -> _Address | None:
    text = text.strip()
    match = _V4_PORT.match(text) or _V6_BRACKETS.match(text)
    if match:
        text = match.group(1)
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # "::ffff:10.0.0.1" from a dual-stack socket is 10.0.0.1
    return address


def in_networks(address: str | None, networks: Sequence[Network]) -> bool:
    parsed = _address(address) if address else None
    return parsed is not None and any(parsed in network for network in networks)


def x_forwarded_for_hops(values: Sequence[str]) -> list[str | None]:
    """Every hop of the ``X-Forwarded-For`` headers, left to right (None: not an address)."""
    return [_text(_address(hop)) for value in values for hop in value.split(",")]


def _split_outside_quotes(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == sep and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def forwarded_hops(values: Sequence[str]) -> list[str | None]:
    """The ``for=`` of every element of the ``Forwarded`` headers, left to right (None: an
    element without one, ``unknown``, an obfuscated identifier or anything not an address)."""
    hops: list[str | None] = []
    for value in values:
        for element in _split_outside_quotes(value, ","):
            found: str | None = None
            for pair in _split_outside_quotes(element, ";"):
                name, sep, raw = pair.partition("=")
                if sep and name.strip().lower() == "for":
                    found = _text(_address(_unquote(raw)))
            hops.append(found)
    return hops


def walk_hops(
    peer: str | None, hops: Sequence[str | None], trusted: Sequence[Network]
) -> str | None:
    """Walks the hops from the right while the hop that added an entry is a trusted proxy: the
    right-most address not itself a trusted proxy (or the last good one: an entry that is not
    an address stops the walk)."""
    current = peer
    for hop in reversed(hops):
        if not in_networks(current, trusted) or hop is None:
            break
        current = hop
    return current


def client_address(
    peer: str | None,
    headers: Sequence[str],
    trusted: Sequence[Network],
    *,
    header: str = "x-forwarded-for",
) -> str | None:
    """The caller's address from the peer and the values of ``header`` (``x-forwarded-for``
    or ``forwarded``). Without trusted proxies the header is ignored (anyone can write it)."""
    if not trusted or not headers:
        return peer
    hops = forwarded_hops(headers) if header == "forwarded" else x_forwarded_for_hops(headers)
    return walk_hops(peer, hops, trusted)


def _text(address: _Address | None) -> str | None:
    return None if address is None else str(address)
