# Sourced by functional tests: a scratch directory, helpers, and the
# environment tests/run.sh gives (SHOEBOX, CORPUS, TOP).
set -u
: "${SHOEBOX:?run through tests/run.sh (SHOEBOX unset)}"
: "${CORPUS:?CORPUS unset}"
T=$(mktemp -d "${TMPDIR:-/tmp}/shoebox-t.XXXXXX")
cleanup_hooks=""
cleanup() {
	for h in $cleanup_hooks; do $h; done
	chmod -R u+w "$T" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
LIB=$T/library
export SHOEBOX_LIBRARY=$LIB
# Never the machine's config: the test's own, which takes files at once
# (tests that check the settle time say --settle or write their own).
printf 'settle = 0\n' >"$T/config"
export SHOEBOX_CONFIG="$T/config"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# sb ARGS...: run shoebox, keeping stdout in $T/out, stderr in $T/err, $rc.
sb() {
	rc=0
	"$SHOEBOX" "$@" >"$T/out" 2>"$T/err" || rc=$?
	if [ $rc -gt 2 ]; then
		cat "$T/err" >&2
		fail "shoebox $* exited $rc (crash or signal)"
	fi
	return 0
}

# expect_rc N: the last sb exited N.
expect_rc() {
	[ "$rc" = "$1" ] || { cat "$T/out" "$T/err" >&2; fail "exit status $rc, expected $1"; }
}

# q SQL: query the test library's catalogue.
q() {
	sqlite3 -batch -noheader "$LIB/.shoebox/catalog.db" "$1"
}

# Files in the library, relative, sorted (the catalogue's own dir left out).
libfiles() {
	(cd "$LIB" && find . -type f -not -path './.shoebox/*' | sed 's|^\./||' | LC_ALL=C sort)
}

# card DIR: a fresh camera card layout at DIR with fixed mtimes.
set_mtimes() {
	find "$1" -type f -exec touch -d '2001-02-03 04:05:06 UTC' {} +
}
