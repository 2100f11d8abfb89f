#!/bin/sh
# The unattended ways to run: the systemd units verify, and the card script
# that udev's rule starts mounts a real card (a loop device), imports it
# when it has DCIM/, leaves other disks alone, and unmounts.
. "$TOP/tests/lib/common.sh"

P=$T/prefix
make -s -C "$TOP" install PREFIX="$P" UDEVDIR="$T/udev" UNITDIR="$T/units" >"$T/log" 2>&1 ||
	{ cat "$T/log"; fail "make install"; }
grep -q 'SYSTEMD_WANTS.*shoebox-card@%k.service' "$T/udev/99-shoebox.rules" || fail "udev rule"
if command -v systemd-analyze >/dev/null 2>&1; then
	systemd-analyze verify --man=no "$T"/units/shoebox-card@.service \
	    "$T"/units/shoebox-ingest.service "$T"/units/shoebox-ingest.timer ||
		fail "systemd units do not verify"
fi

[ "$(id -u)" = 0 ] || { echo "needs root for loop devices"; exit 77; }
command -v losetup >/dev/null && command -v mkfs.ext4 >/dev/null || { echo "no losetup/mkfs.ext4"; exit 77; }
mkdir -p "$T/cardfs/DCIM/100CANON" "$T/diskfs/Documents"
cp "$FIX/exiv2-canon-eos-20d.jpg" "$T/cardfs/DCIM/100CANON/IMG_0001.JPG"
cp "$FIX/Reagan.jpg" "$T/diskfs/Documents/photo.jpg"
truncate -s 8M "$T/card.img" "$T/disk.img"
mkfs.ext4 -q -d "$T/cardfs" "$T/card.img" && mkfs.ext4 -q -d "$T/diskfs" "$T/disk.img" || fail mkfs
loop=$(losetup -f --show "$T/card.img" 2>/dev/null) || { echo "loop devices unavailable"; exit 77; }
detach() { losetup -d "$loop" 2>/dev/null; [ -n "${loop2:-}" ] && losetup -d "$loop2" 2>/dev/null; }
cleanup_hooks="detach"

SHOEBOX_BIN=$SHOEBOX "$P/lib/shoebox/shoebox-card" "$loop" >"$T/out" 2>&1 || { cat "$T/out"; fail "card import failed"; }
grep -q 'importing camera card' "$T/out" || fail "card not recognised: $(cat "$T/out")"
[ -f "$LIB/2006/08/02/IMG_0001.JPG" ] || fail "card not imported"
grep -q "$loop" /proc/mounts && fail "card left mounted"
[ -d "/run/shoebox/card-${loop##*/}" ] && fail "mount point left behind"

loop2=$(losetup -f --show "$T/disk.img") || fail "second loop"
SHOEBOX_BIN=$SHOEBOX "$P/lib/shoebox/shoebox-card" "$loop2" >"$T/out" 2>&1 || fail "non-card disk: $(cat "$T/out")"
grep -q 'not a camera card, left alone' "$T/out" || fail "non-card disk imported"
[ "$(libfiles | wc -l)" = 1 ] || fail "non-card disk imported"
exit 0
