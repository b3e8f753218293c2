"""Standard Webhooks signing, checked against the reference ``standardwebhooks`` library."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from core.signing import (
    SECRET_PREFIX,
    generate_secret,
    is_valid_secret,
    sign,
    signature_headers,
)

BODY = b'{"type":"message.status.delivered","data":{"message_id":"m-1"}}'


def _secret(fill: int, size: int = 32) -> str:
    return SECRET_PREFIX + base64.b64encode(bytes([fill]) * size).decode()


def test_single_signature_verifies_with_the_reference_library() -> None:
    secret = generate_secret()
    now = int(time.time())
    headers = signature_headers([secret], "cb_1", now, BODY)
    assert headers["webhook-id"] == "cb_1"
    assert headers["webhook-timestamp"] == str(now)
    assert headers["webhook-signature"] == sign(secret, "cb_1", now, BODY)
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(secret).verify(BODY, headers) == {
        "type": "message.status.delivered",
        "data": {"message_id": "m-1"},
    }


def test_sign_matches_the_reference_signer() -> None:
    secret = _secret(7)
    now = int(time.time())
    when = datetime.fromtimestamp(now, tz=UTC)
    assert sign(secret, "cb_2", now, BODY) == Webhook(secret).sign("cb_2", when, BODY.decode())


def test_rotation_gives_one_signature_per_secret_each_verifying() -> None:
    old, new = _secret(1), _secret(2)
    now = int(time.time())
    headers = signature_headers([old, new], "cb_3", now, BODY)
    signatures = headers["webhook-signature"].split(" ")
    assert len(signatures) == 2
    assert signatures[0] != signatures[1]
    assert signatures == [sign(old, "cb_3", now, BODY), sign(new, "cb_3", now, BODY)]
    Webhook(old).verify(BODY, headers)
    Webhook(new).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(_secret(3)).verify(BODY, headers)


def test_tampered_body_or_id_fails_verification() -> None:
    secret = _secret(9)
    headers = signature_headers([secret], "cb_4", int(time.time()), BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace(b"m-1", b"m-2"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, {**headers, "webhook-id": "cb_5"})


def test_generated_secrets_are_valid_and_distinct() -> None:
    first, second = generate_secret(), generate_secret()
    assert first != second
    assert is_valid_secret(first) and is_valid_secret(second)
    assert len(base64.b64decode(first.removeprefix(SECRET_PREFIX))) == 32


@pytest.mark.parametrize(
    ("secret", "valid"),
    [
        (_secret(1, 24), True),
        (_secret(1, 64), True),
        (_secret(1, 23), False),
        (_secret(1, 65), False),
        (base64.b64encode(b"x" * 32).decode(), False),  # no whsec_ prefix
        ("whsec_not*base64!", False),
        ("whsec_", False),
        ("whsec_" + base64.b64encode(b"x" * 32).decode()[:-2], False),  # broken padding
    ],
)
def test_is_valid_secret(secret: str, valid: bool) -> None:
    assert is_valid_secret(secret) is valid
