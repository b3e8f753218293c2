"""Fixtures of the console's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from tests.support.stack import Stack


@pytest_asyncio.fixture(loop_scope="session")
async def web(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """A cookie-keeping HTTP client without credentials of its own, like a browser without JS."""
    async with stack.with_key(None) as client:
        yield client
