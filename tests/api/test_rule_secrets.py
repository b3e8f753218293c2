from __future__ import annotations

from dataclasses import dataclass

from api.rule_secrets import give_rule_secret
from core.secret_box import SecretBox, new_key


@dataclass
class _Rule:
    id: str
    secret: str | None = None


def test_a_rule_gets_its_secret_once_sealed_and_loses_it_when_not_wanted() -> None:
    box = SecretBox(new_key())
    rule = _Rule("lr_1")
    secret = give_rule_secret(rule, box, wanted=True)
    assert secret is not None and secret.startswith("whsec_")
    assert rule.secret is not None and secret not in rule.secret
    assert box.open(rule.secret, context="lr_1") == secret
    assert give_rule_secret(rule, box, wanted=True) is None  # shown once, kept
    assert give_rule_secret(rule, box, wanted=False) is None
    assert rule.secret is None
