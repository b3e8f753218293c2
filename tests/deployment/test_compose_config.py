"""docker-compose itself validates docker-compose.temporal.yml (`config` needs no engine)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deployment.compose_files import COMPOSE_FILE, TEST_ENV

# --- (b) docker-compose itself validates the file -------------------------------------------


def _docker_compose(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        message = "docker-compose is not installed (Debian: apt-get install docker-compose)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must install it")
        pytest.skip(message)
    empty_env_file = tmp_path / "empty.env"  # a developer's .env must not change the outcome
    empty_env_file.write_text("")
    return subprocess.run(
        [binary, "--env-file", str(empty_env_file), "-f", str(COMPOSE_FILE), "config"],
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_docker_compose_config_accepts_the_file(
    tmp_path: Path, services: dict[str, dict[str, Any]]
) -> None:
    result = _docker_compose(tmp_path, TEST_ENV)
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    assert set(resolved["services"]) == set(services)
    api_env = resolved["services"]["api"]["environment"]
    assert api_env["GOUTONG_ADMIN_API_KEY"] == "gt_test_only"
    assert api_env["DATABASE_URL"].startswith("postgresql://goutong:")


def test_docker_compose_config_requires_the_keys(tmp_path: Path) -> None:
    result = _docker_compose(tmp_path, {})
    assert result.returncode != 0
    assert "GOUTONG_ADMIN_API_KEY" in result.stderr
    result = _docker_compose(tmp_path, {"GOUTONG_ADMIN_API_KEY": "gt_x"})
    assert result.returncode != 0
    assert "GOUTONG_SECRETS_KEY" in result.stderr
