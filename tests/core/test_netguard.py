"""The SSRF guard's rules: which addresses are refused, what an allowed network lets through,
and that names are judged by every address they resolve to."""

from __future__ import annotations

import ipaddress

import pytest

from core.errors import TargetNotAllowed
from core.netguard import LOOPBACK_NETWORKS, NetGuard, refusal_reason
from core.settings import Settings

REFUSED = {
    "10.1.2.3": "private",
    "172.16.0.1": "private",
    "192.168.1.1": "private",
    "127.0.0.1": "loopback",
    "127.255.0.9": "loopback",
    "169.254.169.254": "link-local",
    "0.0.0.0": "unspecified",
    "224.0.0.1": "multicast",
    "239.255.255.250": "multicast",
    "240.0.0.1": "private",
    "255.255.255.255": "private",
    "100.64.0.1": "not globally routable",
    "::1": "loopback",
    "::": "unspecified",
    "fe80::1": "link-local",
    "fc00::1": "private",
    "ff02::1": "multicast",
    "2001:db8::1": "private",
    "::ffff:127.0.0.1": "loopback",  # IPv4-mapped
    "::ffff:10.0.0.1": "private",
    "::ffff:169.254.169.254": "link-local",
    "2002:a00:1::": "private",  # 6to4 around 10.0.0.1
    "64:ff9b::a9fe:a9fe": "link-local",  # NAT64 around 169.254.169.254
}
PUBLIC = ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]


@pytest.mark.parametrize(("address", "reason"), sorted(REFUSED.items()))
def test_non_public_addresses_are_refused(address: str, reason: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) == reason
    with pytest.raises(TargetNotAllowed) as caught:
        NetGuard().check_address("host", address)
    assert caught.value.code == "target_not_allowed"
    assert caught.value.details["reason"] == reason


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) is None
    NetGuard().check_address("host", address)


def test_allowed_networks_let_their_addresses_through_and_nothing_else() -> None:
    guard = NetGuard(["10.20.0.0/16", *LOOPBACK_NETWORKS])
    for address in ("10.20.3.4", "127.0.0.1", "::1", "::ffff:127.0.0.1", "::ffff:10.20.0.1"):
        guard.check_address("host", address)
    for address in ("10.21.0.1", "192.168.0.1", "169.254.169.254", "fe80::1"):
        with pytest.raises(TargetNotAllowed):
            guard.check_address("host", address)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "2130706433", "0x7f.1", "0177.0.0.1"])
async def test_names_and_numeric_forms_resolve_to_loopback_and_are_refused(host: str) -> None:
    """The real resolver reads decimal, hex and octal IPv4 forms like any client would."""
    with pytest.raises(TargetNotAllowed) as caught:
        await NetGuard().resolve(host, 80)
    assert caught.value.details["reason"] == "loopback"
    assert await NetGuard(LOOPBACK_NETWORKS).resolve(host, 80) == ["127.0.0.1"]


async def test_bracketed_ipv6_and_ipv4_mapped_literals_are_refused() -> None:
    for host in ("[::1]", "::ffff:7f00:1", "[::ffff:10.0.0.1]"):
        with pytest.raises(TargetNotAllowed):
            await NetGuard().resolve(host, 80)


async def test_a_name_is_refused_when_any_of_its_addresses_is() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return {"mixed.test": ["8.8.8.8", "10.0.0.7"], "meta.test": ["169.254.169.254"]}[host]

    guard = NetGuard(resolver=resolver)
    with pytest.raises(TargetNotAllowed, match=r"mixed\.test \(10\.0\.0\.7\) is a private"):
        await guard.resolve("mixed.test", 443)
    with pytest.raises(TargetNotAllowed, match="link-local"):
        await guard.check_url("https://meta.test/latest/meta-data")


async def test_check_url_refuses_literals_and_lets_unresolvable_names_pass() -> None:
    guard = NetGuard()
    for url in ("http://10.0.0.1/x", "http://[::1]:8000/x", "http://169.254.169.254/"):
        with pytest.raises(TargetNotAllowed):
            await guard.check_url(url)
    await guard.check_url("https://no-such-host.invalid/hook")  # checked again at send time
    await guard.check_url("https://8.8.8.8/hook")


def test_setting_reads_comma_and_json_lists_and_refuses_bad_networks() -> None:
    def load(value: object) -> list[str]:
        return Settings(_env_file=None, allowed_target_networks=value).allowed_target_networks  # type: ignore[call-arg,arg-type]

    assert load("127.0.0.0/8, ::1") == ["127.0.0.0/8", "::1"]
    assert load('["10.0.0.0/8"]') == ["10.0.0.0/8"]
    assert load("") == []
    assert Settings(_env_file=None).allowed_target_networks == []  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="does not appear"):
        load("10.0.0.0/33")
