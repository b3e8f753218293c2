"""SSRF guard: which addresses a callback may be sent to, and resolving a host to checked ones.

A target may only reach public (globally routable, unicast) addresses, unless its address lies
in one of the networks an operator allowed (``GOUTONG_ALLOWED_TARGET_NETWORKS``). IPv4 addresses
embedded in IPv6 ones (IPv4-mapped, 6to4, NAT64) are judged as the IPv4 address they carry.
Every address a name resolves to must pass; the caller then connects to exactly those.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from urllib.parse import urlsplit

from core.errors import TargetNotAllowed

__all__ = [
    "LOOPBACK_NETWORKS",
    "NetGuard",
    "Network",
    "Resolver",
    "parse_networks",
    "refusal_reason",
    "system_resolver",
]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]
"""Resolves (host, port) to IP address strings; raises OSError when it cannot."""

LOOPBACK_NETWORKS = ("127.0.0.0/8", "::1/128")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_RESOLVE_TIMEOUT = 5.0


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """CIDR strings to networks (host bits allowed: ``10.1.2.3/8`` means ``10.0.0.0/8``)."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values)


def _embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _reason_of(address: Address) -> str | None:
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("not globally routable", not address.is_global),
    )
    return next((name for name, hit in checks if hit), None)


def refusal_reason(address: Address) -> str | None:
    """Why ``address`` is no public target (``"loopback"``, ``"private"``, ...); None if it is.

    An IPv6 address that carries an IPv4 one is judged as that IPv4 address."""
    inner = _embedded_ipv4(address)
    return _reason_of(inner if inner is not None else address)


async def system_resolver(host: str, port: int) -> list[str]:
    """The system resolver (getaddrinfo: also reads decimal, octal and hex IPv4 forms)."""
    loop = asyncio.get_running_loop()
    infos = await asyncio.wait_for(
        loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), _RESOLVE_TIMEOUT
    )
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class NetGuard:
    """Checks addresses against the allowed networks; resolves hosts to checked addresses."""

    def __init__(self, allowed: Sequence[str] = (), resolver: Resolver | None = None) -> None:
        self._allowed = parse_networks(allowed)
        self._resolver = resolver or system_resolver

    def _allowed_address(self, address: Address) -> bool:
        inner = _embedded_ipv4(address)
        return any(
            candidate.version == network.version and candidate in network
            for network in self._allowed
            for candidate in (address, inner)
            if candidate is not None
        )

    def check_address(self, host: str, raw: str) -> None:
        """Raises TargetNotAllowed unless ``raw`` (an address ``host`` stands for) may be used."""
        address = ipaddress.ip_address(raw.split("%", 1)[0])  # drop an IPv6 zone id
        if self._allowed_address(address):
            return
        reason = refusal_reason(address)
        if reason is not None:
            shown = host if host == raw else f"{host} ({raw})"
            raise TargetNotAllowed(
                f"target {shown} is a {reason} address; allow its network in "
                "GOUTONG_ALLOWED_TARGET_NETWORKS to deliver there",
                details={"host": host, "address": raw, "reason": reason},
            )

    async def resolve(self, host: str, port: int) -> list[str]:
        """Every address of ``host``, each checked; raises TargetNotAllowed or OSError."""
        host = host.strip("[]")
        addresses = await self._resolver(host, port)
        if not addresses:
            raise OSError(f"{host} resolves to no address")
        for raw in addresses:
            self.check_address(host, raw)
        return addresses

    async def check_url(self, url: str) -> None:
        """Configuration-time check of a target URL: refused when its host resolves to a
        refused address. A name that does not resolve now passes (it is checked at send time)."""
        parts = urlsplit(url)
        try:
            if parts.hostname:
                await self.resolve(parts.hostname, parts.port or 0)
        except (OSError, TimeoutError, UnicodeError, ValueError):
            return
