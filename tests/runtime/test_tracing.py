"""Tracing end to end: one trace from the API request through Temporal to the receiver's POST,
whose traceparent names it; nothing sent when tracing is off; the OTLP exporter really exports."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from temporalio.testing import WorkflowEnvironment

from runtime.sandbox import SANDBOX_MODES
from runtime.tracing import Tracing, build_tracing
from tests.support.receiver import Receiver
from tests.support.stack import make_settings, open_stack, status_event

CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"


async def _spans_until(
    exporter: InMemorySpanExporter,
    done: Callable[[Sequence[ReadableSpan]], bool],
    timeout: float = 30.0,
) -> Sequence[ReadableSpan]:
    deadline = time.monotonic() + timeout
    while not done(spans := exporter.get_finished_spans()):
        assert time.monotonic() < deadline, [s.name for s in spans]
        await asyncio.sleep(0.1)
    return spans


def _chain(span: ReadableSpan, spans: Sequence[ReadableSpan]) -> list[str]:
    """The names from ``span`` up to its trace's root, through the parent links."""
    by_id = {s.context.span_id: s for s in spans if s.context is not None}
    names = [span.name]
    while span.parent is not None:
        assert span.parent.trace_id == span.context.trace_id  # type: ignore[union-attr]
        span = by_id[span.parent.span_id]
        names.append(span.name)
    return names


def _subsequence(wanted: list[str], names: list[str]) -> bool:
    rest = iter(names)
    return all(name in rest for name in wanted)


@pytest.mark.parametrize("sandbox", SANDBOX_MODES)
async def test_one_trace_from_the_api_request_to_the_receivers_traceparent(
    tmp_path: Path,
    temporal_env: WorkflowEnvironment,
    temporal_address: str,
    receiver: Receiver,
    sandbox: str,
) -> None:
    exporter = InMemorySpanExporter()
    settings = make_settings(tmp_path, temporal_address, workflow_sandbox=sandbox)
    tracing = build_tracing(settings, "test", exporter)
    async with AsyncExitStack() as exits:
        stack = await open_stack(exits, settings, temporal_env.client, tracing=tracing)
        tenant = await stack.tenant()
        await stack.endpoint(tenant["id"], receiver.url)
        secret_detail = "do-not-trace-this-body"
        response = await stack.api.post(
            "/v1/events", json=status_event(tenant_id=tenant["id"], detail=secret_detail)
        )
        assert response.status_code == 202, response.text
        [callback_id] = response.json()["callback_ids"]
        [received] = await receiver.wait_for(1)

        def delivered(spans: Sequence[ReadableSpan]) -> bool:
            return any(s.name == "RunActivity:deliver" for s in spans)

        spans = await _spans_until(exporter, delivered)

    [request] = [s for s in spans if s.name == "POST /v1/events" and s.kind.name == "SERVER"]
    trace_id = request.context.trace_id
    [post] = [s for s in spans if s.name == "POST" and s.kind.name == "CLIENT"]
    assert post.context.trace_id == trace_id
    chain = _chain(post, spans)
    wanted = [
        "POST",
        "RunActivity:deliver",
        "StartActivity:deliver",
        "StartWorkflow:CallbackWorkflow",
        "POST /v1/events",
    ]
    assert _subsequence(wanted, chain), chain
    assert chain[-1] == "POST /v1/events"  # the API request is the trace's root
    # the SDK's workflow spans are zero-length siblings under StartWorkflow
    [run] = [s for s in spans if s.name == "RunWorkflow:CallbackWorkflow"]
    assert _chain(run, spans)[1:] == chain[chain.index("StartWorkflow:CallbackWorkflow") :]
    workflow_spans = [
        s for s in spans if (s.attributes or {}).get("temporalWorkflowID") == callback_id
    ]
    assert {s.context.trace_id for s in workflow_spans} == {trace_id}

    # the receiver got the POST span's W3C traceparent: version-trace id-parent id-flags
    version, sent_trace, parent, flags = received.headers["traceparent"].split("-")
    assert (version, sent_trace, parent) == (
        "00",
        f"{trace_id:032x}",
        f"{post.context.span_id:016x}",
    )
    assert int(flags, 16) & 1  # sampled
    attributes = dict(post.attributes or {})
    assert attributes["http.response.status_code"] == 200
    assert attributes["server.address"] == "127.0.0.1"
    # ids, names and status codes only: no payload, no signature, no secret on any span
    for span in spans:
        for value in (span.attributes or {}).values():
            assert secret_detail not in str(value)
            assert "whsec_" not in str(value) and "v1," not in str(value)
    assert {s.resource.attributes["service.name"] for s in spans} == {"goutong-test"}


async def test_a_callers_traceparent_is_continued(
    tmp_path: Path,
    temporal_env: WorkflowEnvironment,
    temporal_address: str,
    receiver: Receiver,
) -> None:
    exporter = InMemorySpanExporter()
    settings = make_settings(tmp_path, temporal_address)
    tracing = build_tracing(settings, "test", exporter)
    async with AsyncExitStack() as exits:
        stack = await open_stack(exits, settings, temporal_env.client, tracing=tracing)
        tenant = await stack.tenant()
        await stack.endpoint(tenant["id"], receiver.url)
        await stack.api.post(
            "/v1/events",
            json=status_event(tenant_id=tenant["id"]),
            headers={"traceparent": f"00-{CALLER_TRACE}-b7ad6b7169203331-01"},
        )
        [received] = await receiver.wait_for(1)
    assert received.headers["traceparent"].split("-")[1] == CALLER_TRACE


async def test_with_tracing_off_no_traceparent_is_sent(
    tmp_path: Path,
    temporal_env: WorkflowEnvironment,
    temporal_address: str,
    receiver: Receiver,
) -> None:
    settings = make_settings(tmp_path, temporal_address)
    assert settings.tracing_exporter == "none"
    assert not build_tracing(settings, "api").enabled
    async with AsyncExitStack() as exits:
        stack = await open_stack(exits, settings, temporal_env.client)
        tenant = await stack.tenant()
        await stack.endpoint(tenant["id"], receiver.url)
        # even when the caller sends one: off means nothing is started nor passed on
        response = await stack.api.post(
            "/v1/events",
            json=status_event(tenant_id=tenant["id"]),
            headers={"traceparent": f"00-{CALLER_TRACE}-b7ad6b7169203331-01"},
        )
        assert response.status_code == 202, response.text
        [received] = await receiver.wait_for(1)
    assert "webhook-signature" in received.headers
    assert not {"traceparent", "tracestate"} & set(received.headers)


async def test_the_otlp_exporter_posts_spans_to_the_configured_endpoint(
    tmp_path: Path, receiver: Receiver
) -> None:
    base = receiver.url.removesuffix("/hook")
    settings = make_settings(
        tmp_path,
        "127.0.0.1:1",
        tracing_exporter="otlp",
        tracing_otlp_endpoint=base,
        tracing_otlp_headers="x-scope-orgid=team-a, x-other = 1",
    )
    tracing = build_tracing(settings, "worker")
    headers: dict[str, str] = {}
    with tracing.delivery(
        "https://user:s3cr3tpass@hooks.example.com:8443/in?token=abc123xyz", headers
    ) as span:
        span.outcome(status_code=503, error="HTTP 503")
    assert headers["traceparent"].startswith("00-")
    await asyncio.to_thread(tracing.shutdown)  # flushes (a blocking POST to the receiver)
    [export] = await receiver.wait_for(1)
    assert export.path == "/v1/traces"
    assert export.headers["content-type"] == "application/x-protobuf"
    assert export.headers["x-scope-orgid"] == "team-a" and export.headers["x-other"] == "1"
    assert b"goutong-worker" in export.body and b"hooks.example.com" in export.body
    assert b"s3cr3tpass" not in export.body and b"abc123xyz" not in export.body


def test_tracing_off_is_a_no_op() -> None:
    tracing = Tracing()
    headers: dict[str, str] = {}
    with tracing.delivery("http://127.0.0.1/hook", headers) as span:
        span.outcome(status_code=200, error=None)
    assert headers == {} and tracing.temporal_interceptors() == []
    tracing.shutdown()
