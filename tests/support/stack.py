"""The whole service in one test: API (ASGI, real lifespan), an in-process worker, a store file,
all against the session's real Temporal dev server."""

from __future__ import annotations

import asyncio
import time
import uuid
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from temporalio.client import Client, WorkflowHandle

from activities.adapters import open_adapters
from api.app import create_app
from core.settings import Settings
from runtime.metrics import Metrics
from runtime.tracing import Tracing
from store.db import Database
from worker import build_worker, http_client

ADMIN_KEY = "gt_test_admin_key_0123456789"


def status_event(**overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "message.status.delivered",
        "message_id": f"msg-{uuid.uuid4().hex[:8]}",
        "channel": {"type": "sms", "provider": "aliyun", "account": "acc-1"},
        "detail": "delivered to handset",
    }
    event.update(overrides)
    return event


def fast_retry(**overrides: Any) -> dict[str, Any]:
    policy: dict[str, Any] = {
        "strategy": "exponential",
        "initial_interval_seconds": 1,
        "backoff_coefficient": 2,
        "max_interval_seconds": 4,
        "max_attempts": 3,
        "max_duration_seconds": 120,
    }
    policy.update(overrides)
    return policy


def make_settings(data_dir: Path, temporal_address: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "temporal_address": temporal_address,
        "temporal_task_queue": f"tq-{uuid.uuid4().hex[:10]}",
        "admin_api_key": ADMIN_KEY,
        # Bursts of events from one key are what most tests do; tests/api/test_ratelimit.py
        # turns the limit on where it is the subject.
        "api_rate_limit_per_second": 0,
        "public_rate_limit_per_second": 0,
        "register_search_attributes": False,
        "worker_metrics_port": 0,
        "worker_sdk_metrics_port": 0,
        # the receivers of the tests are on loopback, which production refuses by default
        "allowed_target_networks": ["127.0.0.0/8", "::1/128"],
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class Stack:
    settings: Settings
    app: FastAPI
    api: httpx.AsyncClient
    client: Client
    worker_metrics: Metrics

    def with_key(self, key: str | None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://api", headers=headers
        )

    async def tenant(self, name: str = "shop") -> dict[str, Any]:
        response = await self.api.post("/v1/tenants", json={"name": name})
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def endpoint(self, tenant_id: str, url: str | None, **fields: Any) -> dict[str, Any]:
        """Creates an endpoint; ``url=None`` when ``fields`` give ``targets``."""
        body = {"tenant_id": tenant_id, **({"url": url} if url else {}), **fields}
        response = await self.api.post("/v1/endpoints", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def post_event(self, tenant_id: str, **fields: Any) -> dict[str, Any]:
        response = await self.api.post(
            "/v1/events", json=status_event(tenant_id=tenant_id, **fields)
        )
        assert response.status_code == 202, response.text
        return dict(response.json())

    async def callback(self, callback_id: str) -> dict[str, Any]:
        response = await self.api.get(f"/v1/callbacks/{callback_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def wait_status(
        self, callback_id: str, *states: str, timeout: float = 40.0
    ) -> dict[str, Any]:
        """Polls the API until the callback's stored status is one of ``states``."""
        deadline = time.monotonic() + timeout
        while True:
            body = await self.callback(callback_id)
            if body["status"] in states:
                return body
            if time.monotonic() > deadline:
                raise AssertionError(f"{callback_id} stayed {body['status']}, wanted {states}")
            await asyncio.sleep(0.2)

    async def wait_live(self, callback_id: str, state: str, timeout: float = 40.0) -> None:
        """Waits until the workflow's status query reports ``state``."""
        from workflows.callback import CallbackWorkflow

        handle = self.handle(callback_id)
        deadline = time.monotonic() + timeout
        while True:
            status = await handle.query(CallbackWorkflow.status)
            if status.state == state:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{callback_id} is {status.state}, wanted {state}")
            await asyncio.sleep(0.2)

    def handle(self, callback_id: str) -> WorkflowHandle[Any, Any]:
        return self.client.get_workflow_handle(callback_id)


async def open_stack(
    exits: AsyncExitStack,
    settings: Settings,
    client: Client,
    *,
    worker: bool = True,
    tracing: Tracing | None = None,
) -> Stack:
    """``tracing``: the API and the worker trace to it (the worker's client then carries its
    Temporal interceptor, as ``connect`` gives it in production)."""
    if tracing is not None:
        config = client.config()
        config["interceptors"] = tracing.temporal_interceptors()
        client = Client(**config)
    app = create_app(settings, tracing)
    await exits.enter_async_context(app.router.lifespan_context(app))
    api = await exits.enter_async_context(
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://api",
            headers={"Authorization": f"Bearer {ADMIN_KEY}"},
        )
    )
    metrics = Metrics()
    if worker:
        db = Database(settings.resolved_database_url())
        exits.push_async_callback(db.dispose)
        http = await exits.enter_async_context(http_client(settings))
        adapters = await exits.enter_async_context(open_adapters(settings))
        await exits.enter_async_context(
            build_worker(client, settings, db, http, metrics, adapters, tracing)
        )
    return Stack(settings=settings, app=app, api=api, client=client, worker_metrics=metrics)
