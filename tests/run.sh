#!/bin/sh
# Run every test: unit tests (plain and under ASan/UBSan), functional tests
# against ./shoebox and build/asan/shoebox, and a short smoke of each fuzzer.
# TEST_JOBS tests run at once (default: twice the number of CPUs: many tests
# wait on servers, timeouts and sleeps more than they compute), each in its own
# scratch directory; results are printed in a fixed order, and the last line
# is "N passed, N failed" (", N skipped" follows when some were skipped).
#
#   sh tests/run.sh [PATTERN]	only tests whose name contains PATTERN
#   TEST_JOBS=N			N tests at once
#   CORPUS=DIR			the outside sample corpus (default:
#				../shared/corpus when it is there); the tests
#				that compare against all of it skip without it
#   SHOEBOX_TEST_FAST=1		skip the ASan pass of functional tests
#
# Tests see none of the machine's own settings: HOME and XDG_CONFIG_HOME
# are empty directories of this run, SHOEBOX_CONFIG an empty file.

# run.sh --one DIR N: run job N of the run in DIR (what xargs calls).
if [ "${1:-}" = --one ]; then
	d=$2 n=$3
	set --
	while IFS= read -r a; do
		set -- "$@" "$a"
	done <"$d/$n.args"
	rc=0
	start=$(date +%s)
	"$@" >"$d/$n.log" 2>&1 </dev/null || rc=$?
	echo $rc $(($(date +%s) - start)) >"$d/$n.rc.tmp" &&
	    mv "$d/$n.rc.tmp" "$d/$n.rc"
	exit 0
fi

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
pattern=${1:-}
jobs=${TEST_JOBS:-$((2 * $(nproc 2>/dev/null || echo 1)))}
if [ -z "${CORPUS:-}" ] && [ -d "$top/../shared/corpus" ]; then
	CORPUS=$(cd "$top/../shared/corpus" && pwd)
fi
export CORPUS="${CORPUS:-}" TOP="$top"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=86}
# Tests run as if on a machine in UTC unless they say otherwise.
export TZ=UTC
unset SHOEBOX_LIBRARY SHOEBOX_MAGIC AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY \
    AWS_SESSION_TOKEN AWS_PROFILE AWS_CONFIG_FILE AWS_CA_BUNDLE
run=$(mktemp -d "${TMPDIR:-/tmp}/shoebox-tests.XXXXXX") || exit 2
export HOME="$run/home" XDG_CONFIG_HOME="$run/config"
export SHOEBOX_CONFIG="$run/empty.conf"
mkdir -p "$HOME" "$XDG_CONFIG_HOME"
: >"$SHOEBOX_CONFIG"

# add ORDER NAME COMMAND...: queue a test (when its name matches PATTERN).
# Tests start in ORDER ("CLASS KEY", the lowest CLASS first, then the
# highest KEY): the functional tests from the last (the slowest, with
# servers) down, then the fuzzers, then the unit tests.
n=0
add() {
	case "$2" in *"$pattern"*) ;; *) return ;; esac
	n=$((n + 1))
	echo "$1 $n" >>"$run/order"
	printf '%s\n' "$2" >"$run/$n.name"
	shift 2
	printf '%s\n' "$@" >"$run/$n.args"
}

for t in build/tests/test-*; do
	[ -x "$t" ] && add "2 ${t##*/}" "unit/${t##*/}" "$t"
done
for t in build/asan-tests/test-*; do
	[ -x "$t" ] && add "2 ${t##*/}" "unit-asan/${t##*/}" "$t"
done
for bin in shoebox build/asan/shoebox; do
	[ -x "$bin" ] || continue
	label=functional
	if [ "$bin" != shoebox ]; then
		[ -n "${SHOEBOX_TEST_FAST:-}" ] && continue
		label=functional-asan
	fi
	for t in tests/functional/t[0-9]*.sh; do
		[ -f "$t" ] || continue
		t=${t##*/}
		add "0 $t" "$label/${t%.sh}" env SHOEBOX="$top/$bin" \
		    sh "tests/functional/$t"
	done
done
for f in build/fuzzers/fuzz-*; do
	[ -x "$f" ] && add "1 ${f##*/}" "fuzz-smoke/${f##*/}" \
	    sh tests/fuzz/run.sh "${FUZZ_SMOKE_SECONDS:-8}" "${f##*/}"
done

# Start them all, TEST_JOBS at a time; print each result in order.
[ $n = 0 ] || sort -k1,1n -k2,2r "$run/order" | cut -d' ' -f3 |
    xargs -P "$jobs" -I JOB sh "$top/tests/run.sh" --one "$run" JOB &
pool=$!
passed=0 failed=0 skipped=0 failures=""
i=0
while [ $i -lt $n ]; do
	i=$((i + 1))
	while [ ! -f "$run/$i.rc" ]; do
		sleep 0.1
	done
	name=$(cat "$run/$i.name")
	read -r rc secs <"$run/$i.rc"
	log="$run/$(echo "$name" | tr '/ ' '__').log"
	mv "$run/$i.log" "$log"
	if [ "$rc" = 0 ]; then
		passed=$((passed + 1))
		# the slow ones say so
		if [ "$secs" -ge 10 ]; then
			echo "ok      $name ($secs s)"
		else
			echo "ok      $name"
		fi
	elif [ "$rc" = 77 ]; then
		skipped=$((skipped + 1))
		echo "skip    $name: $(tail -n 1 "$log")"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		echo "FAIL    $name (exit $rc)"
		tail -n 30 "$log" | sed 's/^/        | /'
	fi
done
wait $pool

rm -rf "$run/home" "$run/config" "$run/order" "$run"/*.name "$run"/*.args \
    "$run"/*.rc
if [ $failed = 0 ]; then
	rm -rf "$run"
else
	echo "logs of failed tests: $run"
	echo "failed:$failures"
fi
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed = 0 ]
