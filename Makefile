# flexlab: all set-up is done by these targets on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test bench render clean tshark

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/flexlab demo

test: $(STAMP) tshark
	$(BIN)/python -m pytest -q

# tshark (Debian package) decodes the embedded lab's pcap in tests/sim/test_pcap_tshark.py;
# installed only when missing and running as root, else that test says why it is skipped.
tshark:
	@command -v tshark >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tshark >/dev/null; } || echo "tshark not installed (needs root): its decode test will be skipped"

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

render: $(STAMP)
	$(BIN)/flexlab render --all-kinds

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
