"""The XML rendering of the envelope: well-formed for any JSON data, and the same every time."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from core.envelope import render_xml

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def test_shapes() -> None:
    body = render_xml({"a": 1, "b": [True, "x<&"], "c": None, "9 x": {"xmlns": "v"}, "d": "\x01"})
    root = ET.fromstring(body)
    assert root.tag == "callback" and root.findtext("a") == "1"
    assert [i.text for i in root.findall("b/item")] == ["true", "x<&"]
    assert root.find("c") is not None and root.find("c").get("null") == "true"  # type: ignore[union-attr]
    [entry] = root.findall("entry")
    assert entry.get("key") == "9 x" and entry[0].get("key") == "xmlns"
    assert root.findtext("d") == "\ufffd"  # not representable in XML 1.0


@given(st.dictionaries(st.text(), _json, max_size=6))
def test_any_json_object_renders_to_well_formed_xml(data: dict[str, Any]) -> None:
    body = render_xml({"data": data})
    assert body == render_xml({"data": data})
    ET.fromstring(body)
