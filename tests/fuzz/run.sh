#!/bin/sh
# Run fuzzers: sh tests/fuzz/run.sh SECONDS [fuzz-NAME...]
# Each fuzzer first replays its regression inputs (tests/fuzz/regress/NAME/),
# then runs for SECONDS from those inputs and the seeds listed in
# tests/fuzz/NAME.seeds (globs relative to $CORPUS, default
# ../shared/corpus, one a line; the files of tests/fixtures matching a
# glob's last part are seeds too) into a scratch corpus.
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
secs=${1:-60}
shift
corpus=${CORPUS:-$top/../shared/corpus}
[ $# -gt 0 ] || set -- $(cd build/fuzzers && ls fuzz-* 2>/dev/null | grep -v '\.d$')
rc=0
for name in "$@"; do
	bin=build/fuzzers/$name
	[ -x "$bin" ] || { echo "no fuzzer $bin (make fuzzers)"; rc=1; continue; }
	work=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX")
	if [ -d "tests/fuzz/regress/$name" ]; then
		ls tests/fuzz/regress/$name/* >/dev/null 2>&1 &&
		    { "$bin" -runs=0 tests/fuzz/regress/$name/* || rc=1; }
	fi
	mkdir -p "$work/corpus"
	for f in tests/fuzz/regress/$name/*; do
		[ -f "$f" ] && cp "$f" "$work/corpus/"
	done
	if [ -f "tests/fuzz/$name.seeds" ]; then
		while read -r glob; do
			case "$glob" in ''|'#'*) continue ;; esac
			for f in $corpus/$glob tests/fixtures/${glob##*/}; do
				[ -f "$f" ] && cp "$f" "$work/corpus/"
			done
		done < "tests/fuzz/$name.seeds"
	fi
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" \
	    2>"$work/log" || {
		rc=1
		tail -n 40 "$work/log"
		echo "crash input kept in $work"
		continue
	}
	tail -n 3 "$work/log"
	rm -rf "$work"
done
exit $rc
