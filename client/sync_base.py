"""``_Resource``, the base of the blocking resource classes (its own module: no import cycle)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from client.sync import GouTongClient


class _Resource:
    def __init__(self, client: GouTongClient) -> None:
        self._client = client
        self._send = client.send
