#!/bin/sh
# Whole processes side by side: riglet against what a user would run instead, on the same
# input, in paired runs (riglet, then the other, RUNS times), medians, with the machine's
# load average. Cross-tool figures compare processes with processes, never riglet's warm
# in-process loop (go test -bench) with a cold process of another tool.
#
#   sh scripts/bench.sh RIGLET_BIN BENCH_DIR      (make bench runs it)
#
# A tool that is not installed is skipped with a message saying how to install it.
set -eu
RIGLET=$1
BENCH=$2
RUNS=${RUNS:-5}
SLOW_RUNS=${SLOW_RUNS:-1}

secs() { # seconds of wall time of one run of "$@", output discarded
	/usr/bin/time -f %e -o "$BENCH/.time" "$@" >/dev/null 2>&1 || true
	tail -n 1 "$BENCH/.time"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# pair NAME RUNS "riglet command" "other command": medians and the ratio, one table row
pair() {
	name=$1 runs=$2 mine=$3 theirs=$4
	: >"$BENCH/.a"
	: >"$BENCH/.b"
	i=0
	while [ "$i" -lt "$runs" ]; do
		secs sh -c "$mine" >>"$BENCH/.a"
		secs sh -c "$theirs" >>"$BENCH/.b"
		i=$((i + 1))
	done
	a=$(median <"$BENCH/.a")
	b=$(median <"$BENCH/.b")
	printf '| %s | %s s | %s s | %s |\n' "$name" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0) printf "%.1fx", b / a; else print "-" }')"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; medians of paired runs"
echo
echo '| what | riglet | the other tool | riglet is faster by |'
echo '| --- | --- | --- | --- |'
large=lint/testdata/bench/large.yaml
if command -v cfn-lint >/dev/null; then
	pair "lint one $(($(wc -c <"$large") / 1024)) KB template: riglet lint vs cfn-lint" "$RUNS" \
		"'$RIGLET' lint '$large'" "cfn-lint '$large'"
	pair "lint the 3 x 50-service riglet: riglet lint (sources and templates) vs cfn-lint (templates)" "$SLOW_RUNS" \
		"'$RIGLET' -C '$BENCH/50' lint" "cfn-lint '$BENCH/50/out/**/*.yaml'"
else
	echo '| cfn-lint | skipped: not installed (pip install cfn-lint) | | |'
fi
if command -v rain >/dev/null; then
	pair "3 x 200 services: riglet compile vs rain fmt of its output" "$RUNS" \
		"rm -rf '$BENCH/200/out' && '$RIGLET' -C '$BENCH/200' compile" \
		"for f in '$BENCH'/200/out/*/*/*.yaml; do rain fmt \"\$f\" >/dev/null || exit 1; done"
else
	echo '| rain fmt | skipped: not installed (go install github.com/aws-cloudformation/rain/cmd/rain@latest) | | |'
fi
if [ -d oracles/npm/cdk/node_modules/aws-cdk-lib ]; then
	echo '| CDK synth | skipped: riglet has no CDK app of the benchmark shape yet | | |'
else
	echo '| CDK synth | skipped: aws-cdk-lib not installed (npm install --prefix oracles/npm/cdk aws-cdk-lib) | | |'
fi
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$BENCH/.time" "$BENCH/.a" "$BENCH/.b"
