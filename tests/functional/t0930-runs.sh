#!/bin/sh
# Reporting: every import run is a row of the runs table; status shows the
# last runs (text and JSON); on_complete / on_error run with the summary in
# SHOEBOX_* variables (warnings alone are a complete run, a failed file an
# error); a dry run records nothing; messages carry syslog priorities only
# when stderr is the journal's stream (JOURNAL_STREAM matching it); watch
# --sync uploads each batch in the background.
. "$TOP/tests/lib/common.sh"

S=$TOP/tests/sample-card/DCIM/100CANON
mkdir -p "$T/a" "$T/b"
cp "$S/IMG_0001.JPG" "$S/IMG_0002.JPG" "$T/a/"
head -c 3000 "$S/IMG_0004.JPG" >"$T/b/CUT.JPG"
set_mtimes "$T/a"
set_mtimes "$T/b"
cat >"$T/config" <<EOF
settle = 0
on_complete = env | grep '^SHOEBOX_' | sort >"$T/complete.env"
on_error = env | grep '^SHOEBOX_' | sort >"$T/error.env"; exit 3
EOF
val() {	# val FILE NAME: a variable the hook saw
	sed -n "s/^$2=//p" "$1"
}

# A clean run: on_complete, every count.
sb import --no-progress "$T/a"
expect_rc 0
[ -f "$T/complete.env" ] || fail "on_complete not run"
[ "$(val "$T/complete.env" SHOEBOX_EVENT)" = complete ] || fail "event: $(cat "$T/complete.env")"
[ "$(val "$T/complete.env" SHOEBOX_IMPORTED)" = 2 ] || fail "imported: $(cat "$T/complete.env")"
[ "$(val "$T/complete.env" SHOEBOX_FAILED)" = 0 ] && [ "$(val "$T/complete.env" SHOEBOX_EXIT)" = 0 ] &&
	[ "$(val "$T/complete.env" SHOEBOX_COMMAND)" = import ] &&
	[ "$(val "$T/complete.env" SHOEBOX_SOURCES)" = "$T/a" ] &&
	[ "$(val "$T/complete.env" SHOEBOX_RUN_ID)" = 1 ] || fail "summary: $(cat "$T/complete.env")"
[ "$(q "SELECT command, imported, failed, exit_status, outcome FROM runs")" = "import|2|0|0|complete" ] ||
	fail "run row: $(q 'SELECT * FROM runs')"

# Warnings alone (a damaged header, filed): exit 0, and a complete run.
rm -f "$T/complete.env" "$T/error.env"
sb import --no-progress "$T/b"
expect_rc 0
[ -f "$T/complete.env" ] && [ ! -f "$T/error.env" ] || fail "warnings made an error event"
[ "$(val "$T/complete.env" SHOEBOX_WARNINGS)" = 1 ] && [ "$(val "$T/complete.env" SHOEBOX_EXIT)" = 0 ] ||
	fail "warning summary: $(cat "$T/complete.env")"

# A source that is missing: the others imported, exit 2, on_error with
# the reason.
rm -f "$T/complete.env" "$T/error.env"
sb import --no-progress "$T/a" "$T/missing"
expect_rc 2
[ -f "$T/error.env" ] && [ ! -f "$T/complete.env" ] || fail "on_error not run instead of on_complete"
[ "$(val "$T/error.env" SHOEBOX_EVENT)" = error ] && [ "$(val "$T/error.env" SHOEBOX_FAILED)" = 1 ] &&
	[ "$(val "$T/error.env" SHOEBOX_ALREADY)" = 2 ] || fail "error summary: $(cat "$T/error.env")"
val "$T/error.env" SHOEBOX_ERROR | grep -q "1 failed.*missing: No such file" ||
	fail "error text: $(val "$T/error.env" SHOEBOX_ERROR)"
grep -q "on_error: .* exited 3" "$T/err" || fail "hook failure not said"
[ "$(q "SELECT outcome FROM runs ORDER BY id DESC LIMIT 1")" = error ] || fail "error run not recorded"

# A dry run: no row, no hook.
rm -f "$T/complete.env" "$T/error.env"
sb import --dry-run "$T/a"
[ "$(q "SELECT count(*) FROM runs")" = 3 ] || fail "dry run recorded"
[ ! -f "$T/complete.env" ] || fail "dry run ran the hook"

# status: the last runs, newest first; JSON too.
sb status
expect_rc 0
grep -q '^last runs:' "$T/out" || fail "status has no runs: $(cat "$T/out")"
sed -n "/^last runs:/{n;p;}" "$T/out" | grep -q "import FAILED: 0 imported.* 1 failed" || fail "newest run first: $(cat "$T/out")"
grep -q "import ok with warnings" "$T/out" || fail "warnings run: $(cat "$T/out")"
sb status --json
tail -n 1 "$T/out" | python3 -c '
import json, sys
r = json.load(sys.stdin)["runs"]
assert len(r) == 3 and r[0]["outcome"] == "error" and r[2]["imported"] == 2, r
assert r[2]["sources"][0].endswith("/a"), r
' || fail "status --json runs"

# The first warning, as it was printed: a name with a newline (\x0a)
# does not come back as one with a backslash (\\x0a).
mkdir "$T/nl"
cp "$S/IMG_0004.JPG" "$T/nl/new
line.jpg"
printf 'nl' >>"$T/nl/new
line.jpg"	# not the file watch --sync is given below
sb import --no-progress "$T/nl"
expect_rc 0
grep -q 'nl/new\\x0aline.jpg: name is not valid UTF-8' "$T/err" ||
	fail "warning not printed as expected: $(cat "$T/err")"
sb status
grep -q 'first: .*/nl/new\\x0aline.jpg: name' "$T/out" ||
	fail "status changed the warning's name: $(grep first: "$T/out")"

# Journal priorities, only when stderr is the stream JOURNAL_STREAM names.
: >"$T/jerr"
js=$(stat -c '%d:%i' "$T/jerr")
printf 'settle = 0\n' >"$T/config"
JOURNAL_STREAM=$js "$SHOEBOX" import --no-progress --sync "$T/a" "$T/missing" \
    >/dev/null 2>>"$T/jerr"
grep -q '^<4>shoebox: .*missing: No such file' "$T/jerr" || fail "no warning priority: $(cat "$T/jerr")"
grep -q '^<3>shoebox: import of .* failed' "$T/jerr" || fail "no error priority: $(cat "$T/jerr")"
JOURNAL_STREAM=$js "$SHOEBOX" -v import --no-progress --sync "$T/a" >/dev/null 2>>"$T/jerr"
grep -q '^<6>shoebox: no \[remote\]' "$T/jerr" || fail "no info priority: $(cat "$T/jerr")"
JOURNAL_STREAM=1:1 "$SHOEBOX" import --no-progress "$T/missing" >/dev/null 2>"$T/jerr2"
grep -q '^<' "$T/jerr2" && fail "priorities on a stream that is not the journal's"
grep -q '^shoebox: ' "$T/jerr2" || fail "plain message missing"

# watch --sync: each batch uploaded by a process beside the watch.
mkdir "$T/remote" "$T/drop"
printf 'settle = 0\n[remote usb]\ntype = dir\npath = %s\n' "$T/remote" >"$T/config"
"$SHOEBOX" watch --sync "$T/drop" >"$T/w.out" 2>"$T/w.err" &
wpid=$!
sleep 1
cp "$S/IMG_0004.JPG" "$T/drop/W.JPG"
n=0
while [ ! -f "$T/remote/2003/09/25/W.JPG" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
kill -TERM $wpid
rc=0
wait $wpid || rc=$?
[ -f "$T/remote/2003/09/25/W.JPG" ] || { cat "$T/w.err"; fail "watch --sync did not upload"; }
cmp -s "$T/remote/2003/09/25/W.JPG" "$S/IMG_0004.JPG" || fail "upload differs"
[ $rc = 0 ] || fail "watch exited $rc"
exit 0
