"""The caller's address behind (trusted) proxies."""

from __future__ import annotations

import pytest

from api.client_address import client_address, in_networks, parse_networks

PROXIES = parse_networks(["10.0.0.0/8", "2001:db8::/32"])


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_address("203.0.113.5", ["198.51.100.1"], []) == "203.0.113.5"


def test_an_untrusted_peer_cannot_claim_another_address() -> None:
    assert client_address("203.0.113.5", ["198.51.100.1"], PROXIES) == "203.0.113.5"


def test_trusted_hops_are_walked_from_the_right() -> None:
    assert client_address("10.0.0.2", ["198.51.100.1"], PROXIES) == "198.51.100.1"
    chain = ["1.1.1.1, 198.51.100.1", "10.0.0.9"]  # two headers; 1.1.1.1 was written by 198...
    assert client_address("10.0.0.2", chain, PROXIES) == "198.51.100.1"
    assert client_address("10.0.0.2", ["10.0.0.3, 10.0.0.4"], PROXIES) == "10.0.0.3"
    assert client_address("2001:db8::1", [" 2001:db8::2 ,192.0.2.1"], PROXIES) == "192.0.2.1"


def test_garbage_stops_at_the_last_good_hop() -> None:
    assert client_address("10.0.0.2", ["evil, not-an-ip"], PROXIES) == "10.0.0.2"
    assert client_address("10.0.0.2", ["not-an-ip, 10.0.0.7"], PROXIES) == "10.0.0.7"
    assert client_address(None, ["192.0.2.1"], PROXIES) is None


def test_membership() -> None:
    nets = parse_networks(["192.0.2.7", "10.0.0.0/8"])
    assert in_networks("192.0.2.7", nets) and in_networks("10.255.0.1", nets)
    assert not in_networks("192.0.2.8", nets)
    assert not in_networks(None, nets) and not in_networks("garbage", nets)


def test_ports_and_ipv4_mapped_addresses() -> None:
    assert client_address("10.0.0.2", ["192.0.2.1:8443"], PROXIES) == "192.0.2.1"
    assert client_address("10.0.0.2", ["[2001:db9::5]:80"], PROXIES) == "2001:db9::5"
    assert client_address("::ffff:10.0.0.2", ["192.0.2.1"], PROXIES) == "192.0.2.1"
    assert in_networks("::ffff:10.1.2.3", PROXIES)


def test_forwarded_header_rfc_7239() -> None:
    def forwarded(peer: str, *values: str) -> str | None:
        return client_address(peer, values, PROXIES, header="forwarded")

    assert forwarded("10.0.0.2", "for=192.0.2.60;proto=http;by=203.0.113.43") == "192.0.2.60"
    assert forwarded("10.0.0.2", 'For="[2001:db9:cafe::17]:4711"') == "2001:db9:cafe::17"
    two = 'for=198.51.100.7, for="10.0.0.9:80";proto=https'  # 10.0.0.9 is a trusted hop
    assert forwarded("10.0.0.2", two) == "198.51.100.7"
    assert forwarded("10.0.0.2", "for=1.1.1.1", "for=198.51.100.7") == "198.51.100.7"
    assert forwarded("203.0.113.5", "for=192.0.2.60") == "203.0.113.5"  # untrusted peer
    assert client_address("10.0.0.2", ["for=192.0.2.60"], [], header="forwarded") == "10.0.0.2"
    # an X-Forwarded-For is not read when Forwarded is the header, nor the other way round
    assert client_address("10.0.0.2", ["192.0.2.1"], PROXIES, header="forwarded") == "10.0.0.2"


@pytest.mark.parametrize(
    "value",
    [
        "for=unknown",
        "for=_hidden",
        "proto=https",
        "for=",
        'for="[2001:db8::1',
        'for="192.0.2.1, for=192.0.2.2',
        ";;;,,,==",
        "for=999.1.1.1",
        "\x00\xff",
    ],
)
def test_malformed_forwarded_falls_back_to_the_peer(value: str) -> None:
    assert client_address("10.0.0.2", [value], PROXIES, header="forwarded") == "10.0.0.2"
    chained = f"for=192.0.2.1, {value}"  # stops at the bad hop: never reads past it
    assert client_address("10.0.0.2", [chained], PROXIES, header="forwarded") == "10.0.0.2"
