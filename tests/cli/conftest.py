"""Runs ``goutong`` in-process (typer's CliRunner) in a thread, so the test's loop keeps
serving the API, the worker and the receivers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from cli import app
from tests.support.stack import ADMIN_KEY

Goutong = Callable[..., Awaitable[Result]]


@pytest.fixture
def goutong(api_url: str, tmp_path: Path) -> Goutong:
    """``await goutong("tenants", "list", env={...}, input=...)`` against the stack's API."""

    async def run(*args: str, input: str | bytes | None = None, **env: str) -> Result:
        environment = {
            "GOUTONG_API_URL": api_url,
            "GOUTONG_API_KEY": ADMIN_KEY,
            "GOUTONG_DATA_DIR": str(tmp_path / "cli-data"),
            **env,
        }
        runner = CliRunner()
        return await asyncio.to_thread(runner.invoke, app, list(args), input, environment)

    return run


def output_json(result: Result) -> Any:
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    return json.loads(result.stdout)


def succeeded(result: Result) -> Result:
    """Asserts exit code 0, showing what the command printed when not."""
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    return result
