# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install lint typecheck clean histories bench

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]' --config-settings editable_mode=compat
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/goutong dev

# pytest in two phases: every test but the serial ones in 2 processes (pytest-xdist, each with
# its own Temporal dev server and PostgreSQL), then the serial ones (tests/support/groups.py:
# process kills, two workers, a browser, timed bounds) one after another, alone on the machine.
# PYTEST_PARALLEL= (empty) runs the first phase in one process too. Exit code 5 (PYTEST_ARGS
# selected no test of a phase) is not a failure.
PYTEST_PARALLEL ?= -n 2 --dist loadgroup

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/pytest -q -m "not serial" $(PYTEST_PARALLEL) $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/pytest -q -m serial $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy .

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache

# Rewrite the committed workflow histories (on purpose only; see tests/workflows/test_replay.py).
histories: $(STAMP)
	GOUTONG_RECORD_HISTORIES=1 GOUTONG_TEST_STORES=sqlite $(BIN)/pytest -q \
		tests/workflows/test_callback.py tests/workflows/test_recovery.py \
		tests/workflows/test_follow_ons.py tests/workflows/test_alerts.py \
		tests/activities/test_health_checks.py tests/activities/test_breaker.py

# Benchmarks: printed figures and bench/results/*.json|png (see docs/performance.md).
bench: $(STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)
