#!/bin/sh
# shoebox watch stopped (SIGTERM: systemctl stop) while a batch waits for
# the library's lock, held by a long import beside it: it stops at once,
# exit 0, nothing filed, the file kept; not after the import ends (hours
# for a big card, by when systemd has killed it).
. "$TOP/tests/lib/common.sh"

S=$TOP/tests/sample-card/DCIM/100CANON
D=$T/drop
mkdir -p "$D"
sb import --no-progress "$S/IMG_0001.JPG"
expect_rc 0

stop() {
	[ -n "${wpid:-}" ] && kill -KILL "$wpid" 2>/dev/null
	[ -n "${lpid:-}" ] && kill "$lpid" 2>/dev/null
	wait 2>/dev/null
}
cleanup_hooks="stop"

# The lock held as import holds it (flock), by one process to kill.
python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "a")
fcntl.flock(f, fcntl.LOCK_EX)
time.sleep(30)' "$LIB/.shoebox/lock" >/dev/null 2>&1 &
lpid=$!
"$SHOEBOX" watch --settle 1s "$D" >"$T/w.out" 2>"$T/w.err" &
wpid=$!
wait_until 10 grep -q 'start: looking at every file' "$T/w.err" ||
    fail "watch did not start: $(cat "$T/w.err")"
cp "$S/IMG_0002.JPG" "$D/"
wait_until 10 grep -q 'waiting for it to finish' "$T/w.err" ||
    fail "the batch did not wait for the lock: $(cat "$T/w.err")"
kill -TERM "$wpid"
gone() {
	! kill -0 "$wpid"
}
wait_until 3 gone ||
    fail "SIGTERM did not stop a watch waiting for the library's lock: $(cat "$T/w.err")"
rc=0
wait "$wpid" || rc=$?
wpid=""
[ "$rc" = 0 ] || fail "exit status $rc after SIGTERM: $(cat "$T/w.err")"
[ -f "$D/IMG_0002.JPG" ] || fail "the file went"
[ "$(libfiles | grep -c IMG_0002)" = 0 ] || fail "filed: $(libfiles)"
