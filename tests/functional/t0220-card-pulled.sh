#!/bin/sh
# A card that fails in the middle of a file, as when it is pulled out: the
# card is an ext4 image on a loop device that is shrunk under the mounted
# filesystem, so reads past the new end fail with EIO (the kernel here has
# no device-mapper "error" target). The import names the file and the
# reason, files the others, leaves nothing partial, and with --move deletes
# only the sources whose copies are verified and catalogued.
. "$TOP/tests/lib/common.sh"

[ "$(id -u)" = 0 ] || { echo "needs root for a loop device"; exit 77; }
for c in losetup mkfs.ext4 blockdev; do
	command -v $c >/dev/null || { echo "no $c"; exit 77; }
done
img=$T/card.img
truncate -s 64M "$img"
loop=$(losetup -f --show "$img" 2>"$T/loop.err") ||
    { echo "no loop device: $(cat "$T/loop.err")"; exit 77; }
mnt=$T/card
mkdir -p "$mnt"
release() { umount "$mnt" 2>/dev/null; losetup -d "$loop" 2>/dev/null; }
cleanup_hooks="release"
# No journal: deleting moved sources only writes the start of the device.
mkfs.ext4 -q -O ^has_journal -E lazy_itable_init=0 "$loop" || fail "mkfs.ext4"
mount "$loop" "$mnt" || { echo "cannot mount ext4 from a loop device"; exit 77; }
# Small files first, at the start of the device; then a big one across
# the point where the card will "end"; all in the root directory.
cp "$FIX/exiv2-canon-eos-20d.jpg" "$mnt/IMG_0001.JPG"; sync
cp "$FIX/Reagan.jpg" "$mnt/IMG_0003.JPG"; sync
cp "$FIX/mov_utc_2019-12-31T235958Z.mov" "$mnt/MVI_0002.MOV"
head -c 40000000 /dev/urandom >>"$mnt/MVI_0002.MOV"; sync
set_mtimes "$mnt"
cp -a "$mnt" "$T/orig"
umount "$mnt"
mount -o errors=continue "$loop" "$mnt" || fail "remount"	# nothing cached
# Pull the card: the device now ends at 30 MB, in the middle of MVI_0002.
truncate -s 30M "$img"
losetup -c "$loop" || { echo "losetup -c (capacity change) failed"; exit 77; }
if dd if="$mnt/MVI_0002.MOV" of=/dev/null bs=1M 2>/dev/null; then
	echo "shrinking the loop device did not make reads fail here"
	exit 77
fi
cmp -s "$mnt/IMG_0001.JPG" "$T/orig/IMG_0001.JPG" ||
    { echo "the start of the shrunk card is not readable either"; exit 77; }

sb import --move --no-progress "$mnt"
cat "$T/out" "$T/err"
expect_rc 1
grep -q 'MVI_0002.MOV: .*Input/output error' "$T/err" || fail "read error not reported with file and reason"
[ -e "$mnt/MVI_0002.MOV" ] || fail "--move deleted the source whose copy failed"
[ ! -e "$mnt/IMG_0001.JPG" ] && [ ! -e "$mnt/IMG_0003.JPG" ] ||
    fail "the readable files were not moved"
cmp "$T/orig/IMG_0001.JPG" "$LIB/2006/08/02/IMG_0001.JPG" || fail "IMG_0001 differs"
cmp "$T/orig/IMG_0003.JPG" "$LIB/2004/06/21/IMG_0003.JPG" || fail "IMG_0003 (after the failure) not filed"
[ "$(libfiles | wc -l)" = 2 ] || fail "library: $(libfiles)"
[ "$(q 'SELECT count(*) FROM files')" = 2 ] || fail "catalogue does not match library"
[ -z "$(ls -A "$LIB/.shoebox/tmp")" ] || fail "partial files left"
exit 0
