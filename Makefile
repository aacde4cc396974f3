# Two commands on a fresh machine: `make synth` and `make test` (see README).
# Set-up is idempotent: stamp files keyed on the requirement/lock files skip work when nothing changed.
#
# Toolchain (docs/toolchain.md): TOOLCHAIN=cdktf (default: CDK for Terraform 0.21) or TOOLCHAIN=cdktn
# (CDK Terrain 0.24), e.g. `TOOLCHAIN=cdktn make synth|test|bench`. Each has its own virtualenv,
# requirements/constraints and CLI + Node runtime from its own npm lock file; the app reads
# TOOLCHAIN (exported below) and toolchain/ picks the bindings.

SHELL := /bin/bash
PYTHON ?= python3
STAMPS := .stamps
CHECKOV_VENV := .venv-checkov
TOOLCHAIN ?= cdktf
export TOOLCHAIN
export CHECKPOINT_DISABLE := 1
export CDKTF_DISABLE_PLUGIN_CACHE_ENV := 1
AKS_CONFIG ?= config/default.yaml
export AKS_CONFIG

# Per toolchain: virtualenv, set-up stamps, folder of its npm lock file (package.json +
# package-lock.json) and synth command. Keep in step with toolchain.ENVIRONMENTS (tests/test_toolchain.py).
VENV_cdktf := .venv
SETUP_cdktf := $(STAMPS)/python $(STAMPS)/node
NODE_DIR_cdktf := .
SYNTH_cdktf := npx cdktf synth
VENV_cdktn := .venv-cdktn
SETUP_cdktn := $(STAMPS)/python-cdktn $(STAMPS)/node-cdktn
NODE_DIR_cdktn := toolchains/cdktn
SYNTH_cdktn := cdktn synth --app "$(VENV_cdktn)/bin/python main.py"
NODE_BIN_cdktf := $(CURDIR)/node_modules/.bin
NODE_BIN_cdktn := $(CURDIR)/$(NODE_DIR_cdktn)/node_modules/.bin

ifeq ($(filter $(TOOLCHAIN),cdktf cdktn),)
$(error TOOLCHAIN=$(TOOLCHAIN): expected cdktf or cdktn)
endif
VENV := $(VENV_$(TOOLCHAIN))
# The toolchain's node_modules/.bin first: its Node 22 (npm package "node") runs the CLI and jsii,
# whatever Node is on PATH.
export PATH := $(NODE_BIN_$(TOOLCHAIN)):$(PATH)

.PHONY: synth test bench validate setup setup-cdktf setup-cdktn clean

synth: setup
	@$(VENV)/bin/python -m config.validate $(AKS_CONFIG)
	$(SYNTH_$(TOOLCHAIN))

test: setup $(STAMPS)/checkov
	$(VENV)/bin/python -m pytest

# Measures every installed toolchain (the selected one and the default are set up first).
bench: setup setup-cdktf $(STAMPS)/checkov
	$(VENV)/bin/python -m benchmarks.synth_benchmark

validate: $(firstword $(SETUP_$(TOOLCHAIN)))
	$(VENV)/bin/python -m config.validate $(AKS_CONFIG)

setup: setup-$(TOOLCHAIN)
setup-cdktf: $(SETUP_cdktf)
setup-cdktn: $(SETUP_cdktn)

$(STAMPS)/python: requirements.txt requirements-dev.txt constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ required" >&2; exit 1; }
	test -x $(VENV_cdktf)/bin/python || $(PYTHON) -m venv $(VENV_cdktf)
	$(VENV_cdktf)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/node: package.json package-lock.json
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)' || { echo "Node.js 20+ required" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/python-cdktn: requirements-cdktn.txt constraints-cdktn.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ required" >&2; exit 1; }
	test -x $(VENV_cdktn)/bin/python || $(PYTHON) -m venv $(VENV_cdktn)
	$(VENV_cdktn)/bin/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements-cdktn.txt -c constraints-cdktn.txt
	TOOLCHAIN=cdktn $(VENV_cdktn)/bin/python -m toolchain.precompile
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/node-cdktn: $(NODE_DIR_cdktn)/package.json $(NODE_DIR_cdktn)/package-lock.json
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)' || { echo "Node.js 20+ required" >&2; exit 1; }
	cd $(NODE_DIR_cdktn) && npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/checkov: requirements-checkov.txt constraints-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt -c constraints-checkov.txt
	@mkdir -p $(STAMPS) && touch $@

clean:
	rm -rf cdktf.out $(STAMPS) $(VENV_cdktf) $(VENV_cdktn) $(CHECKOV_VENV) .venv-mutation mutants node_modules $(NODE_DIR_cdktn)/node_modules .pytest_cache

# --- GitOps mode (kubernetes_config.mode: gitops; docs/gitops.md) ---------------------------------
# Renders the manifests Flux applies for $(AKS_CONFIG) into $(GITOPS_DIR)/<gitops.path>/; commit
# that folder to the GitOps repository (or set GITOPS_DIR to a checkout of it).
GITOPS_DIR ?= gitops.out
.PHONY: gitops
gitops: setup
	$(VENV)/bin/python -m stacks.gitops_manifests --config $(AKS_CONFIG) --out $(GITOPS_DIR)

# --- Mutation testing (docs/mutation.md; not part of `make test`) ----------------------------------
# mutmut over the modules setup.cfg [mutmut] lists, with their in-process tests, in its own
# virtualenv; a fresh run each time, then the surviving mutants into docs/mutation-report.md.
# ARGS: mutant name globs to run only those, e.g. ARGS='config.checks.api*'. CHILDREN: parallel
# workers (default 2: the machine is shared).
MUTATION_VENV := .venv-mutation
CHILDREN ?= 2
.PHONY: mutation
mutation: $(STAMPS)/mutation
	rm -rf mutants
	nice -n 10 $(MUTATION_VENV)/bin/mutmut run --max-children $(CHILDREN) $(ARGS)
	$(MUTATION_VENV)/bin/python -m tools.mutation_report --out docs/mutation-report.md

$(STAMPS)/mutation: requirements-mutation.txt constraints-mutation.txt
	test -x $(MUTATION_VENV)/bin/python || $(PYTHON) -m venv $(MUTATION_VENV)
	$(MUTATION_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-mutation.txt -c constraints-mutation.txt
	@mkdir -p $(STAMPS) && touch $@
