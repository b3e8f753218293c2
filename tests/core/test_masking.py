"""Each masking rule, its switch, and extra patterns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.masking import EXCERPT_MASK_MARGIN, MASK, Masker, MaskRules, rules_from_settings
from tests.support.stack import make_settings

ALL = Masker()


def test_signing_secrets_api_keys_and_jwts() -> None:
    text = "secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw key gt_abcdefghijklmnop"
    masked = ALL.text(text)
    assert "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" not in masked and "ijklmnop" not in masked
    assert masked.count(MASK) == 2
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJlLXZhbHVl"
    assert "eyJzdWIiOiJhYmMifQ" not in ALL.text(f"token={jwt}")


def test_authorization_and_cookie_headers() -> None:
    cases = {
        "Authorization: Bearer abc.def.ghi": "Authorization: " + MASK,
        "authorization: Basic dXNlcjpwYXNzd29yZA==": "authorization: " + MASK,
        "Cookie: session=s3cr3t; theme=dark": "Cookie: " + MASK,
        "Set-Cookie: sid=s3cr3t; HttpOnly": "Set-Cookie: " + MASK,
        '{"x-api-key": "k-123456"}': '{"x-api-key": "' + MASK + '"}',
        "Proxy-Authorization=Digest abc": "Proxy-Authorization=" + MASK,
    }
    for text, expected in cases.items():
        assert ALL.text(text) == expected, text
    assert ALL.text("Content-Type: application/json") == "Content-Type: application/json"


def test_phone_numbers() -> None:
    assert ALL.text("call 13812345678 now") == "call 138****5678 now"
    assert ALL.text("+86 138 1234 5678") != "+86 138 1234 5678"
    assert "1234" not in ALL.text("tel:+14155552671").replace("2671", "")
    for not_a_phone in ("2026-11-28T10:00:00Z", "order 1764340000000", "v1.2.3", "id 12345"):
        assert ALL.text(not_a_phone) == not_a_phone


def test_email_addresses() -> None:
    assert ALL.text("to alice.smith+tag@example.co.uk!") == "to a***@example.co.uk!"
    assert ALL.text("no at sign here") == "no at sign here"


def test_values_under_secret_like_keys_and_nested_structures() -> None:
    value = {
        "secret": "anything",
        "headers": {"Authorization": "Token xyz", "X-Trace": "t-1"},
        "password": 1234,
        "contacts": ["bob@example.com", {"phone": "13912345678"}],
        "previous_secret_expires_at": "2026-01-01T00:00:00Z",
        "empty_token": "",
    }
    masked = ALL.value(value)
    assert masked["secret"] == MASK and masked["password"] == MASK
    assert masked["headers"] == {"Authorization": MASK, "X-Trace": "t-1"}
    assert masked["contacts"] == ["b***@example.com", {"phone": "139****5678"}]
    assert masked["previous_secret_expires_at"] == "2026-01-01T00:00:00Z"
    assert masked["empty_token"] == ""


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("secrets", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        ("headers", "Cookie: a=b"),
        ("phones", "13812345678"),
        ("emails", "a@example.com"),
    ],
)
def test_each_kind_can_be_turned_off(kind: str, text: str) -> None:
    assert ALL.text(text) != text
    off = Masker(MaskRules(**{kind: False}))  # type: ignore[arg-type]
    assert off.text(text) == text


def test_extra_patterns() -> None:
    masker = Masker(MaskRules(extra=(r"\bID-\d{6}\b", r"(?i)card=\d+")))
    assert masker.text("user ID-123456 paid with card=4111111111111111") == (
        f"user {MASK} paid with {MASK}"
    )


def test_rules_come_from_settings() -> None:
    settings = make_settings(
        Path("."), "x:1", mask_phones=False, mask_extra_patterns=[r"order-\d+"]
    )
    rules = rules_from_settings(settings)
    assert rules == MaskRules(phones=False, extra=(r"order-\d+",))
    masker = Masker(rules)
    assert masker.text("13812345678 order-77") == f"13812345678 {MASK}"
    with pytest.raises(ValueError, match="mask_extra_patterns"):
        make_settings(Path("."), "x:1", mask_extra_patterns=["("])
    assert re.compile(r"order-\d+")


def test_an_excerpt_masks_a_value_cut_at_its_limit() -> None:
    """A phone number that straddles the excerpt limit leaves none of its digits behind."""
    masker = Masker(MaskRules())
    body = "x" * 95 + " 13812345678 " + "y" * 300
    excerpt = masker.excerpt(body, 100)
    assert len(excerpt.encode()) <= 100
    assert "13812" not in excerpt and "1381" not in excerpt
    assert excerpt.startswith("x" * 95)


def test_an_excerpt_drops_a_value_the_reader_cut() -> None:
    """Masks shrink the text; the reader's own cut at limit + margin must not show through."""
    masker = Masker(MaskRules())
    secrets = ("whsec_" + "A" * 60 + " ") * 3
    body = secrets + "z" * 119 + " 1391234"  # the reader cut 13912345678 at 200 + margin
    assert len(body.encode()) == 200 + EXCERPT_MASK_MARGIN
    excerpt = masker.excerpt(body, 200)
    assert "1391234" not in excerpt and "A" * 20 not in excerpt
    assert excerpt.startswith("whsec_AAAA")


def test_a_short_excerpt_is_only_masked() -> None:
    assert Masker(MaskRules()).excerpt("call 13812345678", 100) == "call 138****5678"
