#!/bin/sh
# A new library on a disk with no room for its catalogue: the import says
# why once (not once more when it tries to record the run), exits 2 and
# leaves the card as it was; with room made, the next run imports and is
# recorded.
. "$TOP/tests/lib/common.sh"

[ "$(id -u)" = 0 ] || { echo "needs root to mount a tmpfs"; exit 77; }
disk=$T/disk
mkdir -p "$disk" "$T/card"
mount -t tmpfs -o size=4m shoebox-t0265 "$disk" ||
    { echo "cannot mount a tmpfs"; exit 77; }
unmount() { umount "$disk" 2>/dev/null; }
cleanup_hooks="unmount"
cp "$FIX/Reagan.jpg" "$T/card/IMG_0001.JPG"
head -c 8000000 /dev/zero >"$disk/filler" 2>/dev/null
LIB=$disk/lib
sb -L "$LIB" import --no-progress "$T/card"
expect_rc 2
[ "$(grep -c 'database or disk is full' "$T/err")" = 1 ] ||
    { cat "$T/err"; fail "not said once"; }
[ "$(wc -l <"$T/err")" = 1 ] || { cat "$T/err"; fail "more than one line"; }
[ -f "$T/card/IMG_0001.JPG" ] || fail "the card changed"
rm "$disk/filler"
sb -L "$LIB" import --no-progress "$T/card"
expect_rc 0
grep -q "^1 files seen: 1 imported" "$T/out" || { cat "$T/out" "$T/err"; fail "not imported with room made"; }
[ "$(q "SELECT count(*) FROM runs WHERE command = 'import' AND exit_status = 0")" = 1 ] ||
    fail "the run with room is not recorded"
exit 0
