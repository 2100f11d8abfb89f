#!/bin/sh
# A photo shot a moment before the card went in (its mtime seconds ago) on
# a card mounted read-only, as the card unit mounts it: no program can be
# writing to a filesystem read-only as a whole, so the photo is filed at
# once, not "still arriving" and left on a card the user may then format.
# A read-only bind mount of a folder others write to (its filesystem
# writable) still waits the settle time.
. "$TOP/tests/lib/common.sh"
[ "$(id -u)" = 0 ] || { echo "skipped: needs root to mount"; exit 77; }
CARD=$T/card
mkdir -p "$CARD" "$T/rw" "$T/view"
mount -t tmpfs -o size=8m shoebox-t0257 "$CARD" 2>"$T/mount.err" ||
    { echo "skipped: cannot mount a tmpfs: $(cat "$T/mount.err")"; exit 77; }
umount_all() {
	umount "$T/view" 2>/dev/null
	umount "$CARD" 2>/dev/null
}
cleanup_hooks="$cleanup_hooks umount_all"
distinct_jpegs "$CARD/DCIM/100CANON" 1 2 fresh
mount -o remount,ro "$CARD" || fail "remount read-only"
printf 'settle = 30\n' >"$T/config"
sb import --no-progress "$CARD"
expect_rc 0
grep -q "^2 files seen: 2 imported" "$T/out" ||
    { cat "$T/out" "$T/err" >&2; fail "fresh photos on a read-only card left"; }

distinct_jpegs "$T/rw" 10 1 fresh
mount --bind "$T/rw" "$T/view" && mount -o remount,bind,ro "$T/view" ||
    fail "read-only bind mount"
sb import --no-progress "$T/view"
expect_rc 0
grep -q "1 left for the next run\|still arriving" "$T/out" "$T/err" ||
    { cat "$T/out" "$T/err" >&2; fail "a read-only view of a writable folder did not wait"; }
echo "ok"
