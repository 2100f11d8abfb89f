# safety-lib.sh: shared by the data-safety tests (t07NN, issue 9 "Never
# lose a picture"). Sourced, not run. On top of common.sh it gives:
#
#   CARD		tests/sample-card/DCIM/100CANON: the only media used,
#			so these tests run in a bare clone ($CORPUS unused)
#   CFG		a config with "settle = 0": files made a moment ago are
#			taken (a shoebox without the key ignores it)
#   csb ARGS...	sb -c CFG ARGS
#   hsb ARGS...	the same with tests/lib/hook.c preloaded; the caller
#			exports SB_HOOK_ON, SB_HOOK_CMD ... (see hook.c)
#   hook_fired		fail unless the hook fired (the race really happened)
#   sum FILE		its SHA-256
#   lib_count FILE	how many library files hold FILE's content
#   cat_count FILE	how many catalogue rows hold FILE's content
#   named FILE		fail unless stdout or stderr names FILE
#   stop_writer		a test's writer in the background ($writer), which
#			waits for $T/go: told to go on and waited for (the
#			test's cleanup hook too)

. "$TOP/tests/lib/common.sh"

CARD=$TOP/tests/sample-card/DCIM/100CANON
CFG=$T/config
printf 'settle = 0\n' >"$CFG"

command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
shim hook

csb() {
	sb -c "$CFG" "$@"
}

hsb() {
	rc=0
	sb_args="$* (hooked)"
	LD_PRELOAD="$T/hook.so" SB_HOOK_LOG="$T/hook.log" \
	    "$SHOEBOX" -c "$CFG" "$@" >"$T/out" 2>"$T/err" || rc=$?
	if [ $rc -gt 2 ]; then
		cat "$T/out" "$T/err" >&2
		fail "shoebox $* exited $rc (crash or signal)"
	fi
	return 0
}

hook_fired() {
	grep -q '^fired' "$T/hook.log" 2>/dev/null ||
	    fail "the hook ($SB_HOOK_ON) never fired: the race was not tested"
	rm -f "$T/hook.log"
}

sum() {
	sha256sum <"$1" | cut -d' ' -f1
}

lib_count() {
	[ -d "$LIB" ] || { echo 0; return; }
	s=$(sum "$1")
	libfiles | while IFS= read -r p; do
		[ "$(sum "$LIB/$p")" = "$s" ] && echo "$p"
	done | wc -l | tr -d ' '
}

cat_count() {
	if [ -f "$LIB/.shoebox/catalog.db" ]; then
		q "SELECT count(*) FROM files WHERE lower(hex(sha256)) = '$(sum "$1")'"
	else
		echo 0
	fi
}

named() {
	grep -qF "$1" "$T/out" "$T/err" ||
	    { cat "$T/out" "$T/err" >&2; fail "no message names $1"; }
}

stop_writer() {
	touch "$T/go"
	wait $writer 2>/dev/null
}
