"""How the worker runs workflow code: the Temporal sandbox, strict or with our pure modules passed
through, or no sandbox at all (``GOUTONG_WORKFLOW_SANDBOX``)."""

from __future__ import annotations

from temporalio.worker import UnsandboxedWorkflowRunner, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

__all__ = ["PURE_MODULES", "SANDBOX_MODES", "workflow_runner"]

# Imported once by the worker and shared by every workflow run instead of being re-imported
# per run: they hold no mutable module state and do no I/O at import time. ``core`` was already
# passed through (imports_passed_through in the workflow modules); ``workflows`` is the
# workflow code itself, whose determinism the replay tests check under the strict sandbox.
PURE_MODULES = ("workflows", "core")
SANDBOX_MODES = ("strict", "passthrough", "off")


def workflow_runner(mode: str) -> WorkflowRunner:
    """``strict``: the SDK's default sandbox, re-importing the workflow modules for every run;
    ``passthrough``: the same sandbox with PURE_MODULES passed through; ``off``: no sandbox."""
    if mode == "strict":
        return SandboxedWorkflowRunner()
    if mode == "passthrough":
        restrictions = SandboxRestrictions.default.with_passthrough_modules(*PURE_MODULES)
        return SandboxedWorkflowRunner(restrictions=restrictions)
    if mode == "off":
        return UnsandboxedWorkflowRunner()
    raise ValueError(f"unknown workflow sandbox mode {mode!r}; one of {', '.join(SANDBOX_MODES)}")
