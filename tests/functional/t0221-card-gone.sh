#!/bin/sh
# A card taken out in the middle of an import: every read of it fails from
# then on. The import says so once, naming the source, rather than one
# "Input/output error" for each file it has not reached; it files and
# catalogues what it had read, leaves nothing partial, and counts the rest
# as not tried (exit 1). The card is an ext4 image on a loop device whose
# size drops to 0 under the mounted filesystem, as a card reader's does
# when its card is pulled; the first folder's files were read before (they
# are in the page cache), the second folder's were not. Then the same for
# a card mounted inside the folder given (a reader's mount in a NAS
# share): it is said of where the card is mounted, and the share's other
# files are still imported.
. "$TOP/tests/lib/common.sh"

[ "$(id -u)" = 0 ] || { echo "needs root for a loop device"; exit 77; }
for c in losetup mkfs.ext4; do
	command -v $c >/dev/null || { echo "no $c"; exit 77; }
done
img=$T/card.img
truncate -s 64M "$img"
loop=$(losetup -f --show "$img" 2>"$T/loop.err") ||
    { echo "no loop device: $(cat "$T/loop.err")"; exit 77; }
mnt=$T/src/card
mkdir -p "$mnt"
release() { umount "$mnt" 2>/dev/null; losetup -d "$loop" 2>/dev/null; }
cleanup_hooks="release"
mkfs.ext4 -q -O ^has_journal -E lazy_itable_init=0 "$loop" || fail "mkfs.ext4"
mount "$loop" "$mnt" || { echo "cannot mount ext4 from a loop device"; exit 77; }
a=$mnt/DCIM/100CANON b=$mnt/DCIM/101CANON
mkdir -p "$a" "$b"
cp "$FIX/exiv2-canon-eos-20d.jpg" "$a/IMG_0001.JPG"
cp "$FIX/Reagan.jpg" "$a/IMG_0002.JPG"
cp "$FIX/exiv2-nikon-d70.jpg" "$a/IMG_0003.JPG"
cp "$FIX/FurnaceCreekInn.jpg" "$b/IMG_0101.JPG"
cp "$FIX/FurnaceCreekInn2.jpg" "$b/IMG_0102.JPG"
cp "$FIX/FurnaceCreekInn3.jpg" "$b/IMG_0103.JPG"
cp "$FIX/exiv2-nikon-e950.jpg" "$b/IMG_0104.JPG"
cp "$FIX/smiley2.jpg" "$b/IMG_0105.JPG"
set_mtimes "$mnt"
cp -a "$mnt" "$T/orig"
umount "$mnt"
mount -o errors=continue "$loop" "$mnt" || fail "remount"	# nothing cached
ls -lR "$mnt" >/dev/null
cat "$a"/* >/dev/null
# Pull the card: the device has no size any more.
truncate -s 0 "$img"
losetup -c "$loop" || { echo "losetup -c (capacity change) failed"; exit 77; }
dev=$(stat -c '%Hd:%Ld' "$mnt") 2>/dev/null ||
    { echo "stat has no %Hd here"; exit 77; }
[ "$(cat "/sys/dev/block/$dev/size" 2>/dev/null)" = 0 ] ||
    { echo "the loop device did not lose its size"; exit 77; }
if cat "$b/IMG_0102.JPG" >/dev/null 2>&1; then
	echo "reads of the emptied loop device did not fail here"
	exit 77
fi
cmp -s "$a/IMG_0001.JPG" "$T/orig/DCIM/100CANON/IMG_0001.JPG" ||
    { echo "the files read before are not in the page cache"; exit 77; }

sb import --move --no-progress "$mnt"
cat "$T/out" "$T/err"
expect_rc 1
[ "$(grep -c 'is gone' "$T/err")" = 1 ] || fail "not said once that the card is gone"
grep -q "^shoebox: $mnt: the card or disk it is on is gone (device $dev removed, or its medium taken out); what was not imported from it is left for the next run$" \
    "$T/err" || fail "the message does not name the card"
grep -q 'IMG_0101.JPG: .*Input/output error' "$T/err" ||
    fail "the file that failed is not named with the reason"
grep -q 'IMG_010[2-5]' "$T/err" && fail "a line for each file not reached"
[ "$(wc -l <"$T/err")" = 2 ] || fail "more than two lines"
grep -q "3 imported" "$T/out" || fail "summary: the files read are not imported"
grep -q "1 failed" "$T/out" || fail "summary: not 1 failed"
grep -q "4 not attempted (the card or disk is gone)" "$T/out" ||
    fail "summary: the rest not counted as not attempted"
for n in 1 2 3; do
	f=$(find "$LIB" -name "IMG_000$n.JPG")
	[ -n "$f" ] && cmp -s "$f" "$T/orig/DCIM/100CANON/IMG_000$n.JPG" ||
	    fail "IMG_000$n not filed whole"
done
[ "$(libfiles | wc -l)" = 3 ] || fail "library: $(libfiles)"
[ "$(q 'SELECT count(*) FROM files')" = 3 ] || fail "catalogue does not match library"
[ -z "$(ls -A "$LIB/.shoebox/tmp")" ] || fail "partial files left"

# The share holding the card's mount, and a photo of its own after it.
distinct_jpegs "$T/src/local" 300 1 local
sb import --move --no-progress "$T/src"
cat "$T/out" "$T/err"
expect_rc 1
[ "$(grep -c 'is gone' "$T/err")" = 1 ] || fail "share: not said once that the card is gone"
grep -q "^shoebox: $mnt: the card or disk it is on is gone (device $dev removed" \
    "$T/err" || fail "share: the message does not name where the card is"
grep -q 'IMG_010[2-5]' "$T/err" && fail "share: a line for each file not reached"
grep -q "4 not attempted (the card or disk is gone)" "$T/out" ||
    fail "share: the rest not counted as not attempted"
grep -q " 1 imported" "$T/out" || fail "share: its own photo not imported"
[ -z "$(find "$T/src/local" -type f)" ] || fail "share: its own photo not moved"
[ "$(libfiles | wc -l)" = 4 ] || fail "share: library: $(libfiles)"
exit 0
