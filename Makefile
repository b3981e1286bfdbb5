# Deploy riglets with make and the AWS CLI, and build and test riglet itself.
# `make help` lists the targets; docs/deploy.md walks through a first deploy.
#
#   make create-foundation ENV=staging [RIGLET=twig] [PROFILE=p]
#   make update-app-twig-api ENV=staging IMAGE_TAG=2
#   make delete-environment ENV=staging YES=1
#
# Every deploy target first runs `riglet compile --check --frozen`, so that what is deployed
# is the committed out/ that was reviewed, then checks that the credentials are for the env's
# account, then calls `aws cloudformation deploy` with what out/<riglet>/<env>/stacks.json says.

SHELL := /bin/sh
.DEFAULT_GOAL := help
.SUFFIXES:

# This Makefile's directory: scripts/ sits beside it, and `make -f` from elsewhere works.
ROOT := $(dir $(abspath $(lastword $(MAKEFILE_LIST))))

AWS ?= aws
AWS_ARGS ?=
PROFILE ?=
IMAGE_TAG ?=
S3_BUCKET ?=
YES ?=
ALLOW_DIRTY ?=
BOOTSTRAP ?= bootstrap
OUTPUT ?= table
OUT ?= out
ENV ?=
export AWS AWS_ARGS PROFILE IMAGE_TAG S3_BUCKET YES OUTPUT BOOTSTRAP

# Inside riglet's own repository the tools are built from source into bin/; elsewhere they
# are the installed riglet and rigletdeploy (or set RIGLET_BIN and RIGLETDEPLOY_BIN).
ifneq ($(wildcard $(ROOT)cmd/riglet/main.go),)
RIGLET_BIN ?= $(ROOT)bin/riglet
RIGLETDEPLOY_BIN ?= $(ROOT)bin/rigletdeploy
else
RIGLET_BIN ?= riglet
RIGLETDEPLOY_BIN ?= rigletdeploy
endif

# RIGLET defaults to the only riglets/*.yaml.
RIGLETS := $(sort $(basename $(notdir $(wildcard riglets/*.yaml))))
ifeq ($(origin RIGLET),undefined)
ifeq ($(words $(RIGLETS)),1)
RIGLET := $(RIGLETS)
endif
endif
ENVS = $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard $(OUT)/$(RIGLET)/*/stacks.json)))))
ENV_DIR = $(OUT)/$(RIGLET)/$(ENV)
DEPLOY = RIGLETDEPLOY='$(RIGLETDEPLOY_BIN)' sh '$(ROOT)scripts/deploy.sh'

.PHONY: help example compile lint test check fuzz bench e2e tools FORCE need-riglet need-env verify \
	committed check-env create-environment update-environment delete-environment status-environment

help: ## list the targets
	@echo 'Deploy (ENV=<env> required; RIGLET=<name> when riglets/ has several):'
	@echo '  create-<stack>       create or update a stack: make create-foundation ENV=staging'
	@echo '  update-<stack>       update an existing stack; IMAGE_TAG=<tag> sets every ImageTag'
	@echo '  changeset-<stack>    create a change set and show what it would change'
	@echo '  delete-<stack>       delete a stack (asks first; YES=1 does not)'
	@echo '  status-<stack>       show the stack status'
	@echo '  outputs-<stack>      show the stack outputs'
	@echo '  create-environment   create every stack of ENV, in dependency order'
	@echo '  update-environment   update every stack of ENV, in dependency order'
	@echo '  delete-environment   delete every stack of ENV, in reverse order (YES=1 to skip asking)'
	@echo '  status-environment   show the status of every stack of ENV'
	@echo '  check-env            check the AWS CLI, credentials, region, bootstrap and certificate of ENV'
	@echo 'First deploy: make create-bootstrap ENV=shared, make check-env ENV=<env>, make create-environment ENV=<env>'
	@echo 'Options: PROFILE=<aws profile> IMAGE_TAG=<tag> S3_BUCKET=<bucket for templates over 51,200 bytes>'
	@echo '         ALLOW_DIRTY=1 (deploy an out/ or lock that differs from git HEAD) BOOTSTRAP=<shared stack, default bootstrap>'
	@echo '         AWS=<aws cli> AWS_ARGS=<global options, e.g. --endpoint-url=...> OUTPUT=table|json|text'
	@echo 'Develop:'
	@echo '  example   build riglet, compile and lint the example riglets (out/ must not change)'
	@echo '  compile   riglet compile: write out/ and the lock'
	@echo '  lint      riglet lint'
	@echo '  test      the unit and CLI tests (go test ./...): quick, needs only Go'
	@echo '  check     the oracle tests (cfn-lint, PyYAML, rain), bounded fuzzing, compile --check --frozen'
	@echo '            and lint on the examples, and e2e; fails when an oracle is missing (.ci/run installs them)'
	@echo '  bench     compile time and peak memory for 50, 200 and 800 services over 3 envs'
	@echo '  fuzz      the fuzz targets, a bounded number of inputs each'
	@echo '  e2e       deploy the examples to moto_server through these targets (needs moto and an AWS CLI)'
	@if [ -n '$(RIGLET)' ]; then \
		echo 'Riglet $(RIGLET), envs: $(ENVS)'; \
		for e in $(ENVS); do \
			printf '  %s:' "$$e"; $(RIGLETDEPLOY_BIN) stacks '$(OUT)/$(RIGLET)/'"$$e" 2>/dev/null | tr '\n' ' '; echo; \
		done; \
	elif [ -n '$(RIGLETS)' ]; then echo 'Riglets: $(RIGLETS) (choose with RIGLET=)'; fi

# The tools. go build is incremental, so building on every run costs little and never
# deploys with a stale binary.
tools: $(filter $(ROOT)bin/%,$(RIGLET_BIN) $(RIGLETDEPLOY_BIN))
$(ROOT)bin/riglet: FORCE
	@cd '$(ROOT)' && go build -o bin/riglet ./cmd/riglet
$(ROOT)bin/rigletdeploy: FORCE
	@cd '$(ROOT)' && go build -o bin/rigletdeploy ./cmd/rigletdeploy
FORCE:

need-riglet:
	@if [ -z '$(RIGLET)' ]; then \
		echo 'make: choose a riglet with RIGLET=<name>; riglets/ has: $(or $(RIGLETS),none)' >&2; exit 2; fi
	@if [ ! -f 'riglets/$(RIGLET).yaml' ]; then \
		echo 'make: no riglets/$(RIGLET).yaml; riglets/ has: $(or $(RIGLETS),none)' >&2; exit 2; fi

need-env: need-riglet
	@if [ -z '$(ENV)' ]; then \
		echo 'make: ENV is required, e.g. make $(or $(firstword $(MAKECMDGOALS)),create-environment) ENV=$(or $(firstword $(ENVS)),staging); envs of $(RIGLET): $(or $(ENVS),none (run make compile))' >&2; exit 2; fi
	@if [ ! -f '$(ENV_DIR)/stacks.json' ]; then \
		echo 'make: unknown env $(ENV) for riglet $(RIGLET) (no $(ENV_DIR)/stacks.json); envs: $(or $(ENVS),none (run make compile))' >&2; exit 2; fi

# What was reviewed is what is deployed: out/ and the lock must match the sources.
verify: need-riglet tools
	@'$(RIGLET_BIN)' compile '$(RIGLET)' --out '$(OUT)' --check --frozen || { \
		echo 'make: $(OUT)/ or the lock does not match the sources: run make compile, review and commit the diff, then deploy' >&2; exit 1; }

# What is deployed is what was committed: out/<riglet>/<env> and the lock as at git's HEAD,
# so that a reviewer saw it. ALLOW_DIRTY=1 deploys them anyway.
committed: need-env
	@if [ '$(ALLOW_DIRTY)' != 1 ]; then \
		if ! git rev-parse --verify -q HEAD >/dev/null 2>&1; then \
			echo 'make: not in a git repository with a commit, so nothing says $(ENV_DIR) was reviewed: commit it, or deploy anyway with ALLOW_DIRTY=1' >&2; exit 1; fi; \
		changed=$$(git status --porcelain --untracked-files=all -- '$(ENV_DIR)' 'riglets/$(RIGLET).lock') || exit 1; \
		if [ -n "$$changed" ]; then \
			printf 'make: %s\n' 'these differ from git HEAD, so what would be deployed is not what was reviewed:' "$$changed" \
				'commit them (git add $(ENV_DIR) riglets/$(RIGLET).lock && git commit), or deploy anyway with ALLOW_DIRTY=1' >&2; \
			exit 1; fi; \
	fi

create-%: need-env verify committed
	@$(DEPLOY) create '$(ENV_DIR)' '$*'
update-%: need-env verify committed
	@$(DEPLOY) update '$(ENV_DIR)' '$*'
changeset-%: need-env verify
	@$(DEPLOY) changeset '$(ENV_DIR)' '$*'
delete-%: need-env tools
	@$(DEPLOY) delete '$(ENV_DIR)' '$*'
status-%: need-env tools
	@$(DEPLOY) status '$(ENV_DIR)' '$*'
outputs-%: need-env tools
	@$(DEPLOY) outputs '$(ENV_DIR)' '$*'

# Explicit rules win over the patterns above.
create-environment: need-env verify committed
	@$(DEPLOY) create '$(ENV_DIR)'
update-environment: need-env verify committed
	@$(DEPLOY) update '$(ENV_DIR)'
delete-environment: need-env tools
	@$(DEPLOY) delete '$(ENV_DIR)'
status-environment: need-env tools
	@$(DEPLOY) status '$(ENV_DIR)'
check-env: need-env tools
	@$(DEPLOY) check-env '$(ENV_DIR)'

compile: tools
	'$(RIGLET_BIN)' compile $(RIGLET) --out '$(OUT)'

lint: tools
	'$(RIGLET_BIN)' lint $(RIGLET)

# The main job on the examples: compile every riglet, then lint sources and templates.
example: tools
	'$(RIGLET_BIN)' compile
	'$(RIGLET_BIN)' lint && echo 'lint: no errors in any riglet'
	@git diff --quiet -- out riglets 2>/dev/null || echo 'example: out/ or a lock changed: review it (git diff out riglets)'

# The quick tests: unit and CLI (testscript) tests, nothing but Go. Under 3 minutes on a
# 2-core machine; `go test ./cmd/riglet -update` rewrites the CLI goldens.
test:
	go test ./...

# Everything else, slower, with independent judges: the tests behind the oracle build tag
# (cfn-lint, PyYAML, rain's corpus; each fails, saying what to install, when its oracle
# is missing), the bounded fuzzing, the examples as CI sees them, and the moto e2e.
# .ci/run runs make test, then make check.
check: tools
	go test -tags oracle -count=1 ./...
	$(MAKE) --no-print-directory fuzz
	'$(RIGLET_BIN)' compile --check --frozen
	'$(RIGLET_BIN)' lint
	$(MAKE) --no-print-directory e2e

# Every fuzz target for a bounded number of inputs (about 20 s each here): no input may
# panic, hang or expand without bound. Counts rather than seconds, because Go's fuzzer
# can fail with "context deadline exceeded" when its time runs out mid-minimisation.
FUZZ_PARSE ?= 300000x
FUZZ_COMPILE ?= 8000x
FUZZ_INPUTS ?= 4000x
FUZZ_EMIT ?= 40000x
FUZZ_GLOBS ?= 200000x
fuzz:
	go test -run XXX -fuzz '^FuzzParse$$' -fuzztime $(FUZZ_PARSE) ./source/
	go test -run XXX -fuzz '^FuzzCompileBlock$$' -fuzztime $(FUZZ_COMPILE) ./compiler/
	go test -run XXX -fuzz '^FuzzCompileInputs$$' -fuzztime $(FUZZ_INPUTS) ./compiler/
	go test -run XXX -fuzz '^FuzzRoundTrip$$' -fuzztime $(FUZZ_EMIT) ./emit/
	go test -run XXX -fuzz '^FuzzGlobs$$' -fuzztime $(FUZZ_GLOBS) ./priority/

# Compile time and peak memory of the benchmark riglet (N services over 3 envs, on as
# many ALBs as AWS's quotas need): in process with go test -bench, and as a user runs it.
BENCH_SIZES ?= 50 200 800
bench: tools
	go test -run XXX -bench 'BenchmarkCompile' -benchmem -count 3 ./compiler/
	go test -run XXX -bench . ./priority/ ./netplan/ ./emit/
	@for n in $(BENCH_SIZES); do \
		go run ./internal/benchgen/cmd/benchgen -n $$n -o .bench/$$n || exit 1; \
		/usr/bin/time -f "riglet compile, $$n services x 3 envs: %e s wall, %U s user, %M KB peak RSS" \
			'$(RIGLET_BIN)' -C .bench/$$n compile >/dev/null || exit 1; \
	done

# The end-to-end test needs moto (moto_server) and an AWS CLI; it says which is missing.
E2E_FLAGS ?= -v
e2e:
	go test -tags e2e -count=1 -timeout 40m $(E2E_FLAGS) ./e2e/
