# riglet's deploy kit: make targets that deploy a riglet's committed out/ with the AWS CLI
# (DESIGN.md section 10). A riglet repository includes it from its Makefile:
#
#   include deploykit/riglet.mk
#
# `riglet new` writes it there with deploy.sh beside it; riglet's own Makefile includes it
# too. `make help` lists the targets; docs/deploy.md walks through a first deploy.
#
#   make create-foundation ENV=staging [RIGLET=twig] [PROFILE=p]
#   make update-app-twig-api ENV=staging IMAGE_TAG=2
#   make delete-environment ENV=staging YES=1
#
# Every deploy target first runs `riglet compile --check --frozen`, so that what is deployed
# is the committed out/ that was reviewed, then checks that the credentials are for the env's
# account, then calls `aws cloudformation deploy` with what out/<riglet>/<env>/stacks.json says.
#
# The includer may set, before the include: RIGLET_BIN and RIGLETDEPLOY_BIN (default: riglet
# and rigletdeploy from PATH), and RIGLET_TOOLS, the files to make before either runs
# (riglet's own Makefile builds them from source).

SHELL := /bin/sh
.DEFAULT_GOAL := help
.SUFFIXES:

# This file's directory: deploy.sh sits beside it, and `make -f` from elsewhere works.
RIGLET_KIT := $(dir $(abspath $(lastword $(MAKEFILE_LIST))))

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

RIGLET_BIN ?= riglet
RIGLETDEPLOY_BIN ?= rigletdeploy
RIGLET_TOOLS ?=

# RIGLET defaults to the only riglets/*.yaml.
RIGLETS := $(sort $(basename $(notdir $(wildcard riglets/*.yaml))))
ifeq ($(origin RIGLET),undefined)
ifeq ($(words $(RIGLETS)),1)
RIGLET := $(RIGLETS)
endif
endif
ENVS = $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard $(OUT)/$(RIGLET)/*/stacks.json)))))
ENV_DIR = $(OUT)/$(RIGLET)/$(ENV)
DEPLOY = RIGLETDEPLOY='$(RIGLETDEPLOY_BIN)' sh '$(RIGLET_KIT)deploy.sh'

.PHONY: help compile lint tools FORCE need-riglet need-env verify \
	committed check-env create-environment update-environment delete-environment status-environment delete-retired

# help is a double-colon rule so that an including Makefile can add its own section.
help:: tools ## list the targets
	@echo 'Deploy (ENV=<env> required; RIGLET=<name> when riglets/ has several):'
	@echo '  create-<stack>       create or update a stack: make create-foundation ENV=staging'
	@echo '  update-<stack>       update an existing stack; IMAGE_TAG=<tag> sets every ImageTag'
	@echo '  changeset-<stack>    create a change set and show what it would change'
	@echo '  delete-<stack>       delete a stack (asks first; YES=1 does not)'
	@echo '  status-<stack>       show the stack status'
	@echo '  outputs-<stack>      show the stack outputs'
	@echo '  diff-<stack>         riglet diff of the sources now against the deployed template (FORMAT=text|markdown|json)'
	@echo '  create-environment   create every stack of ENV, in dependency order'
	@echo '  update-environment   update every stack of ENV, in dependency order'
	@echo '  delete-environment   delete every stack of ENV, retired ones first, in reverse order (YES=1 to skip asking)'
	@echo '  status-environment   show the status of every stack of ENV'
	@echo '  check-env            check the AWS CLI, credentials, region, bootstrap and certificate of ENV'
	@echo '  delete-retired       delete the stacks removed from the spec that the lock keeps (riglet plan lists'
	@echo '                       them); update the rest first, then riglet lock prune'
	@echo '  compile, lint        riglet compile (out/ and the lock), riglet lint'
	@echo 'First deploy: make create-bootstrap ENV=shared, make check-env ENV=<env>, make create-environment ENV=<env> IMAGE_TAG=<tag>'
	@echo 'Options: PROFILE=<aws profile> IMAGE_TAG=<tag> S3_BUCKET=<bucket for templates over 51,200 bytes>'
	@echo '         ALLOW_DIRTY=1 (deploy an out/ or lock that differs from git HEAD) BOOTSTRAP=<shared stack, default bootstrap>'
	@echo '         AWS=<aws cli> AWS_ARGS=<global options, e.g. --endpoint-url=...> OUTPUT=table|json|text'
	@# The stack lists come from rigletdeploy: when it fails, say so, never an empty list.
	@if [ -n '$(RIGLET)' ]; then \
		echo 'Riglet $(RIGLET), envs: $(or $(ENVS),none (run make compile))'; \
		for e in $(ENVS); do \
			stacks=$$('$(RIGLETDEPLOY_BIN)' stacks '$(OUT)/$(RIGLET)/'"$$e") || { \
				echo "make: cannot list the stacks of env $$e: the command above failed (is rigletdeploy installed? go install github.com/riglet/riglet/cmd/rigletdeploy@latest, or set RIGLETDEPLOY_BIN)" >&2; exit 1; }; \
			printf '  %s: %s\n' "$$e" "$$(echo $$stacks)"; \
		done; \
	elif [ -n '$(RIGLETS)' ]; then echo 'Riglets: $(RIGLETS) (choose with RIGLET=)'; fi

# What the includer builds first (riglet's own Makefile: bin/riglet and bin/rigletdeploy).
tools: $(RIGLET_TOOLS)
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

# riglet diff against what is deployed: make diff-<stack> ENV=staging [FORMAT=markdown]
# fetches the stack's deployed template (aws cloudformation get-template) into a temp
# directory laid out as out/ and compares the sources compiled now with it (riglet diff
# --old): replacements, data loss and security changes before an update, at the source line.
FORMAT ?= text
diff-%: need-env tools
	@name=$$('$(RIGLETDEPLOY_BIN)' get '$(ENV_DIR)' '$*' stackName) || exit 1; \
	region=$$('$(RIGLETDEPLOY_BIN)' field '$(ENV_DIR)' region) || exit 1; \
	tmp=$$(mktemp -d) || exit 1; trap 'rm -rf "$$tmp"' EXIT; \
	mkdir -p "$$tmp/$(RIGLET)/$(ENV)" && \
	$(AWS) $(AWS_ARGS) $(if $(PROFILE),--profile '$(PROFILE)') --region "$$region" cloudformation get-template \
		--stack-name "$$name" --template-stage Original --query TemplateBody --output text \
		> "$$tmp/$(RIGLET)/$(ENV)/$*.yaml" && \
	'$(RIGLET_BIN)' diff '$(RIGLET)' --env '$(ENV)' --old "$$tmp" --format '$(FORMAT)'

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

# Stacks removed from the spec stay in the lock as retired until deleted from AWS.
delete-retired: need-env tools
	@$(DEPLOY) delete-retired '$(ENV_DIR)'

compile: tools
	'$(RIGLET_BIN)' compile $(RIGLET) --out '$(OUT)'

lint: tools
	'$(RIGLET_BIN)' lint $(RIGLET)
