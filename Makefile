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
PIPELINES_VENV := .venv-pipelines
AZURE_VENV := .venv-azure
TOOLCHAIN ?= cdktf
export TOOLCHAIN
export CHECKPOINT_DISABLE := 1
export CDKTF_DISABLE_PLUGIN_CACHE_ENV := 1
# The deployment to act on: AKS_CONFIG=config/<env>.yaml. Unset, synth and validate use the example
# config/default.yaml, and deploying is refused (config/environment.py). Each deployment has its own
# output folder, cdktf.out/<name>/ (config/layout.py).
CONFIG_FILE := $(or $(AKS_CONFIG),config/default.yaml)
# Which stacks `make diff|deploy` act on, and extra CLI flags (make swallows its own): ARGS=...
STACKS ?= aks-cluster kubernetes-config
ARGS ?=

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
# Extra flags every cdktn CLI command needs (its app command is not cdktf.json's).
APP_cdktf :=
APP_cdktn := --app "$(VENV_cdktn)/bin/python main.py"
NODE_BIN_cdktf := $(CURDIR)/node_modules/.bin
NODE_BIN_cdktn := $(CURDIR)/$(NODE_DIR_cdktn)/node_modules/.bin

ifeq ($(filter $(TOOLCHAIN),cdktf cdktn),)
$(error TOOLCHAIN=$(TOOLCHAIN): expected cdktf or cdktn)
endif
VENV := $(VENV_$(TOOLCHAIN))
# The toolchain's node_modules/.bin first: its Node 22 (npm package "node") runs the CLI and jsii,
# whatever Node is on PATH.
export PATH := $(NODE_BIN_$(TOOLCHAIN)):$(PATH)

.PHONY: synth test check bench validate setup setup-cdktf setup-cdktn clean diff deploy

# main.py prints the banner (config, deployment, subscription, state keys, output folder, toolchain).
synth: setup
	@$(VENV)/bin/python -m config.validate $(CONFIG_FILE)
	@$(VENV)/bin/python -m tools.environment cdktf synth $(APP_$(TOOLCHAIN)) $(ARGS)

# The CLI through tools/environment.py: banner first, deploy of the example refused, plain logs
# when the output is not a terminal. kubernetes-config alone: STACKS=kubernetes-config
# ARGS=--ignore-missing-stack-dependencies (README, How to deploy).
diff: setup
	@$(VENV)/bin/python -m tools.environment cdktf diff $(STACKS) $(APP_$(TOOLCHAIN)) $(ARGS)

deploy: setup
	@$(VENV)/bin/python -m tools.environment cdktf deploy $(STACKS) $(APP_$(TOOLCHAIN)) $(ARGS)

# The whole suite on both cores (docs/performance.md, "Test suite"): pytest-xdist workers, one jsii
# load each; tests that share an expensive fixture run on one worker (tests/conftest.py). The
# profile it writes orders the next run's work, longest first. Extra pytest args via ARGS=...
TEST_WORKERS ?= 2
# Python's own bytecode cache (keyed by each source file's mtime and size) and pytest's rewritten
# test modules: without it every run compiles every module again (~2.5 s of `make check`).
unexport PYTHONDONTWRITEBYTECODE
PYTEST_PARALLEL := -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder
test: setup $(STAMPS)/checkov $(STAMPS)/pipelines $(STAMPS)/azure
	$(VENV)/bin/python -m pytest $(PYTEST_PARALLEL) --suite-profile=$(STAMPS)/suite-profile.json $(ARGS)

# The inner loop: every test that needs no jsii load, no Terraform and starts no process (config
# models and rules, bad-config cases, data modules, Kubernetes object builders, tools' logic). A
# jsii import or a process start fails the run (tests/conftest.py). One process: two workers would
# each pay the collection and finish no sooner (docs/performance.md). `make test` before a commit.
check: $(firstword $(SETUP_$(TOOLCHAIN)))
	$(VENV)/bin/python -m pytest --inner-loop -p no:xdist -q $(ARGS)

# Measures every installed toolchain (the selected one and the default are set up first), then the
# test suite (benchmarks/suite_profile.py): one process, `make test`'s parallel run and `make check`.
bench: setup setup-cdktf $(STAMPS)/checkov
	$(VENV)/bin/python -m benchmarks.synth_benchmark --pytest-parallel="$(PYTEST_PARALLEL)" $(ARGS)

validate: $(firstword $(SETUP_$(TOOLCHAIN)))
	$(VENV)/bin/python -m config.validate $(CONFIG_FILE)

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

# check-jsonschema and zizmor, for the pipeline definitions' tests (tests/pipelines).
$(STAMPS)/pipelines: requirements-pipelines.txt constraints-pipelines.txt
	test -x $(PIPELINES_VENV)/bin/python || $(PYTHON) -m venv $(PIPELINES_VENV)
	$(PIPELINES_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-pipelines.txt -c constraints-pipelines.txt
	@mkdir -p $(STAMPS) && touch $@

# Azure SDKs (azure-identity, management clients, azure-ai-ml, rich) for the tools below, in their
# own virtualenv: they pull in dependency trees the cdktf toolchain does not need.
$(STAMPS)/azure: requirements-azure.txt constraints-azure.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ required" >&2; exit 1; }
	test -x $(AZURE_VENV)/bin/python || $(PYTHON) -m venv $(AZURE_VENV)
	$(AZURE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-azure.txt -c constraints-azure.txt
	@mkdir -p $(STAMPS) && touch $@

clean:
	rm -rf cdktf.out $(STAMPS) $(VENV_cdktf) $(VENV_cdktn) $(CHECKOV_VENV) $(PIPELINES_VENV) $(AZURE_VENV) .venv-mutation mutants node_modules $(NODE_DIR_cdktn)/node_modules .pytest_cache

# --- GitOps mode (kubernetes_config.mode: gitops; docs/gitops.md) ---------------------------------
# Renders the manifests Flux applies for $(CONFIG_FILE) into $(GITOPS_DIR)/<gitops.path>/; commit
# that folder to the GitOps repository (or set GITOPS_DIR to a checkout of it).
GITOPS_DIR ?= gitops.out
.PHONY: gitops
gitops: setup
	$(VENV)/bin/python -m stacks.gitops_manifests --config $(CONFIG_FILE) --out $(GITOPS_DIR)

# --- Saved plans, phases and drift (tools/plans; docs/pipelines.md) --------------------------------
# After `make synth`: `make plan` saves a plan per stack in cdktf.out/<name>/plans/ with a summary
# (addresses and actions only); `make apply` applies exactly those plans and refuses stale ones;
# `make destroy` runs in reverse order; `make drift` fails when the infrastructure differs (make
# reports every failure as 2: pipelines call `python -m tools.plans` for its own exit codes).
# PHASE=1 (aks-cluster) or PHASE=2 (kubernetes-config), or STACK=<stack>; extra flags via ARGS=...
# The deployment: AKS_CONFIG (banner first; applying the example is refused, as for make deploy).
PLAN_SELECTION = $(if $(PHASE),--phase $(PHASE)) $(if $(STACK),--stack $(STACK))
.PHONY: plan apply destroy drift
plan apply destroy drift: $(firstword $(SETUP_$(TOOLCHAIN)))
	$(VENV)/bin/python -m tools.plans $@ $(PLAN_SELECTION) $(ARGS)

# --- Before and after a deploy (README "How to deploy") ------------------------------------------
# Extra arguments through ARGS, e.g. `make preflight ARGS=--json`, `make smoke ARGS=--dry-run`.
# preflight: read-only checks of the subscription (Azure CLI sign-in or any DefaultAzureCredential).
# outputs: both stacks' outputs from state (allowlisted). smoke: Azure ML job + endpoint on the
# deployed compute, cleaned up afterwards.
.PHONY: preflight smoke outputs
preflight smoke outputs: $(STAMPS)/azure
	@$(AZURE_VENV)/bin/python -m tools.$@ --config $(CONFIG_FILE) $(ARGS)

# --- Hub firewall egress (README "What you need from the hub") --------------------------------------
# Prints the egress rules $(CONFIG_FILE) needs: FORMAT=table (default), json, az (Firewall Policy
# commands) or csv; extra arguments via ARGS=...
FORMAT ?= table
.PHONY: egress
egress: $(firstword $(SETUP_$(TOOLCHAIN)))
	@$(VENV)/bin/python -m tools.egress --config $(CONFIG_FILE) --format $(FORMAT) $(ARGS)

# --- Images from a private registry (images.registry) ------------------------------------------------
# Prints the `az acr import` commands for exactly what $(CONFIG_FILE) pulls, and how to read the digests.
.PHONY: images
images: $(firstword $(SETUP_$(TOOLCHAIN)))
	@$(VENV)/bin/python -m tools.images --config $(CONFIG_FILE) $(ARGS)

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
