"""The caller's address: the direct peer, or what trusted proxies say in X-Forwarded-For."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from core.netguard import Network, parse_networks

__all__ = ["client_address", "in_networks", "parse_networks"]


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def in_networks(address: str | None, networks: Sequence[Network]) -> bool:
    parsed = _address(address) if address else None
    return parsed is not None and any(parsed in network for network in networks)


def client_address(
    peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[Network]
) -> str | None:
    """Walks X-Forwarded-For from the right while the hop that added an entry is trusted.

    Without trusted proxies the header is ignored (anyone can write it). An entry that is not an
    address stops the walk at the last good hop.
    """
    current = peer
    hops = [h for header in forwarded_for for h in header.split(",")]
    for hop in reversed(hops):
        if not in_networks(current, trusted):
            break
        parsed = _address(hop)
        if parsed is None:
            break
        current = str(parsed)
    return current
