# Two entry points: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
# Debian's chromium for the browser tests and the demo's screenshot (playwright never downloads one)
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test install install-test install-browser chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

$(VENV)/.installed-browser: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[browser]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
install-browser: $(VENV)/.installed-browser

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "Installing Debian's chromium (apt-get install -y chromium, about 25 s)"; \
	  if [ -n "$(SUDO)" ] && ! command -v sudo >/dev/null; then \
	    echo "error: $(CHROMIUM) is missing and sudo is not available: run 'apt-get install -y chromium' as root" >&2; exit 1; fi; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
	    || { echo "error: could not install chromium; run 'sudo apt-get install -y chromium'" >&2; exit 1; }; \
	  [ -x $(CHROMIUM) ] || { echo "error: chromium installed but $(CHROMIUM) is missing" >&2; exit 1; }; \
	fi

demo: install-browser chromium
	$(BIN)/bmzcard demo --out demo-output

test: install-test chromium
	BMZCARD_SHARED=$(SHARED) $(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) demo-output
