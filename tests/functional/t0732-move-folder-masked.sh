#!/bin/sh
# --move and a folder that another disk was mounted over after its files
# were read (a bind mount, or a share remounted at that path): the files
# are still on the disk below, out of sight, so they are not "gone
# already". Each is kept, a message names it and says why, and the run
# exits 0 with warnings; once the mount is gone, every file is still in
# its folder, and filed in the library.
. "$TOP/tests/functional/safety-lib.sh"
[ "$(id -u)" = 0 ] || { echo "skipped: bind mounts need root"; exit 77; }

S=$T/drop/DCIM/100CANON
mkdir -p "$S" "$T/empty"
for f in IMG_0002.JPG IMG_0004.JPG MVI_0005.MOV; do
	cp -p "$CARD/$f" "$S/"
done
unmount_masks() { umount "$S" 2>/dev/null; }
cleanup_hooks="unmount_masks"

# Mounted over the folder at the batch's syncfs(): all three were read.
export SB_HOOK_ON=syncfs
export SB_HOOK_CMD="mount --bind '$T/empty' '$S'"
hsb import --move --no-progress "$T/drop"
hook_fired
mountpoint -q "$S" || fail "the folder was not mounted over"
umount "$S"
[ "$rc" = 0 ] || { cat "$T/out" "$T/err"; fail "exit $rc"; }
for f in IMG_0002.JPG IMG_0004.JPG MVI_0005.MOV; do
	cmp -s "$S/$f" "$CARD/$f" || fail "$f: source gone or changed"
	[ "$(lib_count "$CARD/$f")" = 1 ] || fail "$f: not filed once"
	grep "$f" "$T/err" "$T/out" | grep -q "mounted over it" ||
	    { cat "$T/out" "$T/err"; fail "$f: no message says its folder is masked"; }
done
grep -q 'with warnings' "$T/out" || { cat "$T/out"; fail "no 'with warnings'"; }

# The next run, with the folder in sight again, removes them.
csb import --move --no-progress "$T/drop"
expect_rc 0
[ -z "$(ls "$S")" ] || fail "second run left: $(ls "$S")"
for f in IMG_0002.JPG IMG_0004.JPG MVI_0005.MOV; do
	[ "$(lib_count "$CARD/$f")" = 1 ] || fail "$f: second run: not once"
done
exit 0
