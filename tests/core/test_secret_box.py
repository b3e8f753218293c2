"""Secrets at rest: AES-GCM sealing bound to the endpoint id."""

from __future__ import annotations

import pytest

from core.secret_box import SEALED_PREFIX, SecretBox, SecretBoxError, new_key


def test_seal_and_open_round_trip_with_fresh_nonces() -> None:
    box = SecretBox(new_key())
    one, two = box.seal("whsec_abc", context="ep_1"), box.seal("whsec_abc", context="ep_1")
    assert one.startswith(SEALED_PREFIX) and one != two
    assert box.open(one, context="ep_1") == box.open(two, context="ep_1") == "whsec_abc"


def test_a_sealed_secret_opens_only_for_its_endpoint_and_key() -> None:
    box = SecretBox(new_key())
    sealed = box.seal("whsec_abc", context="ep_1")
    with pytest.raises(SecretBoxError):
        box.open(sealed, context="ep_2")
    with pytest.raises(SecretBoxError):
        SecretBox(new_key()).open(sealed, context="ep_1")
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(SecretBoxError):
        box.open(tampered, context="ep_1")


def test_plain_secrets_from_before_encryption_still_open() -> None:
    assert SecretBox(new_key()).open("whsec_legacy", context="ep_1") == "whsec_legacy"


def test_keys_must_be_32_bytes() -> None:
    with pytest.raises(ValueError):
        SecretBox("c2hvcnQ=")
