"""The workflow runner of each GOUTONG_WORKFLOW_SANDBOX mode (replays of every history:
tests/workflows/test_replay.py)."""

from __future__ import annotations

import pytest
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from core.settings import Settings
from runtime.sandbox import PURE_MODULES, compiled_snippet, workflow_runner
from tests.support.forbidden_workflow import WallClockCallbackWorkflow
from tests.support.histories import committed_history
from workflows.callback import CallbackWorkflow


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


@pytest.mark.parametrize("mode", ["strict", "passthrough"])
async def test_the_compiled_sandbox_still_refuses_the_wall_clock(mode: str) -> None:
    replayer = Replayer(
        workflows=[WallClockCallbackWorkflow], workflow_runner=workflow_runner(mode)
    )
    with pytest.raises(Exception, match=r"datetime\.datetime\.now"):
        await replayer.replay_workflow(committed_history("delivered_first_try"))


async def test_sandbox_snippets_are_compiled_once_for_every_run() -> None:
    replayer = Replayer(
        workflows=[CallbackWorkflow], workflow_runner=workflow_runner("passthrough")
    )
    await replayer.replay_workflow(committed_history("delivered_first_try"))
    before = compiled_snippet.cache_info()
    for _ in range(3):
        await replayer.replay_workflow(committed_history("delivered_first_try"))
    after = compiled_snippet.cache_info()
    assert after.misses == before.misses  # nothing new to compile
    assert after.hits >= before.hits + 3 * 4  # create (2), activate, serialisation context...
