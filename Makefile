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

# pytest runs serially by default. In 2 processes (pytest-xdist, each with its own Temporal dev
# server and PostgreSQL; the tests of an xdist group in tests/support/groups.py stay in one):
#   make test PYTEST_PARALLEL='-n 2 --dist loadgroup'
# Not the default yet: the suite is CPU-bound on 2 cores, so it gains ~2 of 16 minutes, and
# retry-spacing bounds failed under the added load (see README, Development).
PYTEST_PARALLEL ?=

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/pytest -q $(PYTEST_PARALLEL) $(PYTEST_ARGS)

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
