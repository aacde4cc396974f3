# Two commands on a fresh machine: `make synth` and `make test` (see README).
# Set-up is idempotent: stamp files keyed on the requirement/lock files skip work when nothing changed.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
CHECKOV_VENV := .venv-checkov
STAMPS := .stamps
# node_modules/.bin first: its Node 22 (npm package "node") runs cdktf and jsii, whatever Node is on PATH.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
export CHECKPOINT_DISABLE := 1
export CDKTF_DISABLE_PLUGIN_CACHE_ENV := 1
AKS_CONFIG ?= config/default.yaml
export AKS_CONFIG

.PHONY: synth test bench validate setup clean

synth: setup
	@$(VENV)/bin/python -m config.validate $(AKS_CONFIG)
	npx cdktf synth

test: setup $(STAMPS)/checkov
	$(VENV)/bin/python -m pytest

bench: setup $(STAMPS)/checkov
	$(VENV)/bin/python -m benchmarks.synth_benchmark

validate: $(STAMPS)/python
	$(VENV)/bin/python -m config.validate $(AKS_CONFIG)

setup: $(STAMPS)/python $(STAMPS)/node

$(STAMPS)/python: requirements.txt requirements-dev.txt constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ required" >&2; exit 1; }
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/node: package.json package-lock.json
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)' || { echo "Node.js 20+ required" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/checkov: requirements-checkov.txt constraints-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt -c constraints-checkov.txt
	@mkdir -p $(STAMPS) && touch $@

clean:
	rm -rf cdktf.out $(STAMPS) $(VENV) $(CHECKOV_VENV) node_modules .pytest_cache
