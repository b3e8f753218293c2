"""A real HTTP receiver on 127.0.0.1 for tests: scripted answers, every request recorded."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass
class Received:
    at: float  # time.monotonic()
    path: str
    headers: dict[str, str]
    body: bytes
    peer_port: int = 0  # the client's port: equal ports mean one kept-alive connection


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    body: bytes = b"ok"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Receiver:
    """Answers with the scripted ``Answer``s in order, then with ``default``."""

    def __init__(self, tls_files: tuple[Path, Path, Path] | None = None) -> None:
        """``tls_files`` (cert, key, CA): serve HTTPS and require a client certificate."""
        self.port = free_port()
        self.requests: list[Received] = []
        self.script: deque[Answer] = deque()
        self.default = Answer()
        self.in_flight = 0  # requests being answered now, and the most at once
        self.max_in_flight = 0
        self.arrived = asyncio.Condition()
        app = Starlette(routes=[Route("/{path:path}", self._handle, methods=["POST", "GET"])])
        tls: dict[str, Any] = {}
        if tls_files is not None:
            cert, key, ca = tls_files
            tls = {"ssl_certfile": str(cert), "ssl_keyfile": str(key), "ssl_ca_certs": str(ca)}
            tls["ssl_cert_reqs"] = ssl.CERT_REQUIRED
            tls["timeout_graceful_shutdown"] = 1  # kept-alive TLS connections hold shutdown
        self.scheme = "https" if tls_files else "http"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", **tls)
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/hook"

    def answer(self, *answers: Answer) -> None:
        self.script.extend(answers)

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        self.requests.append(
            Received(
                time.monotonic(),
                request.url.path,
                dict(request.headers),
                body,
                request.client.port if request.client else 0,
            )
        )
        async with self.arrived:
            self.arrived.notify_all()
        reply = self.script.popleft() if self.script else self.default
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if reply.delay:
                await asyncio.sleep(reply.delay)
        finally:
            self.in_flight -= 1
        return Response(reply.body, status_code=reply.status, headers=reply.headers)

    async def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        async def enough() -> None:
            async with self.arrived:
                await self.arrived.wait_for(lambda: len(self.requests) >= count)

        await asyncio.wait_for(enough(), timeout)
        return self.requests

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            await asyncio.sleep(0.01)

    @classmethod
    @asynccontextmanager
    async def running(
        cls, tls_files: tuple[Path, Path, Path] | None = None
    ) -> AsyncIterator[Receiver]:
        server = cls(tls_files)
        await server.start()
        try:
            yield server
        finally:
            await server.stop()

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await self._task
