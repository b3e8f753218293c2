"""The signed request of one try, verified the way receivers do (the standardwebhooks library):
custom headers and receiver auth around the body, both signatures during a rotation's grace."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from standardwebhooks import Webhook

from activities.signed_requests import SignedRequests, shown_target
from core.delivery_contracts import DeliveryTarget
from core.secret_box import SecretBox, new_key
from store.endpoint_models import Endpoint

CURRENT = "whsec_" + base64.b64encode(b"c" * 32).decode()
PREVIOUS = "whsec_" + base64.b64encode(b"p" * 32).decode()


def _endpoint(box: SecretBox, *, grace: timedelta | None, fmt: str = "json") -> Endpoint:
    return Endpoint(
        id="ep_1",
        tenant_id="tnt_1",
        url="https://shop.example/cb",
        secret=box.seal(CURRENT, context="ep_1"),
        previous_secret=box.seal(PREVIOUS, context="ep_1") if grace is not None else None,
        previous_secret_expires_at=datetime.now(UTC) + grace if grace is not None else None,
        headers={"x-shop": "7"},
        payload_format=fmt,
        auth={"type": "none"},
    )


def test_both_secrets_verify_during_the_grace_period_and_only_the_new_one_after() -> None:
    box = SecretBox(new_key())
    requests = SignedRequests(box, "GouTong-Callbacks/test")
    target = DeliveryTarget(url="https://shop.example/cb")
    envelope = {"id": "evt_1", "type": "message.status.delivered", "data": {"n": 1}}
    for grace, verifying in ((timedelta(hours=1), [CURRENT, PREVIOUS]), (-timedelta(1), [])):
        endpoint = _endpoint(box, grace=grace)
        body = requests.body(endpoint, envelope)
        sent = requests.delivery(endpoint, "cb_1", body, target)
        assert sent.headers["x-shop"] == "7" and sent.headers["webhook-id"] == "cb_1"
        assert sent.headers["content-type"] == "application/json"
        signatures = sent.headers["webhook-signature"].split(" ")
        assert len(signatures) == len(verifying or [CURRENT])
        for secret in verifying or [CURRENT]:
            assert Webhook(secret).verify(sent.body, sent.headers) == envelope
    xml = _endpoint(box, grace=None, fmt="xml")
    sent = requests.delivery(xml, "cb_2", requests.body(xml, envelope), target)
    assert sent.body.startswith(b"<?xml") and sent.headers["content-type"] == "application/xml"
    stamp = datetime.fromtimestamp(int(sent.headers["webhook-timestamp"]), UTC)
    expected = Webhook(CURRENT).sign("cb_2", stamp, sent.body.decode())
    assert sent.headers["webhook-signature"] == expected  # XML is signed the same way


def test_shown_target_drops_credentials_and_names_the_stream() -> None:
    assert shown_target("https://u:pw@shop.example/cb?x=1", None) == "https://shop.example/cb?x=1"
    assert (
        shown_target("redis://:pw@127.0.0.1:6379/0", "events") == "redis://127.0.0.1:6379/0#events"
    )
