"""Masking of sensitive data in logs, audit entries and stored excerpts; the rules are settings.

Kinds (each can be turned off): ``secrets`` (``whsec_``/``gt_`` secrets, bearer and basic
credentials, JWTs), ``headers`` (values of Authorization, Cookie, Set-Cookie and X-API-Key
headers, in ``Name: value`` or JSON form), ``phones`` (Chinese mobiles and ``+``-prefixed
international numbers, first three and last four characters kept), ``emails`` (first letter and
domain kept); plus any ``extra`` regular expressions, whose matches are replaced entirely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from core.settings import Settings

__all__ = [
    "MASK",
    "MaskRules",
    "Masker",
    "configure_masking",
    "mask_text",
    "mask_value",
    "rules_from_settings",
]

MASK = "[masked]"
# bytes read past an excerpt's limit so that values cut at the limit are still masked whole
EXCERPT_MASK_MARGIN = 128

_SECRETS = re.compile(
    r"(?:whsec_|gt_)[A-Za-z0-9+/=_\-]{6,}"
    r"|(?i:\b(?:bearer|basic)\s+)[A-Za-z0-9._~+/=\-]{8,}"
    r"|\beyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]*"
)
_HEADERS = re.compile(
    r"(?i)\b((?:proxy-)?authorization|cookie|set-cookie|x-api-key)"
    r"([\"']?\s*[:=]\s*[\"']?)([^\"'\r\n]+)"
)
_PHONES = re.compile(r"(?<![\w+])(?:(?:\+?86[\s-]?)?1[3-9]\d{9}|\+\d[\d\s-]{6,16}\d)(?!\w)")
_EMAILS = re.compile(r"\b([A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]*@([A-Za-z0-9.\-]+\.[A-Za-z]{2,})\b")
_SENSITIVE_KEYS = re.compile(
    r"(?i)^(?:previous_)?secret$|password|passwd|token|authorization|cookie|api[-_]?key|"
    r"private[-_]?key|credential"
)


@dataclass(frozen=True)
class MaskRules:
    """Which kinds are masked, plus extra patterns (from Settings)."""

    secrets: bool = True
    headers: bool = True
    phones: bool = True
    emails: bool = True
    extra: tuple[str, ...] = field(default_factory=tuple)


def _secret(match: re.Match[str]) -> str:
    return match.group(0)[:10] + "…" + MASK


def _header(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2) + MASK


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def _email(match: re.Match[str]) -> str:
    return f"{match.group(1)}***@{match.group(2)}"


class Masker:
    """Applies one set of rules to text and to JSON-like values."""

    def __init__(self, rules: MaskRules | None = None) -> None:
        self.rules = rules = rules or MaskRules()
        steps: list[tuple[re.Pattern[str], Any]] = []
        if rules.headers:
            steps.append((_HEADERS, _header))
        if rules.secrets:
            steps.append((_SECRETS, _secret))
        if rules.emails:
            steps.append((_EMAILS, _email))
        if rules.phones:
            steps.append((_PHONES, _phone))
        steps.extend((re.compile(pattern), MASK) for pattern in rules.extra)
        self._steps = steps

    def text(self, text: str) -> str:
        for pattern, replacement in self._steps:
            text = pattern.sub(replacement, text)
        return text

    def excerpt(self, text: str, limit_bytes: int) -> str:
        """Masks, then cuts to ``limit_bytes`` of UTF-8: a value cut in two at the limit is
        still recognised and masked whole (the text runs EXCERPT_MASK_MARGIN past the limit)."""
        raw_bytes = len(text.encode())
        masked = self.text(text).encode()
        if raw_bytes <= limit_bytes:
            return masked.decode()
        # the text may itself end in a value cut by the reader: never keep its last margin
        cut = min(limit_bytes, max(0, len(masked) - EXCERPT_MASK_MARGIN))
        return masked[:cut].decode("utf-8", errors="ignore")

    def value(self, value: Any) -> Any:
        """Masks strings inside dicts and lists; values under secret-like keys entirely."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self._keyed(str(key), item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(item) for item in value]
        return value

    def _keyed(self, key: str, item: Any) -> Any:
        if self.rules.secrets and item not in (None, "") and _SENSITIVE_KEYS.search(key):
            if not isinstance(item, dict):
                return MASK
        if self.rules.headers and isinstance(item, str) and _HEADERS.fullmatch(f"{key}: {item}"):
            return MASK
        return self.value(item)


def rules_from_settings(settings: Settings) -> MaskRules:
    return MaskRules(
        secrets=settings.mask_secrets,
        headers=settings.mask_headers,
        phones=settings.mask_phones,
        emails=settings.mask_emails,
        extra=tuple(settings.mask_extra_patterns),
    )


_current = Masker()


def configure_masking(rules: MaskRules) -> None:
    """Sets the process-wide rules (done once at start from Settings)."""
    global _current
    _current = Masker(rules)


def mask_text(text: str) -> str:
    return _current.text(text)


def mask_value(value: Any) -> Any:
    return _current.value(value)
