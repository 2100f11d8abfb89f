#!/bin/sh
# A card's FAT keeps its times as the camera's clock read them, in no
# zone; the card unit mounts it with tz=UTC so the kernel hands them over
# unchanged. A photo with no date of its own is then filed on the day the
# camera's clock said, whatever this machine's zone: 2021-06-30 23:30 on
# the camera is 2021/06/30 under TZ=Europe/Berlin, not 2021/07/01 (as if
# it were 23:30 UTC). The same mtime on a filesystem that keeps instants
# (a tmpfs) is still an instant: 2021/07/01 in Berlin.
. "$TOP/tests/lib/common.sh"
[ "$(id -u)" = 0 ] || { echo "skipped: needs root for a loop device"; exit 77; }
command -v mkfs.vfat >/dev/null ||
    { echo "skipped: no mkfs.vfat (dosfstools)"; exit 77; }
grep -qw vfat /proc/filesystems || modprobe vfat 2>/dev/null ||
    { echo "skipped: no vfat in this kernel"; exit 77; }
TZ=Europe/Berlin
export TZ
release() {
	umount "$T/card" 2>/dev/null
	[ -n "${loop:-}" ] && losetup -d "$loop" 2>/dev/null
}
cleanup_hooks="$cleanup_hooks release"
truncate -s 32M "$T/card.img"
loop=$(losetup -f --show "$T/card.img" 2>/dev/null) ||
    { echo "skipped: no loop device"; exit 77; }
mkfs.vfat "$loop" >/dev/null || fail "mkfs.vfat"
mkdir -p "$T/card"
mount -t vfat -o tz=UTC "$loop" "$T/card" ||
    { echo "skipped: cannot mount vfat"; exit 77; }
mkdir -p "$T/card/DCIM/100CANON" "$T/other/DCIM/100CANON"
cp "$FIX/exiv2-empty.jpg" "$T/card/DCIM/100CANON/IMG_0001.JPG"
cp "$FIX/exiv2-empty.jpg" "$T/other/DCIM/100CANON/IMG_0002.JPG"
printf '\377' >>"$T/other/DCIM/100CANON/IMG_0002.JPG"
touch -d '2021-06-30 23:30:00 UTC' "$T/card/DCIM/100CANON/IMG_0001.JPG" \
    "$T/other/DCIM/100CANON/IMG_0002.JPG"
sb import --no-progress --settle 0 "$T/card"
expect_rc 0
[ -f "$LIB/2021/06/30/IMG_0001.JPG" ] ||
    fail "the camera's 23:30 was filed as $(libfiles)"
sb import --no-progress --settle 0 "$T/other"
expect_rc 0
[ -f "$LIB/2021/07/01/IMG_0002.JPG" ] ||
    fail "an instant's 23:30 UTC was filed as $(libfiles)"
echo "ok"
