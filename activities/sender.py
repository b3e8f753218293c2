"""The HTTP adapter: POSTs one signed envelope and reports what the receiver said."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from core.errors import TargetNotAllowed
from core.masking import EXCERPT_MASK_MARGIN

__all__ = ["HttpSender", "SendOutcome"]


@dataclass
class SendOutcome:
    status_code: int | None
    duration_ms: int
    excerpt: str
    error: str | None
    retry_after: str | None = None
    retryable: bool = True  # False: trying again cannot help (e.g. a refused target)

    @property
    def ok(self) -> bool:
        """Delivered: a 2xx answer (HTTP), or an accepted write (a queue: no status code)."""
        return self.error is None


class HttpSender:
    """Sends over one shared, keep-alive ``httpx.AsyncClient`` (redirects are not followed)."""

    def __init__(self, client: httpx.AsyncClient, *, excerpt_bytes: int) -> None:
        self._client = client
        self._excerpt_bytes = excerpt_bytes

    async def send(
        self, *, url: str, body: bytes, headers: dict[str, str], timeout_seconds: float
    ) -> SendOutcome:
        started = time.perf_counter()
        try:
            async with self._client.stream(
                "POST", url, content=body, headers=headers, timeout=timeout_seconds
            ) as response:
                excerpt = await self._read_excerpt(response)
                return SendOutcome(
                    status_code=response.status_code,
                    duration_ms=_elapsed_ms(started),
                    excerpt=excerpt,
                    error=None if response.is_success else f"HTTP {response.status_code}",
                    retry_after=response.headers.get("retry-after"),
                )
        except TargetNotAllowed as exc:
            return SendOutcome(None, _elapsed_ms(started), "", exc.message, retryable=False)
        except httpx.TimeoutException:
            error = f"timeout after {timeout_seconds:g}s"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500] or type(exc).__name__
        return SendOutcome(None, _elapsed_ms(started), "", error)

    async def _read_excerpt(self, response: httpx.Response) -> str:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_raw():
            chunks.append(chunk)
            size += len(chunk)
            if size >= self._excerpt_bytes + EXCERPT_MASK_MARGIN:
                break
        # a little past the limit, so that masking sees whole values at the cut (Masker.excerpt)
        limit = self._excerpt_bytes + EXCERPT_MASK_MARGIN
        text = b"".join(chunks)[:limit].decode("utf-8", errors="replace")
        return text.replace("\x00", "\ufffd")  # PostgreSQL text cannot hold NUL


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
