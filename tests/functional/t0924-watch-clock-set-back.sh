#!/bin/sh
# shoebox watch with the date set back an hour while it runs (NTP's first
# sync on a NAS that booted fast, an admin's date -s; a shim moves the
# process's wall clock): a file that arrived just before is still
# imported once it settled, in seconds, not an hour later, and a file
# arriving after the jump too; the watched folder is still looked at
# every 2 s (one removed and made again is noticed). Waits are counted on
# the monotonic clock; the wall clock is only for files' times.
. "$TOP/tests/lib/common.sh"

shim clockjump

S=$TOP/tests/sample-card/DCIM/100CANON
D=$T/drop
mkdir -p "$D"
echo 0 >"$T/jump"

stop() {
	[ -n "${wpid:-}" ] && kill -TERM "$wpid" 2>/dev/null
	wait 2>/dev/null
}
cleanup_hooks="stop"

CLOCKJUMP=$T/jump LD_PRELOAD="$T/clockjump.so" \
    "$SHOEBOX" watch --settle 2s "$D" >"$T/w.out" 2>"$T/w.err" &
wpid=$!
wait_until 10 grep -q 'start: looking at every file' "$T/w.err" ||
    fail "watch did not start: $(cat "$T/w.err")"
sleep 1

has() {
	[ "$(libfiles | grep -c "$1")" = 1 ]
}
cp "$S/IMG_0002.JPG" "$D/BEFORE.JPG"
sleep 0.5
echo -3600 >"$T/jump"
wait_until 10 has BEFORE.JPG ||
    fail "a file that arrived before the clock was set back was not imported: $(cat "$T/w.err")"
cp "$S/IMG_0004.JPG" "$D/AFTER.JPG"
wait_until 10 has AFTER.JPG ||
    fail "a file that arrived after the clock was set back was not imported: $(cat "$T/w.err")"
mv "$D" "$D.old" && mkdir "$D"
wait_until 10 grep -q 'is another folder now\|is back' "$T/w.err" ||
    fail "the watched folder not looked at after the clock was set back: $(cat "$T/w.err")"
kill -0 "$wpid" || fail "the watch died: $(cat "$T/w.err")"
