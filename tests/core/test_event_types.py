"""Event type schemas: what counts as a usable schema, where data first fails one, and the
built-in schemas accepting every event the event model accepts."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from core.builtin_event_types import BUILTIN_EVENT_TYPES
from core.errors import InvalidInput
from core.event_types import check_schema, first_problem, json_pointer
from core.events import BUILTIN_TYPES, EventIn, StatusEvent
from core.linkage import OPERATIONAL_TYPES

EVENTS: TypeAdapter[Any] = TypeAdapter(EventIn)
VALIDATORS = {b.name: check_schema(b.schema) for b in BUILTIN_EVENT_TYPES}


def test_every_builtin_type_has_one_schema() -> None:
    assert {b.name for b in BUILTIN_EVENT_TYPES} == BUILTIN_TYPES | set(OPERATIONAL_TYPES)
    assert all(b.version == 1 and b.description for b in BUILTIN_EVENT_TYPES)


def test_json_pointer_escapes() -> None:
    assert json_pointer([]) == ""
    assert json_pointer(["a/b", 0, "c~d"]) == "/a~1b/0/c~0d"


def test_first_problem_names_the_place() -> None:
    validator = check_schema(
        {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "integer"}}}}
    )
    assert first_problem(validator, {"items": [1, 2]}) is None
    problem = first_problem(validator, {"items": [1, "two"]})
    assert problem is not None and problem.pointer == "/items/1"
    assert "integer" in problem.message
    big = first_problem(check_schema({"maximum": 5}), 2**80)  # past 64 bits: still an answer
    assert big is not None and big.pointer == ""


@pytest.mark.parametrize(
    "schema",
    [
        True,
        {"type": 5},
        {"$schema": "http://json-schema.org/draft-04/schema#"},
        {"$ref": "https://example.com/schema.json"},
        {"pattern": "(?<=a)b"},
        {"minLength": "3"},
        {"properties": {"x": {"$ref": "#/$defs/nowhere"}}},
    ],
)
def test_unusable_schemas_are_refused(schema: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_schema(schema)
    assert refused.value.code == "event_schema_invalid"
    assert refused.value.details[0]["msg"]


def test_remote_references_are_never_fetched() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_schema({"$ref": "http://127.0.0.1:9/schema.json"})
    assert "Retrieval is disabled" in refused.value.message


def test_formats_are_asserted() -> None:
    validator = check_schema({"properties": {"at": {"format": "date-time"}}})
    assert first_problem(validator, {"at": "2026-11-28T10:00:00Z"}) is None
    assert first_problem(validator, {"at": "yesterday"}) is not None


_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30)
_maybe_text = st.none() | _text
_open = st.dictionaries(st.sampled_from(["extra", "brand", "note"]), _text, max_size=2)
_channel = st.builds(
    lambda t, p, a, more: {"type": t, "provider": p, "account": a, **more},
    _text,
    _maybe_text,
    _maybe_text,
    _open,
)
_zones = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-14))])
_when = st.datetimes(timezones=_zones).map(lambda d: d.isoformat())
_message_id = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=130)
_status: dict[str, Any] = {
    "recipient": _maybe_text,
    "detail": _maybe_text,
    "error": st.none() | st.fixed_dictionaries({"code": _text}, optional={"description": _text}),
    "status_times": st.dictionaries(st.sampled_from(["sent", "delivered", "x" * 60]), _when),
}
_behavior: dict[str, Any] = {
    "recipient": _maybe_text,
    "channel": st.none() | _channel,
    "detail": st.dictionaries(_text, _text, max_size=3),
    "device": st.none() | st.fixed_dictionaries({}, optional={"os": _text, "model": _text}),
    "location": st.none()
    | st.fixed_dictionaries(
        {},
        optional={
            "latitude": st.floats(-95, 95, allow_nan=False),
            "longitude": st.floats(-185, 185, allow_nan=False),
            "city": _text,
        },
    ),
}


_events = st.one_of(
    *(
        st.tuples(
            st.just(name),
            st.fixed_dictionaries(
                {"message_id": _message_id, "channel": _channel}, optional=_status
            ),
        )
        for name in sorted(BUILTIN_TYPES)
        if name.startswith("message.status.")
    ),
    *(
        st.tuples(
            st.just(name), st.fixed_dictionaries({"message_id": _message_id}, optional=_behavior)
        )
        for name in sorted(BUILTIN_TYPES)
        if name.startswith("message.behavior.")
    ),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(event=_events)
def test_every_builtin_event_the_model_accepts_passes_its_schema(
    event: tuple[str, dict[str, Any]],
) -> None:
    kind, fields = event
    try:
        model = EVENTS.validate_python({"type": kind, **fields})
    except ValidationError:
        assume(False)
        return
    data = model.envelope_data()
    assert first_problem(VALIDATORS[kind], data) is None, (kind, data)
    if isinstance(model, StatusEvent):
        assert first_problem(VALIDATORS[kind], {**data, "channel": None}) is not None
