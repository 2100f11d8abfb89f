#!/bin/sh
# --move and a folder that another disk was mounted over after its files
# were read (a bind mount, or a share remounted at that path): the files
# are still on the disk below, out of sight, so they are not "gone
# already". Each is kept, a message names it and says why, and the run
# exits 0 with warnings; once the mount is gone, every file is still in
# its folder, and filed in the library. So too when the mount is over a
# folder above the files'. A file another import removed from a card
# mounted inside the source (its folder a mount's top when it was read
# too) is gone, and no message calls it hidden.
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
	grep "$f" "$T/err" "$T/out" | grep -q "on another mount than when" ||
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

# A folder of the same disk, with a 100CANON of its own, mounted over
# DCIM, a folder above the files': the same. Its IMG_0002.JPG is a hard
# link of the source's, so the name found there is the same file: still
# not a source, and not removed.
rm -rf "$LIB"
mkdir -p "$T/other/100CANON"
for f in IMG_0002.JPG IMG_0004.JPG; do
	cp -p "$CARD/$f" "$S/"
done
ln "$S/IMG_0002.JPG" "$T/other/100CANON/IMG_0002.JPG"
unmount_masks() { umount "$S" 2>/dev/null; umount "$T/drop/DCIM" 2>/dev/null; }
export SB_HOOK_CMD="mount --bind '$T/other' '$T/drop/DCIM'"
hsb import --move --no-progress "$T/drop"
hook_fired
umount "$T/drop/DCIM"
[ "$rc" = 0 ] || { cat "$T/out" "$T/err"; fail "above: exit $rc"; }
for f in IMG_0002.JPG IMG_0004.JPG; do
	cmp -s "$S/$f" "$CARD/$f" || fail "above: $f: source gone or changed"
	[ "$f" = IMG_0004.JPG ] || [ -f "$T/other/100CANON/$f" ] ||
	    fail "above: the hard link in the folder mounted over was removed"
	grep "$f" "$T/err" "$T/out" | grep -q "on another mount than when" ||
	    { cat "$T/out" "$T/err"; fail "above: $f: no message"; }
done

# A card mounted inside the drop folder when it was read, a file of which
# another import removes first: gone, said nothing of (it was not hidden).
rm -rf "$LIB"
rm -f "$S"/*
mkdir -p "$T/drop/card"
mount -t tmpfs -o size=8m tmpfs "$T/drop/card" ||
    { echo "skipped the card case: cannot mount tmpfs"; exit 0; }
unmount_masks() { umount "$T/drop/card" 2>/dev/null; }
for f in IMG_0002.JPG IMG_0004.JPG MVI_0005.MOV; do
	cp -p "$CARD/$f" "$T/drop/card/"
done
export SB_HOOK_CMD="rm '$T/drop/card/IMG_0004.JPG'"
hsb import --move --no-progress "$T/drop"
hook_fired
[ "$rc" = 0 ] || { cat "$T/out" "$T/err"; fail "card: exit $rc"; }
grep -q "on another mount than when" "$T/out" "$T/err" &&
    { cat "$T/out" "$T/err"; fail "card: a file another import removed called hidden"; }
[ -z "$(ls "$T/drop/card")" ] || fail "card: left $(ls "$T/drop/card")"
for f in IMG_0002.JPG IMG_0004.JPG MVI_0005.MOV; do
	[ "$(lib_count "$CARD/$f")" = 1 ] || fail "card: $f not filed once"
done
umount "$T/drop/card"
exit 0
