# gdigraph: two commands set everything up on a fresh clone.
#   make run   - the main job (install if needed, then run the pipeline into build/)
#   make test  - the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install browser run test extract clean bench

install: $(STAMP) browser

# Debian's Chromium for the browser tests (Playwright drives it; `playwright install` is never run);
# without root the browser tests skip and say why
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "chromium is not installed and this is not root: the browser tests will be skipped"; fi; }

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/gdigraph run

extract: install
	$(BIN)/gdigraph extract-all --out build

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf build
