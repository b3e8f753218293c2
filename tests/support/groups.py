"""Which tests share the machine: `make test` runs every test but the SERIAL ones in 2 processes
(pytest-xdist), then the SERIAL ones one after another, alone (see the Makefile).

A module joins with ``pytestmark = SERIAL``, a test with ``@SERIAL``. A plain `pytest tests/x.py`
runs everything it selects, marked or not, in one process.
"""

from __future__ import annotations

import pytest

# Tests that load the machine or time something against a bound: worker processes (two at
# once, or one killed with SIGKILL), an API process killed with SIGKILL, a second Temporal
# server killed with -9, a whole `goutong dev`, headless Chromium, a timed burst, the spacing
# of retries measured at the receiver. With another test process beside them on 2 cores their
# bounds failed now and then; in the serial phase nothing else runs.
SERIAL = pytest.mark.serial

# A module whose module-scoped fixture is dear (an API process): all of it in one process.
FUZZ = pytest.mark.xdist_group("fuzz")
