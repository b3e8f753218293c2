"""Prefixed, time-sortable identifiers (``tnt_``, ``ep_``, ``evt_``, ``cb_``, ``key_``)."""

from __future__ import annotations

import os
import time

__all__ = ["callback_id", "new_id", "split_id"]

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    """A ULID-like id: 48 bits of milliseconds then 80 random bits, so ids sort by creation."""
    millis = int(time.time() * 1000) & ((1 << 48) - 1)
    rand = int.from_bytes(os.urandom(10), "big")
    return f"{prefix}_{_encode(millis, 10)}{_encode(rand, 16)}"


def split_id(value: str) -> tuple[str, str]:
    """``("evt", "01abc...")`` for ``"evt_01abc..."``."""
    prefix, _, rest = value.partition("_")
    return prefix, rest


def callback_id(event_id: str, endpoint_id: str) -> str:
    """The callback (and workflow) id of one event to one endpoint: readable and stable."""
    return f"cb_{split_id(event_id)[1]}_{split_id(endpoint_id)[1]}"
