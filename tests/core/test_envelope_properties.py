"""Property tests: any event the model accepts becomes an envelope that renders to stable JSON
and whose signature verifies with the Standard Webhooks library."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from standardwebhooks import Webhook

from core.envelope import build_envelope, render_json
from core.signing import generate_secret, signature_headers

# what ingestion lets through: valid Unicode (lone surrogates are refused with a 422)
_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]))
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=20,
)
SECRET = generate_secret()


@settings(max_examples=200, deadline=None)
@given(
    data=st.dictionaries(_text, json_values, max_size=5),
    metadata=st.dictionaries(_text, json_values, max_size=5),
    message_id=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=128),
    when=st.datetimes(timezones=st.just(UTC)),
)
def test_any_envelope_signs_and_verifies(
    data: dict, metadata: dict, message_id: str, when: datetime
) -> None:
    envelope = build_envelope(
        callback_id="cb_x_y",
        event_id="evt_x",
        tenant_id="tnt_x",
        event_type="message.behavior.click",
        message_id=message_id,
        occurred_at=when,
        data=data,
        metadata=metadata,
    )
    body = render_json(envelope)
    assert render_json(json.loads(body)) == body  # stable across retries
    headers = signature_headers([SECRET], "cb_x_y", int(time.time()), body)
    assert Webhook(SECRET).verify(body, headers) == json.loads(body)
