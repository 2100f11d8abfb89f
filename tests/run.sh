#!/bin/sh
# Run every test: unit tests (plain and under ASan/UBSan), functional tests
# against ./shoebox and build/asan/shoebox, and a short smoke of each fuzzer.
# Ends with one line "N passed, N failed".
#
#   sh tests/run.sh [PATTERN]	only tests whose name contains PATTERN
#   SHOEBOX_TEST_FAST=1		skip the ASan pass of functional tests
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
pattern=${1:-}
CORPUS=${CORPUS:-$(cd "$top/../shared/corpus" 2>/dev/null && pwd)}
export CORPUS TOP="$top"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=86}
# Tests run in UTC unless the caller sets TZ or a test says otherwise.
export TZ=${TZ:-UTC}
unset SHOEBOX_LIBRARY XDG_CONFIG_HOME
export HOME="${TMPDIR:-/tmp}/shoebox-test-home.$$"
mkdir -p "$HOME"

passed=0 failed=0 skipped=0 failures=""
logdir=$(mktemp -d "${TMPDIR:-/tmp}/shoebox-tests.XXXXXX")

# run NAME COMMAND...: run one test, log its output, count the result.
run() {
	name=$1
	shift
	case "$name" in *"$pattern"*) ;; *) return ;; esac
	log="$logdir/$(echo "$name" | tr '/ ' '__').log"
	"$@" >"$log" 2>&1
	rc=$?
	if [ $rc = 0 ]; then
		passed=$((passed + 1))
		echo "ok      $name"
	elif [ $rc = 77 ]; then
		skipped=$((skipped + 1))
		echo "skip    $name: $(tail -n 1 "$log")"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		echo "FAIL    $name (exit $rc)"
		tail -n 30 "$log" | sed 's/^/        | /'
	fi
}

for t in build/tests/test-*; do
	[ -x "$t" ] || continue
	run "unit/${t##*/}" "$t"
done
for t in build/asan-tests/test-*; do
	[ -x "$t" ] || continue
	run "unit-asan/${t##*/}" "$t"
done

for bin in shoebox build/asan/shoebox; do
	[ -x "$bin" ] || continue
	[ "$bin" != shoebox ] && [ -n "${SHOEBOX_TEST_FAST:-}" ] && continue
	label=functional
	[ "$bin" != shoebox ] && label=functional-asan
	for t in tests/functional/t[0-9]*.sh; do
		[ -f "$t" ] || continue
		n=${t##*/}
		run "$label/${n%.sh}" env SHOEBOX="$top/$bin" sh "$t"
	done
done

if ls build/fuzzers/fuzz-* >/dev/null 2>&1; then
	for f in build/fuzzers/fuzz-*; do
		run "fuzz-smoke/${f##*/}" sh tests/fuzz/run.sh \
		    "${FUZZ_SMOKE_SECONDS:-8}" "${f##*/}"
	done
fi

rm -rf "$HOME"
if [ $failed = 0 ]; then
	rm -rf "$logdir"
else
	echo "logs of failed tests: $logdir"
	echo "failed:$failures"
fi
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed = 0 ]
