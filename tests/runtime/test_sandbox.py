"""The workflow runner of each GOUTONG_WORKFLOW_SANDBOX mode (replays: tests/workflows)."""

from __future__ import annotations

import pytest
from temporalio.worker import UnsandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from core.settings import Settings
from runtime.sandbox import PURE_MODULES, workflow_runner


def test_passthrough_shares_our_pure_modules_and_keeps_the_default_restrictions() -> None:
    runner = workflow_runner("passthrough")
    assert isinstance(runner, SandboxedWorkflowRunner)
    default = SandboxRestrictions.default
    assert runner.restrictions.passthrough_modules == default.passthrough_modules | set(
        PURE_MODULES
    )
    assert runner.restrictions.invalid_module_members == default.invalid_module_members


def test_strict_is_the_sdk_default_and_off_has_no_sandbox() -> None:
    strict = workflow_runner("strict")
    assert isinstance(strict, SandboxedWorkflowRunner)
    assert strict.restrictions == SandboxRestrictions.default
    assert isinstance(workflow_runner("off"), UnsandboxedWorkflowRunner)


def test_the_default_is_passthrough_and_unknown_modes_are_refused() -> None:
    assert Settings(_env_file=None).workflow_sandbox == "passthrough"  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="unknown workflow sandbox mode"):
        workflow_runner("loose")
