"""deploy/prometheus-alerts.yml parses, is loaded by deploy/prometheus.yml and the compose file,
and names only metrics our registry exports (plus Prometheus's own `up`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from runtime.metrics import Metrics

ROOT = Path(__file__).resolve().parents[2]
ALERTS = ROOT / "deploy" / "prometheus-alerts.yml"
_METRIC = re.compile(r"\b(goutong_\w+|up)\s*[{\[]")
_SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum")}


def _exported_names() -> set[str]:
    names: set[str] = set()
    for family in Metrics().registry.collect():
        names.update(family.name + suffix for suffix in _SUFFIXES.get(family.type, ("",)))
    return names


def _rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(ALERTS.read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def test_every_rule_is_complete() -> None:
    rules = _rules()
    assert len(rules) >= 3
    for rule in rules:
        assert rule["alert"] and rule["expr"] and rule["labels"]["severity"]
        assert rule["annotations"]["summary"]


def test_every_named_metric_is_exported() -> None:
    exported = _exported_names() | {"up"}
    for rule in _rules():
        named = set(_METRIC.findall(rule["expr"]))
        assert named, f"{rule['alert']} names no metric"
        assert named <= exported, f"{rule['alert']}: unknown {sorted(named - exported)}"


def test_prometheus_and_compose_load_the_rules() -> None:
    config = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text())
    assert "/etc/prometheus/alerts.yml" in config["rule_files"]
    compose = yaml.safe_load((ROOT / "docker-compose.temporal.yml").read_text())
    volumes = compose["services"]["prometheus"]["volumes"]
    assert "./deploy/prometheus-alerts.yml:/etc/prometheus/alerts.yml:ro" in volumes
