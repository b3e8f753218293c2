"""What of an endpoint's configuration the delivery applies: enabled targets only, custom
headers, basic and bearer receiver auth, XML payloads (balancing, failover, Redis Streams and
mTLS: tests/activities/test_engine.py)."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from standardwebhooks import Webhook

from tests.support.receiver import Receiver
from tests.support.stack import Stack


async def test_basic_auth_headers_and_first_enabled_target(
    stack: Stack, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    await stack.endpoint(
        tenant["id"],
        None,
        targets=[
            {"url": "http://127.0.0.1:9/disabled", "enabled": False},
            {"url": receiver.url, "weight": 2},
        ],
        headers={"X-Shop": "7"},
        auth={"type": "basic", "username": "shop", "password": "pa ss:wörd"},
    )
    [callback_id] = (await stack.post_event(tenant["id"]))["callback_ids"]
    [request] = await receiver.wait_for(1)
    scheme, encoded = request.headers["authorization"].split(" ")
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == "shop:pa ss:wörd"
    assert request.headers["x-shop"] == "7"
    body = await stack.wait_status(callback_id, "delivered")
    assert body["attempt_log"][0]["target_url"] == receiver.url


async def test_bearer_auth_and_xml_payload_that_verifies(stack: Stack, receiver: Receiver) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(
        tenant["id"],
        receiver.url,
        payload_format="xml",
        auth={"type": "bearer", "token": "tok.en-123"},
    )
    await stack.post_event(tenant["id"], message_id="msg-x1", metadata={"9 odd key": "<&>"})
    [request] = await receiver.wait_for(1)
    assert request.headers["authorization"] == "Bearer tok.en-123"
    assert request.headers["content-type"] == "application/xml"
    when = datetime.fromtimestamp(int(request.headers["webhook-timestamp"]), UTC)
    expected = Webhook(endpoint["secret"]).sign(
        request.headers["webhook-id"], when, request.body.decode()
    )  # verify() insists on JSON bodies; the signature is the same either way
    assert request.headers["webhook-signature"] == expected
    root = ET.fromstring(request.body)
    assert root.tag == "callback" and root.findtext("message_id") == "msg-x1"
    assert root.findtext("data/status") == "delivered"
    [entry] = root.findall("metadata/entry")
    assert (entry.get("key"), entry.text) == ("9 odd key", "<&>")
