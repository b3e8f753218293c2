"""The compose file and its settings as the tests read them: paths, compose-style
interpolation, environments, ports, dependencies, the names Settings reads."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import AliasChoices

from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.temporal.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
PYPROJECT = ROOT / "pyproject.toml"
PROMETHEUS_CONFIG = ROOT / "deploy" / "prometheus.yml"
DEPLOYMENT_DOC = ROOT / "docs" / "deployment.md"

REQUIRED_SERVICES = {"temporal", "temporal-ui", "postgresql", "api", "worker", "prometheus"}
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
# the variables without a default
TEST_ENV = {"GOUTONG_ADMIN_API_KEY": "gt_test_only", "GOUTONG_SECRETS_KEY": "c2VjcmV0"}


_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_]\w*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_]\w*))"
)


class MissingVariable(Exception):
    """A ``${NAME:?message}`` variable is unset."""


def interpolate(value: object, env: Mapping[str, str] | None = None) -> str:
    """Compose-style interpolation: ``$$``, ``$NAME``, ``${NAME}``, ``${NAME:-default}``,
    ``${NAME-default}``, ``${NAME:?error}``, ``${NAME?error}``."""
    env = env or {}

    def substitute(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        name = match.group("braced") or match.group("named")
        op, arg = match.group("op"), match.group("arg") or ""
        present, current = name in env, env.get(name, "")
        if op == ":-":
            return current or arg
        if op == "-":
            return current if present else arg
        if (op == ":?" and not current) or (op == "?" and not present):
            raise MissingVariable(f"{name}: {arg}")
        return current

    return _VARIABLE.sub(substitute, str(value))


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    """A service's environment as a dict (compose accepts a mapping or a list of K=V)."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        return {key: value for key, _, value in (str(item).partition("=") for item in raw)}
    return {str(key): "" if value is None else str(value) for key, value in raw.items()}


def published_ports(service: Mapping[str, Any]) -> list[tuple[str, str | None, str]]:
    """(host address, host port, container port) of every published port, defaults applied;
    a spec without an address publishes on every interface (0.0.0.0)."""
    result: list[tuple[str, str | None, str]] = []
    for spec in service.get("ports") or []:
        if isinstance(spec, dict):
            result.append(
                (
                    str(spec.get("host_ip", "0.0.0.0")),
                    None if spec.get("published") is None else str(spec["published"]),
                    str(spec["target"]),
                )
            )
            continue
        parts = interpolate(spec).split("/", 1)[0].split(":")
        if len(parts) == 1:
            result.append(("0.0.0.0", None, parts[0]))
        elif len(parts) == 2:
            result.append(("0.0.0.0", parts[0], parts[1]))
        else:
            result.append((":".join(parts[:-2]).strip("[]"), parts[-2], parts[-1]))
    return result


def depends_on(service: Mapping[str, Any]) -> dict[str, str]:
    """Dependency -> condition (the short list form means ``service_started``)."""
    raw = service.get("depends_on") or {}
    if isinstance(raw, list):
        return dict.fromkeys(raw, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in raw.items()}


def setting_env_names() -> set[str]:
    """Every environment variable name the Settings class reads."""
    names: set[str] = set()
    for field_name, field in Settings.model_fields.items():
        names.add(f"GOUTONG_{field_name.upper()}")
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(choice for choice in alias.choices if isinstance(choice, str))
        elif isinstance(alias, str):
            names.add(alias)
    return names
