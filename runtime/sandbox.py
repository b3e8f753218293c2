"""How the worker runs workflow code: the Temporal sandbox, strict or with our pure modules passed
through, or no sandbox at all (``GOUTONG_WORKFLOW_SANDBOX``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import CodeType
from typing import Any

from temporalio.worker import (
    UnsandboxedWorkflowRunner,
    WorkflowInstance,
    WorkflowInstanceDetails,
    WorkflowRunner,
)
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions
from temporalio.worker.workflow_sandbox._runner import _Instance

__all__ = ["PURE_MODULES", "SANDBOX_MODES", "CompiledSandboxRunner", "workflow_runner"]

# Imported once by the worker and shared by every workflow run instead of being re-imported
# per run: they hold no mutable module state and do no I/O at import time. ``core`` was already
# passed through (imports_passed_through in the workflow modules); ``workflows`` is the
# workflow code itself, whose determinism the replay tests check under the strict sandbox.
PURE_MODULES = ("workflows", "core")
SANDBOX_MODES = ("strict", "passthrough", "off")


@functools.lru_cache(maxsize=256)
def compiled_snippet(code: str) -> CodeType:
    """The SDK's sandbox runs a handful of fixed source snippets (create, activate, serialisation
    context...); each is compiled once per process instead of on every call."""
    return compile(code, "<workflow sandbox>", "exec")


class _CompiledSnippetInstance(_Instance):
    """The SDK's sandboxed workflow instance, handing ``exec`` compiled code (the same snippet,
    the same globals; ~0.9 ms of CPU fewer per callback workflow in bench/replay figures)."""

    def _run_code(self, code: str, **extra_globals: Any) -> None:
        super()._run_code(compiled_snippet(code), **extra_globals)  # type: ignore[arg-type]


@dataclass(frozen=True)
class CompiledSandboxRunner(SandboxedWorkflowRunner):
    """The SDK's sandbox, with every restriction, minus the per-call compile of its snippets."""

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        return _CompiledSnippetInstance(det, self.runner_class, self.restrictions)


def workflow_runner(mode: str) -> WorkflowRunner:
    """``strict``: the SDK's default sandbox, re-importing the workflow modules for every run;
    ``passthrough``: the same sandbox with PURE_MODULES passed through; ``off``: no sandbox."""
    if mode == "strict":
        return CompiledSandboxRunner()
    if mode == "passthrough":
        restrictions = SandboxRestrictions.default.with_passthrough_modules(*PURE_MODULES)
        return CompiledSandboxRunner(restrictions=restrictions)
    if mode == "off":
        return UnsandboxedWorkflowRunner()
    raise ValueError(f"unknown workflow sandbox mode {mode!r}; one of {', '.join(SANDBOX_MODES)}")
