"""API rate limits: a token bucket per caller, 429 with Retry-After, ingestion included."""

from __future__ import annotations

from api.ratelimit import RateLimiter, TokenBucket
from tests.support.api import app_client, expect_error, peer_client
from tests.support.console import sign_in
from tests.support.stack import ADMIN_KEY, Stack, status_event


def test_bucket_allows_a_burst_then_the_rate() -> None:
    bucket = TokenBucket(rate=2.0, burst=3.0, tokens=3.0, updated=0.0)
    assert [bucket.take(0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take(0.0) == 0.5  # one token comes every 0.5 s
    assert bucket.take(0.5) == 0.0
    assert bucket.take(0.5) > 0
    assert bucket.take(10.0) == 0.0  # refilled, but never above the burst
    assert bucket.tokens == 2.0


def test_limiter_keeps_one_bucket_per_caller_and_rounds_retry_after_up() -> None:
    limiter = RateLimiter(max_callers=2)
    assert limiter.check("a", rate=0.25, burst=1, now=0.0) == 0
    assert limiter.check("a", rate=0.25, burst=1, now=0.0) == 4
    assert limiter.check("a", rate=0.25, burst=1, now=3.5) == 1  # 0.5 s left: still 1
    assert limiter.check("b", rate=0.25, burst=1, now=0.0) == 0  # its own bucket
    assert limiter.check("c", rate=0.25, burst=1, now=0.0) == 0
    assert limiter.check("a", rate=0.25, burst=1, now=3.6) == 0  # forgotten (LRU), full again
    assert limiter.check("x", rate=0, burst=1, now=0.0) == 0  # 0 = no limit
    assert all(limiter.check("x", rate=0, burst=1, now=0.0) == 0 for _ in range(100))


async def test_over_the_limit_is_429_with_retry_after(stack: Stack) -> None:
    tenant = await stack.tenant()
    body = {"tenant_id": tenant["id"], "role": "producer"}
    producer = (await stack.api.post("/v1/api-keys", json=body)).json()["key"]
    limits = {"api_rate_limit_per_second": 0.01, "api_rate_limit_burst": 2}
    async with app_client(stack, ADMIN_KEY, **limits) as api:
        assert (await api.get("/v1/tenants")).status_code == 200
        assert (await api.get("/v1/tenants")).status_code == 200
        response = await api.get("/v1/tenants")
        error = expect_error(response, 429, "rate_limited")
        assert response.headers["Retry-After"] == "100"
        assert error["details"] == {"retry_after_seconds": 100}
        event = status_event(tenant_id=tenant["id"])
        expect_error(await api.post("/v1/events", json=event), 429, "rate_limited")

        producing = {"Authorization": f"Bearer {producer}"}  # another key: its own bucket
        for _ in range(2):
            response = await api.post("/v1/events", json=status_event(), headers=producing)
            assert response.status_code == 202, response.text
        response = await api.post("/v1/events", json=status_event(), headers=producing)
        expect_error(response, 429, "rate_limited")
        batch = {"events": [status_event()]}
        expect_error(
            await api.post("/v1/events/batch", json=batch, headers=producing), 429, "rate_limited"
        )


async def test_failed_authentications_are_limited_per_address(stack: Stack) -> None:
    limits = {"api_rate_limit_per_second": 0.01, "api_rate_limit_burst": 2}
    async with app_client(stack, "gt_guessed_key_000000", **limits) as api:
        expect_error(await api.get("/v1/tenants"), 401, "invalid_api_key")
        expect_error(
            await api.get("/v1/tenants", headers={"X-API-Key": "x"}), 401, "invalid_api_key"
        )
        response = await api.get("/v1/tenants")
        expect_error(response, 429, "rate_limited")
        assert int(response.headers["Retry-After"]) >= 1
        good = {"Authorization": f"Bearer {ADMIN_KEY}"}  # a valid key has its own bucket
        assert (await api.get("/v1/tenants", headers=good)).status_code == 200


async def test_a_key_may_carry_its_own_limit(stack: Stack) -> None:
    tenant = await stack.tenant()
    body = {
        "tenant_id": tenant["id"],
        "role": "viewer",
        "rate_limit_per_second": 1000,
        "rate_limit_burst": 50,
    }
    created = (await stack.api.post("/v1/api-keys", json=body)).json()
    assert (created["rate_limit_per_second"], created["rate_limit_burst"]) == (1000, 50)
    tight = {
        "tenant_id": tenant["id"],
        "role": "viewer",
        "rate_limit_per_second": 0.01,
        "rate_limit_burst": 1,
    }
    tight_key = (await stack.api.post("/v1/api-keys", json=tight)).json()["key"]
    limits = {"api_rate_limit_per_second": 0.01, "api_rate_limit_burst": 1}
    async with app_client(stack, created["key"], **limits) as api:
        for _ in range(20):
            assert (await api.get("/v1/endpoints")).status_code == 200
    async with app_client(stack, tight_key) as api:  # no API default here: the key's own counts
        assert (await api.get("/v1/endpoints")).status_code == 200
        expect_error(await api.get("/v1/endpoints"), 429, "rate_limited")
    bad = {"tenant_id": tenant["id"], "rate_limit_per_second": 0}
    expect_error(await stack.api.post("/v1/api-keys", json=bad), 422, "validation_error")


async def test_console_sign_in_failures_are_limited_too(stack: Stack) -> None:
    limits = {"api_rate_limit_per_second": 0.01, "api_rate_limit_burst": 2}
    async with app_client(stack, None, **limits) as browser:
        for _ in range(2):
            assert (await sign_in(browser, "gt_guessed_key_000000")).status_code == 401
        limited = await sign_in(browser, "gt_guessed_key_000000")
        assert limited.status_code == 429 and "too many failed authentications" in limited.text
        assert (await sign_in(browser, ADMIN_KEY)).status_code == 303


async def test_the_public_catalogue_is_limited_per_address(stack: Stack) -> None:
    limits = {"public_rate_limit_per_second": 0.01, "public_rate_limit_burst": 2}
    async with peer_client(stack, None, ("203.0.113.7", 1000), **limits) as anonymous:
        for _ in range(2):
            assert (await anonymous.get("/v1/catalog")).status_code == 200
        response = await anonymous.get("/v1/catalog")
        error = expect_error(response, 429, "rate_limited")
        assert response.headers["Retry-After"] == "100"
        assert error["details"] == {"retry_after_seconds": 100}
        assert "203.0.113.7" in error["message"]
        spoofed = {"X-Forwarded-For": "198.51.100.1"}  # no trusted proxies: not another bucket
        expect_error(await anonymous.get("/v1/catalog", headers=spoofed), 429, "rate_limited")
        keyed = {"Authorization": f"Bearer {ADMIN_KEY}"}  # keyed routes: the key's own limit
        assert (await anonymous.get("/v1/tenants", headers=keyed)).status_code == 200
        assert (await anonymous.get("/healthz")).status_code == 200  # probes are not limited

    proxied = {**limits, "trusted_proxies": ["10.0.0.0/8"]}
    async with peer_client(stack, None, ("10.0.0.5", 1000), **proxied) as behind_proxy:
        for caller in ("192.0.2.1", "192.0.2.2"):  # each forwarded address has its own bucket
            headers = {"X-Forwarded-For": caller}
            for _ in range(2):
                assert (await behind_proxy.get("/v1/catalog", headers=headers)).status_code == 200
            response = await behind_proxy.get("/v1/catalog", headers=headers)
            expect_error(response, 429, "rate_limited")
