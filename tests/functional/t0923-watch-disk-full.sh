#!/bin/sh
# shoebox watch with the library's disk full: files that did not fit are
# not lost, neither those arriving meanwhile nor those already in the drop
# folder when the watch starts; once room is made they are imported with no
# new event for them (tried again every SHOEBOX_WATCH_RETRY seconds, here
# 2), each once, and with --move their sources go only once filed; nor
# those there when it started before the library's disk was mounted.
. "$TOP/tests/lib/common.sh"

[ "$(id -u)" = 0 ] || { echo "needs root to mount a tmpfs"; exit 77; }
mkdir -p "$LIB"
mount -t tmpfs -o size=2m shoebox-t0923 "$LIB" 2>"$T/mount.err" ||
    { echo "cannot mount a tmpfs: $(cat "$T/mount.err")"; exit 77; }
stop() {
	[ -n "${wpid:-}" ] && kill -TERM "$wpid" 2>/dev/null
	wait 2>/dev/null
	umount "$LIB" 2>/dev/null
}
cleanup_hooks="stop"

D=$T/drop
mkdir -p "$D"
dated_jpegs "$T/jpegs" 6
sb import --no-progress "$T/jpegs/IMG_0006.JPG"
expect_rc 0
# Fill the library's disk but for 100 kB: under what the catalogue keeps
# free, so no photo fits.
avail=$(df -k --output=avail "$LIB" | tail -1)
dd if=/dev/zero of="$LIB/filler" bs=1k count=$((avail - 100)) 2>/dev/null
cp "$T/jpegs/IMG_0001.JPG" "$T/jpegs/IMG_0002.JPG" "$D/"

SHOEBOX_WATCH_RETRY=2 "$SHOEBOX" watch --move --settle 1s "$D" \
    >"$T/w.out" 2>"$T/w.err" &
wpid=$!
wait_until 10 grep -q 'No space left' "$T/w.err" ||
    fail "the full disk not said: $(cat "$T/w.err")"
# One arriving while the disk is full.
cp "$T/jpegs/IMG_0003.JPG" "$D/"
sleep 3
[ "$(libfiles | grep -c 'IMG_000[123]')" = 0 ] ||
    fail "filed on a full disk: $(libfiles)"
[ -f "$D/IMG_0001.JPG" ] && [ -f "$D/IMG_0003.JPG" ] ||
    fail "a source that did not fit was removed"
rm "$LIB/filler"
filed() {
	[ "$(libfiles | grep -c 'IMG_000[123]')" = 3 ]
}
wait_until 15 filed ||
    fail "files left by the full disk never imported after room was made: $(libfiles; cat "$T/w.err")"
has4() {
	libfiles | grep -q IMG_0004
}
emptied() {
	[ -z "$(ls -A "$D")" ]
}
wait_until 5 emptied ||
    fail "sources not removed once filed: $(ls "$D")"
[ "$(q "SELECT count(*) FROM files WHERE path LIKE '%IMG_000_.JPG'")" = 4 ] ||
    fail "catalogue: $(q 'SELECT path FROM files')"
kill -0 "$wpid" || fail "the watch died: $(cat "$T/w.err")"
kill -TERM "$wpid"
wait "$wpid"

# The watch started at boot before the library's disk was mounted (the
# units set SHOEBOX_NEW_LIBRARY=no): what was in the drop folder then is
# imported once the library is there, with no new event for it.
umount "$LIB"
cp "$T/jpegs/IMG_0004.JPG" "$D/"
sleep 2		# settled before the start: found by its first look only
SHOEBOX_NEW_LIBRARY=no SHOEBOX_WATCH_RETRY=2 "$SHOEBOX" watch --settle 1s \
    "$D" >"$T/w.out" 2>"$T/w.err" &
wpid=$!
wait_until 10 grep -q 'no catalogue there' "$T/w.err" ||
    fail "the missing library not said: $(cat "$T/w.err")"
sb import --no-progress "$T/jpegs/IMG_0005.JPG"
expect_rc 0
wait_until 10 has4 ||
    fail "a file there at the start never imported once the library was: $(libfiles; cat "$T/w.err")"
