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
	echo '| rain fmt | skipped: not installed (go install github.com/aws-cloudformation/rain/cmd/rain@v1.23.1, the version go.mod pins) | | |'
fi
# CDK synth of the same shape (bench/cdk/bench-app.js: the benchmark riglet's
# stacks as a CDK app), the node process that `cdk synth` runs, against riglet compile.
if [ -d bench/cdk/node_modules/aws-cdk-lib ] && command -v node >/dev/null; then
	for n in 50 200; do
		pair "3 x $n services: riglet compile vs CDK synth of the same shape" "$SLOW_RUNS" \
			"rm -rf '$BENCH/$n/out' && '$RIGLET' -C '$BENCH/$n' compile" \
			"rm -rf '$BENCH/cdk.out' && node bench/cdk/bench-app.js $n '$BENCH/cdk.out'"
	done
else
	echo '| CDK synth | skipped: aws-cdk-lib not installed (npm ci --prefix bench/cdk) | | |'
fi

# riglet's own figures where users wait, on the 3 x 800-service riglet (and 200).
# secs_rss "$@": wall seconds and peak RSS (KB) of one run, output discarded
secs_rss() {
	/usr/bin/time -f '%e %M' -o "$BENCH/.time" "$@" >/dev/null 2>&1 || true
	tail -n 1 "$BENCH/.time"
}
if [ -d "$BENCH/800" ] && [ -d "$BENCH/200" ]; then
	echo
	echo '| riglet, 3 envs | median wall | median peak RSS |'
	echo '| --- | --- | --- |'
	# The pre-commit path after one service changed: each run changes svc400's image
	# again (a state no cache has seen), then lint --check, with the cache warm from
	# the runs before, as on a developer's machine.
	pc=$BENCH/precommit
	rm -rf "$pc" "$BENCH/cache-pc"
	cp -R "$BENCH/800" "$pc"
	"$RIGLET" -C "$pc" compile >/dev/null
	RIGLET_CACHE="$(cd "$BENCH" && pwd)/cache-pc" "$RIGLET" -C "$pc" lint --check >/dev/null 2>&1 || true
	: >"$BENCH/.a"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		sed "s|Image: example/svc400.*\$|Image: example/svc400-v$i|" "$pc/riglets/bench.yaml" >"$pc/riglets/bench.yaml.new"
		mv "$pc/riglets/bench.yaml.new" "$pc/riglets/bench.yaml"
		RIGLET_CACHE="$(cd "$BENCH" && pwd)/cache-pc" secs_rss "$RIGLET" -C "$pc" lint --check >>"$BENCH/.a"
		i=$((i + 1))
	done
	printf '| lint --check, 800 services, one changed (pre-commit) | %s s | %s MB |\n' \
		"$(cut -d' ' -f1 "$BENCH/.a" | median)" "$(cut -d' ' -f2 "$BENCH/.a" | median | awk '{ printf "%d", $1 / 1024 }')"
	# Both cores: lint with no cache at GOMAXPROCS 1 and 2, in paired runs; and how
	# lint scales from 200 to 800 services.
	: >"$BENCH/.a"
	: >"$BENCH/.b"
	: >"$BENCH/.c"
	: >"$BENCH/.d"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		GOMAXPROCS=1 RIGLET_CACHE=off secs "$RIGLET" -C "$BENCH/800" lint >>"$BENCH/.a"
		GOMAXPROCS=2 RIGLET_CACHE=off secs "$RIGLET" -C "$BENCH/800" lint >>"$BENCH/.b"
		RIGLET_CACHE=off secs "$RIGLET" -C "$BENCH/200" lint >>"$BENCH/.c"
		RIGLET_CACHE=off secs "$RIGLET" -C "$BENCH/200" lint --check >>"$BENCH/.d"
		i=$((i + 1))
	done
	one=$(median <"$BENCH/.a")
	two=$(median <"$BENCH/.b")
	printf '| lint, 800 services, no cache, GOMAXPROCS 1 / 2 | %s s / %s s: %s faster on two cores | |\n' \
		"$one" "$two" "$(awk -v a="$one" -v b="$two" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')"
	: >"$BENCH/.e"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		RIGLET_CACHE=off secs "$RIGLET" -C "$BENCH/800" lint --check >>"$BENCH/.e"
		i=$((i + 1))
	done
	small=$(median <"$BENCH/.c")
	smallc=$(median <"$BENCH/.d")
	bigc=$(median <"$BENCH/.e")
	printf '| lint / lint --check, no cache, time(800) / time(200) | %s / %s | |\n' \
		"$(awk -v a="$two" -v b="$small" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')" \
		"$(awk -v a="$bigc" -v b="$smallc" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
	rm -rf "$pc" "$BENCH/cache-pc"
fi
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$BENCH/.time" "$BENCH/.a" "$BENCH/.b" "$BENCH/.c" "$BENCH/.d" "$BENCH/.e"
