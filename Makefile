# Build and test riglet itself, and deploy the example riglets: the deploy targets are
# riglet's deploy kit (deploykit/riglet.mk, what `riglet new` gives a riglet repository),
# included below with the tools built from source. `make help` lists both.

# This Makefile's directory, so that `make -f` from elsewhere works.
ROOT := $(dir $(abspath $(lastword $(MAKEFILE_LIST))))

# Inside riglet's own repository the tools are built from source into bin/ before any
# deploy target runs (unless RIGLET_BIN or RIGLETDEPLOY_BIN name others).
RIGLET_BIN ?= $(ROOT)bin/riglet
RIGLETDEPLOY_BIN ?= $(ROOT)bin/rigletdeploy
RIGLET_TOOLS = $(filter $(ROOT)bin/%,$(RIGLET_BIN) $(RIGLETDEPLOY_BIN))
include $(ROOT)deploykit/riglet.mk

.PHONY: example test check fuzz bench e2e bench-diff bench-targets

help:: ## the developer targets
	@echo 'Develop:'
	@echo '  example   build riglet, compile and lint the example riglets in one process (riglet lint --check: out/ must be current)'
	@echo '  bench-diff  riglet diff of the 3 x 800-service riglet against itself with one service changed'
	@echo '  test      the unit and CLI tests (go test ./...): quick, needs only Go'
	@echo '  check     the oracle tests (cfn-lint, PyYAML, rain), bounded fuzzing, compile --check --frozen'
	@echo '            and lint on the examples, and e2e; fails when an oracle is missing (.ci/run installs them)'
	@echo '  bench     compile time and peak memory for 50, 200 and 800 services over 3 envs'
	@echo '  bench-targets  the speed targets (pre-commit path, GOMAXPROCS 1 vs 2, 800 vs 200 services): medians of whole runs, ~7 min'
	@echo '  fuzz      the fuzz targets, a bounded number of inputs each'
	@echo '  e2e       deploy the examples to moto_server through these targets (needs moto and an AWS CLI)'

# The tools. go build is incremental, so building on every run costs little and never
# deploys with a stale binary.
$(ROOT)bin/riglet: FORCE
	@cd '$(ROOT)' && go build -o bin/riglet ./cmd/riglet
$(ROOT)bin/rigletdeploy: FORCE
	@cd '$(ROOT)' && go build -o bin/rigletdeploy ./cmd/rigletdeploy

# The main job on the examples: compile every riglet and lint sources and templates, in
# one process (lint --check compiles once, lints, and fails should out/ or a lock differ
# from what the compile would write: run make compile, review and commit the diff).
example: tools
	'$(RIGLET_BIN)' lint --check && echo 'lint: no errors in any riglet; out/ and the locks are current'

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
FUZZ_SPLIT ?= 300000x
FUZZ_COMPILE ?= 8000x
FUZZ_INPUTS ?= 4000x
FUZZ_EMIT ?= 40000x
FUZZ_GLOBS ?= 200000x
fuzz:
	go test -run XXX -fuzz '^FuzzParse$$' -fuzztime $(FUZZ_PARSE) ./source/
	go test -run XXX -fuzz '^FuzzSplitParse$$' -fuzztime $(FUZZ_SPLIT) ./source/
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
		rm -rf .bench/$$n/out; \
		/usr/bin/time -f "riglet compile, $$n services x 3 envs, from scratch: %e s wall, %U s user, %M KB peak RSS" \
			'$(RIGLET_BIN)' -C .bench/$$n compile >/dev/null || exit 1; \
		RIGLET_CACHE=off /usr/bin/time -f "riglet lint --check, $$n services x 3 envs, unchanged, no cache: %e s wall, %U s user, %M KB peak RSS" \
			'$(RIGLET_BIN)' -C .bench/$$n lint --check >/dev/null || exit 1; \
		RIGLET_CACHE='$(CURDIR)/.bench/cache' '$(RIGLET_BIN)' -C .bench/$$n lint --check >/dev/null || exit 1; \
		RIGLET_CACHE='$(CURDIR)/.bench/cache' /usr/bin/time -f "riglet lint --check, $$n services x 3 envs, unchanged, cached: %e s wall, %U s user, %M KB peak RSS" \
			'$(RIGLET_BIN)' -C .bench/$$n lint --check >/dev/null || exit 1; \
	done
	@# CDK synth of the same shape, for the side-by-side table: installed here when the
	@# npm registry is reachable, else bench.sh says it is skipped
	@if [ ! -d bench/cdk/node_modules/aws-cdk-lib ] && command -v npm >/dev/null; then \
		npm ci --prefix bench/cdk --no-audit --no-fund --loglevel=error || echo 'bench: npm ci --prefix bench/cdk failed: CDK synth is skipped'; \
	fi
	@sh scripts/bench.sh '$(RIGLET_BIN)' .bench

# Generated docs and editors' schemas (issue 16): the block READMEs, docs/reference,
# docs/rules and docs/schema come from the code; make test fails when one is stale.
.PHONY: generate
generate:
	go generate ./...

# The end-to-end test needs moto (moto_server) and an AWS CLI; it says which is missing.
E2E_FLAGS ?= -v
e2e:
	go test -tags e2e -count=1 -timeout 40m $(E2E_FLAGS) ./e2e/

# The speed targets of the pre-commit path and of scaling (issue 18), measured as a
# user meets them: whole processes, medians of several runs, ratios within one run,
# with the load average and the CPU time the hypervisor stole.
bench-targets: tools
	python3 scripts/targets.py '$(RIGLET_BIN)' .bench/targets

# riglet diff of the 3 x 800-service benchmark riglet against itself with one service
# changed: the comparison in process (go test -bench), and the whole run as a user has it.
bench-diff: tools
	go test -run XXX -bench 'BenchmarkCompare' -benchtime 5x ./diff/
	@go run ./internal/benchgen/cmd/benchgen -n 800 -o .bench/diff || exit 1; \
	cd .bench/diff && '$(RIGLET_BIN)' compile >/dev/null && git init -q && git add -A && \
	git -c user.email=bench@example.com -c user.name=bench commit -q -m bench && \
	sed 's|Image: example/svc400$$|Image: example/svc400-v2|' riglets/bench.yaml > riglets/bench.yaml.new && \
	mv riglets/bench.yaml.new riglets/bench.yaml && \
	/usr/bin/time -f "riglet diff, 800 services x 3 envs, one changed: %e s wall, %U s user, %M KB peak RSS" \
		'$(RIGLET_BIN)' diff >/dev/null
