"""Groups for pytest-xdist: `make test PYTEST_PARALLEL='-n 2 --dist loadgroup'` runs the suite
in 2 processes (see the Makefile); the tests of one group run one after another in one of them.

A module joins a group with ``pytestmark = HEAVY`` (or its own group). Without xdist (`-n0`, or
a plain `pytest tests/x.py`) the marks do nothing.
"""

from __future__ import annotations

import pytest

# Tests that load the machine or time something against a bound: worker processes (two at
# once, or one killed with SIGKILL), an API process killed with SIGKILL, a second Temporal
# server killed with -9, a whole `goutong dev`, headless Chromium, a timed burst. Never two of
# them at once on 2 cores: they all run one after another in one process.
HEAVY = pytest.mark.xdist_group("heavy")

# A module whose module-scoped fixture is dear (an API process): all of it in one process.
FUZZ = pytest.mark.xdist_group("fuzz")
