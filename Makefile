# gdigraph: two commands set everything up on a fresh clone.
#   make run   - the main job (install if needed, then run the pipeline into build/)
#   make test  - the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test extract clean bench

install: $(STAMP)

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

clean:
	rm -rf build
