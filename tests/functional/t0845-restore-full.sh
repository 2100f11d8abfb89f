#!/bin/sh
# shoebox restore onto a disk with too little room: the files bigger than
# what is free (less room for the catalogue) are not attempted, the
# smaller ones still come back; one message says what is free and what
# the rest need, the summary counts them, exit 1; nothing half-written is
# left. With room again, a restore into the same library brings the rest.
# A disk out of inodes stops the restore at the first file, saying why.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/functional/restore-lib.sh"

[ "$(id -u)" = 0 ] || { echo "needs root to mount a tmpfs"; exit 77; }
D=$T/small
mkdir -p "$D"
mount -t tmpfs -o size=1m shoebox-t0845 "$D" 2>"$T/mount.err" ||
    { echo "cannot mount a tmpfs: $(cat "$T/mount.err")"; exit 77; }
unmount_d() { umount "$D" 2>/dev/null; }
cleanup_hooks="unmount_d"

rs_synced_library
n=$(q "SELECT count(*) FROM files")
# whole: every file restored is the library's, byte for byte; no temporary.
whole() {
	(cd "$D/lib" && find . -path ./.shoebox -prune -o -type f -print) |
	    while IFS= read -r f; do
		cmp -s "$D/lib/$f" "$LIB/$f" || { echo "$f"; break; }
	done >"$T/bad"
	[ -s "$T/bad" ] && fail "not whole: $(cat "$T/bad")"
	[ -z "$(ls -A "$D/lib/.shoebox/tmp")" ] || fail "left in .shoebox/tmp"
}

sb restore --remote usb --to "$D/lib" --no-progress
cat "$T/out" "$T/err"
expect_rc 1
got=$(find "$D/lib" -path "$D/lib/.shoebox" -prune -o -type f -print | wc -l)
[ "$got" -gt 0 ] || fail "nothing restored: the small files fit"
[ "$got" -lt "$n" ] || fail "everything fitted: make the disk smaller"
left=$((n - got))
[ "$(grep -c '^shoebox: ' "$T/err")" = 1 ] || fail "not one message"
grep -q "^shoebox: library $D/lib: No space left on device: [0-9.]* [kM]\{0,1\}B free, [0-9.]* [kM]B needed for the $left files\{0,1\} not attempted (with room for the catalogue): make room and run restore again$" "$T/err" ||
    fail "the message"
grep -q "^$n files on remote usb: $got restored, 0 present, 0 different, 0 failed, $left not attempted (the library's disk is full)" "$T/out" ||
    fail "the summary"
whole

mount -o remount,size=64m "$D" || fail "grow"
sb -L "$D/lib" restore --remote usb --no-progress
expect_rc 0
grep -q "^$n files on remote usb: $left restored, $got present, 0 different, 0 failed" "$T/out" ||
    fail "room again: $(cat "$T/out")"
whole
sb -L "$D/lib" verify --no-progress
expect_rc 0

# No inodes left once the catalogue is open (its WAL and shared memory
# files take two): the first file stops it.
umount "$D"
mount -t tmpfs -o size=64m shoebox-t0845 "$D" || fail "remount"
sb restore --remote usb --to "$D/lib" --no-progress --since 2999
used=$(df --output=iused "$D" | tail -n 1)
mount -o remount,nr_inodes=$((used + 3)) "$D" || fail "no inodes"
sb -L "$D/lib" restore --remote usb --no-progress
cat "$T/out" "$T/err"
expect_rc 1
grep -q "No space left on device" "$T/err" || fail "no inodes: the reason"
grep -q "^shoebox: restore stopped: the library's disk is full; make room; what was restored stays; run it again to finish$" "$T/err" ||
    fail "no inodes: not stopped at once"
[ "$(grep -c 'No space left on device' "$T/err")" = 1 ] || fail "no inodes: one file tried"
whole
exit 0
