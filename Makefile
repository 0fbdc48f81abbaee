# The two commands of a fresh machine:
#   make        build release/ and solutions/ from source/, run the solution notebook,
#               grade the bundled sample submissions into out/samples/ and write
#               the cohort report out/samples/report.html
#   make test   run the kit's test suite
# Both install what they need into .venv/ (pinned in requirements.txt) and tests/mathjax/.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
ASSIGNMENT ?= mlp_backprop

.PHONY: all build grade-samples test lint clean

all: build grade-samples

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

tests/mathjax/node_modules/.installed: tests/mathjax/package-lock.json
	cd tests/mathjax && npm ci --no-audit --no-fund --loglevel=error
	touch $@

build: $(VENV)/.installed tests/mathjax/node_modules/.installed
	$(PY) -m autograder build $(ASSIGNMENT)

grade-samples: $(VENV)/.installed
	$(PY) -m autograder grade samples/$(ASSIGNMENT) --out out/samples
	$(PY) -m autograder report out/samples

test: lint tests/mathjax/node_modules/.installed
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

clean:
	rm -rf out gradebook.db .pytest_cache
