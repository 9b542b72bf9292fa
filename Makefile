# flexlab: all set-up is done by these targets on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo lint test bench render mutation clean tshark schemas

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/flexlab demo

# Most slow tests wait on the embedded lab's clock, not the CPU: two workers halve the wall time.
# Each test module runs on one worker (--dist loadscope), so a module's lab is started once.
TEST_WORKERS ?= 2

# Lint and type check before the tests (pyproject.toml: [tool.ruff], [tool.mypy]); either failing fails `make test`.
LINT_PATHS := src tests benchmarks

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/mypy

test: lint tshark
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadscope

# tshark (Debian package) decodes the embedded lab's pcap in tests/sim/test_pcap_tshark.py;
# installed only when missing and running as root, else that test says why it is skipped.
tshark:
	@command -v tshark >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tshark >/dev/null; } || echo "tshark not installed (needs root): its decode test will be skipped"

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

# Mutation testing of the verdict modules over the fast suite (docs/mutation.md); not part of `make test`.
MUTATION_STAMP := $(VENV)/.mutation-installed
MUTATION_MIN_KILL_RATE ?= 90

$(MUTATION_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[test,mutation]'
	touch $(MUTATION_STAMP)

mutation: $(MUTATION_STAMP)
	rm -rf mutants && mkdir mutants
	@start=$$(date +%s); echo "mutmut run (log: mutants/run.log) ..."; \
	if ! $(BIN)/mutmut run > mutants/run.log 2>&1; then \
		tr '\r' '\n' < mutants/run.log | tail -40; echo "mutmut run failed (mutants/run.log)"; exit 2; fi; \
	$(BIN)/python -m benchmarks.mutation_report --min-kill-rate $(MUTATION_MIN_KILL_RATE) --started-at $$start

# The committed JSON schemas of failover_report.json, runs/<tag>.json and summary.json (docs/results.md).
schemas: $(STAMP)
	$(BIN)/python -m flexlab.results.schema

render: $(STAMP)
	$(BIN)/flexlab render --all-kinds

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info mutants
