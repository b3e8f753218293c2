"""Send-time guard: the HTTP client connects only to the addresses the guard checked."""

from __future__ import annotations

import httpx
import pytest

from activities.adapters.guard import guarded_transport
from core.errors import TargetNotAllowed
from core.netguard import LOOPBACK_NETWORKS, NetGuard
from tests.support.receiver import Receiver

LIMITS = httpx.Limits(max_connections=4)


def client(guard: NetGuard) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=guarded_transport(guard, limits=LIMITS), trust_env=False)


async def test_refused_address_is_never_connected_to(receiver: Receiver) -> None:
    async with client(NetGuard()) as http:
        for url in (receiver.url, f"http://2130706433:{receiver.port}/hook"):
            with pytest.raises(TargetNotAllowed):
                await http.post(url, content=b"{}")
    assert receiver.requests == []


async def test_connects_to_the_checked_address_not_a_second_lookup(receiver: Receiver) -> None:
    """A name the system cannot resolve reaches the receiver through the address the guard
    resolved and checked: the connection uses that address, and no other lookup happens."""
    lookups: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    async with client(NetGuard(LOOPBACK_NETWORKS, resolver=resolver)) as http:
        response = await http.post(f"http://hooks.rebind.test:{receiver.port}/hook", content=b"x")
    assert response.status_code == 200
    assert lookups == ["hooks.rebind.test"]
    [request] = receiver.requests
    assert request.headers["host"] == f"hooks.rebind.test:{receiver.port}"


async def test_rebinding_to_a_private_address_is_refused_at_connect(receiver: Receiver) -> None:
    """A name that looked public when configured and points at loopback when sent."""
    answers = iter([["93.184.215.14"], ["127.0.0.1"]])

    async def resolver(host: str, port: int) -> list[str]:
        return next(answers)

    guard = NetGuard(resolver=resolver)
    await guard.check_url(f"http://rebind.test:{receiver.port}/hook")  # configuration time
    async with client(guard) as http:
        with pytest.raises(TargetNotAllowed, match="loopback"):
            await http.post(f"http://rebind.test:{receiver.port}/hook", content=b"x")
    assert receiver.requests == []


async def test_unresolvable_name_is_a_retryable_connect_error() -> None:
    async with client(NetGuard()) as http:
        with pytest.raises(httpx.ConnectError, match="cannot resolve"):
            await http.post("http://no-such-host.invalid/hook", content=b"x")
