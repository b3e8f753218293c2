"""The JSON envelope a receiver gets (Standard Webhooks style), built from a stored event."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

__all__ = ["ENVELOPE_VERSION", "build_envelope", "render_json", "render_xml"]

ENVELOPE_VERSION = "1"


def build_envelope(
    *,
    callback_id: str,
    event_id: str,
    tenant_id: str,
    event_type: str,
    message_id: str,
    occurred_at: datetime,
    data: dict[str, Any],
    metadata: dict[str, Any],
    type_version: int | None = None,
) -> dict[str, Any]:
    """``type_version`` (the catalogue version of ``event_type`` that ``data`` matched) is
    carried when known; events stored before the catalogue have none."""
    envelope: dict[str, Any] = {
        "id": callback_id,
        "type": event_type,
        "version": ENVELOPE_VERSION,
        "timestamp": occurred_at.isoformat().replace("+00:00", "Z"),
        "event_id": event_id,
        "tenant_id": tenant_id,
        "message_id": message_id,
        "data": data,
        "metadata": metadata,
    }
    if type_version is not None:
        envelope["type_version"] = type_version
    return envelope


def render_json(envelope: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON; the same envelope always renders to the same bytes."""
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,99}$")
_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: str) -> str:
    return escape(_NOT_XML_CHARS.sub("\ufffd", value))


def _xml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "".join(_xml_element(str(k), v) for k, v in value.items())
    if isinstance(value, list):
        return "".join(_xml_element("item", v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _xml_text(value)
    return _xml_text(json.dumps(value))


def _xml_element(name: str, value: Any) -> str:
    """``<name>``, or ``<entry key="name">`` for a key that is not a safe XML name."""
    tag, attrs = name, ""
    if not _XML_NAME.fullmatch(name) or name.lower().startswith("xml"):
        tag, attrs = "entry", f" key={quoteattr(_NOT_XML_CHARS.sub(chr(0xFFFD), name))}"
    if value is None:
        return f'<{tag}{attrs} null="true"/>'
    return f"<{tag}{attrs}>{_xml_value(value)}</{tag}>"


def render_xml(envelope: dict[str, Any]) -> bytes:
    """The same envelope as XML: a ``<callback>`` element whose children mirror the JSON keys."""
    return (_XML_DECLARATION + _xml_element("callback", envelope)).encode()


_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
