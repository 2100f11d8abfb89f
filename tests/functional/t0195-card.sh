#!/bin/sh
# The unattended ways to run: the systemd units verify, and the card script
# that udev's rule starts mounts a real card (a loop device), imports it
# when it has DCIM/, leaves other disks alone, and unmounts.
. "$TOP/tests/lib/common.sh"

P=$T/prefix
# Everything under $T: SYSCONFDIR too (the example config), never the
# machine's /etc, which the plain and the ASan run would also race on.
make -s -C "$TOP" install PREFIX="$P" SYSCONFDIR="$P/etc" UDEVDIR="$T/udev" \
    UNITDIR="$T/units" >"$T/log" 2>&1 ||
	{ cat "$T/log"; fail "make install"; }
grep -q 'SYSTEMD_WANTS.*shoebox-card@%k.service' "$T/udev/99-shoebox.rules" || fail "udev rule"
# Removable media only, and only once blkid has named the filesystem.
# An SD card in an MMC slot, not an eMMC soldered in (type MMC).
grep -q '^KERNEL=="mmcblk\[0-9\]\*", ATTRS{type}=="SD|SDcombo", GOTO' \
    "$T/udev/99-shoebox.rules" || fail "udev rule takes an eMMC for a card"
for m in 'KERNEL=="mmcblk\[0-9\]\*"' 'ENV{ID_BUS}=="usb"' 'ATTRS{removable}=="1"' \
    'ENV{ID_FS_USAGE}!="filesystem"'; do
	grep -q "$m" "$T/udev/99-shoebox.rules" || fail "udev rule lacks $m"
done
if command -v systemd-analyze >/dev/null 2>&1; then
	# Every unit, and instances of the templates as udev and people name them.
	(cd "$T/units" && systemd-analyze verify --man=no shoebox-card@.service \
	    shoebox-card@sdb1.service shoebox-ingest.service shoebox-ingest.timer \
	    shoebox-sync.service shoebox-sync.timer shoebox-watch@.service \
	    shoebox-watch@srv-shoebox-drop.service) ||
		fail "systemd units do not verify"
else
	echo "no systemd-analyze: units not verified"
fi
# udevadm test needs udevd's database and a real removable device; where
# there is no udevadm (containers), the rule is only checked above.
command -v udevadm >/dev/null 2>&1 || echo "no udevadm: 'udevadm test' skipped"

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

export SHOEBOX_CARD_WAIT=0 SHOEBOX_SYNC=no
# The units make no new library: the first import is by hand.
mkdir "$T/nothing"
sb import --no-progress "$T/nothing"
expect_rc 0
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
