"""The signing secret a rule with a webhook of its own gets once (linkage and alert rules)."""

from __future__ import annotations

from typing import Protocol

from core.secret_box import SecretBox
from core.signing import generate_secret

__all__ = ["give_rule_secret"]


class _RuleWithSecret(Protocol):
    id: str
    secret: str | None


def give_rule_secret(rule: _RuleWithSecret, box: SecretBox, *, wanted: bool) -> str | None:
    """Seals a new secret into a rule that wants one and has none, and returns it in clear
    (shown once); a rule that wants none loses any it had."""
    if not wanted:
        rule.secret = None
        return None
    if rule.secret:
        return None
    secret = generate_secret()
    rule.secret = box.seal(secret, context=rule.id)
    return secret
