#!/bin/sh
# restore --rebuild onto a disk with too little room: the files that do
# not fit are not attempted, the rest come back and are catalogued. The
# message said "make room and run restore again", but a rebuild again
# is refused there (not empty) and a restore there brings nothing: the
# catalogue was made of the files that came, so it said every file
# present, exit 0, the others never back. Now the message says so, and
# that a rebuild into an empty directory with room brings every file;
# one does.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/functional/restore-lib.sh"

[ "$(id -u)" = 0 ] || { echo "needs root to mount a tmpfs"; exit 77; }
D=$T/small
mkdir -p "$D"
mount -t tmpfs -o size=1m shoebox-t0861 "$D" 2>"$T/mount.err" ||
    { echo "cannot mount a tmpfs: $(cat "$T/mount.err")"; exit 77; }
unmount_d() { umount "$D" 2>/dev/null; }
cleanup_hooks="unmount_d"

rs_synced_library
n=$(find "$T/usb" -type f | wc -l)
sb restore --remote usb --rebuild --to "$D/new" --no-progress
expect_rc 1
grep -q "^[0-9]* files on remote usb: .*, [1-9][0-9]* not attempted (the library's disk is full)" \
    "$T/out" || fail "none not attempted: $(cat "$T/out" "$T/err")"
grep -q ": its catalogue will not list them, so a restore there cannot bring them; run restore --rebuild again into an empty directory with room for every file$" \
    "$T/err" || fail "not said: $(cat "$T/err")"
grep -q 'make room and run restore again' "$T/err" &&
    fail "told to run restore again there: $(cat "$T/err")"

sb restore --remote usb --rebuild --to "$T/big" --no-progress
expect_rc 0
grep -q "^$n files on remote usb: $n restored, 0 present" "$T/out" ||
    fail "rebuild with room: $(cat "$T/out" "$T/err")"
exit 0
