#!/bin/sh
# Libraries on real filesystems on a loop device: ext4, and vfat where the
# kernel has it (no O_TMPFILE, no hard links, case-insensitive names).
# Import, re-run, a collision (NAME-1.EXT) and a duplicate all work; no
# partial.* file remains; on vfat, names differing only in case get
# different files. t0230 covers the FAT code paths (and a SIGKILL in the
# middle) where the kernel has no vfat.
. "$TOP/tests/lib/common.sh"

[ "$(id -u)" = 0 ] || { echo "needs root for loop devices"; exit 77; }
ran=""
release() { umount "$LIB" 2>/dev/null; [ -n "${loop:-}" ] && losetup -d "$loop" 2>/dev/null; }
cleanup_hooks="release"

d="$T/card/DCIM/100CANON"
mkdir -p "$d" "$T/card2/DCIM/100CANON"
cp "$FIX/exiv2-canon-eos-20d.jpg" "$d/IMG_0001.JPG"
printf 'xmp\n' >"$d/IMG_0001.XMP"
cp "$FIX/Reagan.jpg" "$d/IMG_0002.JPG"
cp "$FIX/Reagan.jpg" "$d/COPY.JPG"
python3 - "$d/IMG_0001.JPG" "$T/card2/DCIM/100CANON/IMG_0001.JPG" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[-3] ^= 0xff
open(sys.argv[2], "wb").write(bytes(b))
PY
# Same name but for case, other content: must not land on each other.
cp "$FIX/exiv2-canon-eos-20d.jpg" "$T/card2/DCIM/100CANON/img_0001.jpg"
python3 - "$T/card2/DCIM/100CANON/img_0001.jpg" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[-4] ^= 0xff
open(sys.argv[1], "wb").write(bytes(b))
PY
set_mtimes "$T/card"
set_mtimes "$T/card2"

for fs in ext4 vfat; do
	case $fs in
	vfat)	command -v mkfs.vfat >/dev/null || { echo "note: no mkfs.vfat (dosfstools)"; continue; }
		grep -qw vfat /proc/filesystems || modprobe vfat 2>/dev/null ||
		    { echo "note: no vfat in this kernel; not tested"; continue; } ;;
	esac
	rm -f "$T/$fs.img"
	truncate -s 64M "$T/$fs.img"
	loop=$(losetup -f --show "$T/$fs.img" 2>/dev/null) ||
	    { echo "note: no loop device; $fs not tested"; continue; }
	case $fs in
	ext4)	mkfs.ext4 -q "$loop" ;;
	vfat)	mkfs.vfat "$loop" >/dev/null ;;
	esac || fail "mkfs $fs"
	mkdir -p "$LIB"
	mount -t $fs "$loop" "$LIB" || { echo "note: cannot mount $fs"; losetup -d "$loop"; loop=""; continue; }
	ran="$ran $fs"

	sb import --no-progress "$T/card"
	expect_rc 0
	grep -q '^4 files seen: 2 imported, 1 duplicates, 1 sidecars' "$T/out" || fail "$fs: $(cat "$T/out" "$T/err")"
	cmp "$d/IMG_0001.JPG" "$LIB/2006/08/02/IMG_0001.JPG" || fail "$fs: copy differs"
	sb import --no-progress "$T/card"
	expect_rc 0
	grep -q '4 already imported' "$T/out" || fail "$fs: re-run: $(cat "$T/out")"
	sb import --no-progress "$T/card2"
	cat "$T/out" "$T/err"
	expect_rc 0
	cmp "$T/card2/DCIM/100CANON/IMG_0001.JPG" "$LIB/2006/08/02/IMG_0001-1.JPG" || fail "$fs: collision"
	cmp "$d/IMG_0001.JPG" "$LIB/2006/08/02/IMG_0001.JPG" || fail "$fs: original overwritten"
	# On vfat img_0001.jpg is the same name as IMG_0001.JPG: it must get
	# a name of its own, whatever the case.
	got=$(q "SELECT f.path FROM files f JOIN sources s ON s.file_id = f.id WHERE s.path GLOB '*/img_0001.jpg'")
	[ -n "$got" ] || fail "$fs: img_0001.jpg not catalogued"
	cmp "$T/card2/DCIM/100CANON/img_0001.jpg" "$LIB/$got" || fail "$fs: img_0001.jpg not filed whole as $got"
	[ "$(q 'SELECT count(*) FROM files')" = "$(libfiles | wc -l)" ] || fail "$fs: catalogue does not match library"
	[ -z "$(ls -A "$LIB/.shoebox/tmp")" ] || fail "$fs: left in .shoebox/tmp"
	umount "$LIB"
	losetup -d "$loop"
	loop=""
	rm -rf "$LIB"
done
[ -n "$ran" ] || { echo "neither ext4 nor vfat could be mounted from a loop device"; exit 77; }
echo "tested on:$ran"
exit 0
