#!/bin/sh
# The library's disk goes read-only in the middle of import --move, as the
# kernel remounts an ext4 with errors=remount-ro after a disk error (here
# made at a chosen moment through /sys/fs/ext4/DEV/trigger_fs_error, by
# tests/lib/hook.c): at the open of a photo of the second batch, at the
# first batch's syncfs (copies made, none filed), and at the syncfs of its
# names (linked, not yet catalogued). Each time: one message naming the
# library and the reason (not one per file), the summary counts the rest
# as not attempted because the library is read-only, exit 1, no source is
# removed unless its content is in the library, and every catalogued file
# is there. After e2fsck and a read-write mount the re-run files the rest
# and verify finds the library whole. A library mounted read-only from the
# start: import, sync and verify say why and exit 2, find and status work.
. "$TOP/tests/functional/safety-lib.sh"

[ "$(id -u)" = 0 ] || { echo "needs root for a loop device"; exit 77; }
for c in losetup mkfs.ext4 e2fsck findmnt; do
	command -v $c >/dev/null || { echo "no $c"; exit 77; }
done
img=$T/lib.img
mkdir -p "$LIB"
release() { umount "$LIB" 2>/dev/null; }
cleanup_hooks="release"

dated_jpegs "$T/orig" 300
set_mtimes "$T/orig"
(cd "$T/orig" && sha256sum -- *) >"$T/orig.sums"

# fresh: a new ext4 library with errors=remount-ro, the card anew.
fresh() {
	release
	rm -rf "$T/card" "$img"
	cp -a "$T/orig" "$T/card"
	truncate -s 128M "$img"
	mkfs.ext4 -q -F "$img" || fail "mkfs.ext4"
	mount -o loop,errors=remount-ro "$img" "$LIB" ||
	    { echo "cannot mount ext4 from a loop device"; exit 77; }
	dev=$(basename "$(findmnt -n -o SOURCE "$LIB")")
	[ -w "/sys/fs/ext4/$dev/trigger_fs_error" ] ||
	    { echo "no /sys/fs/ext4/$dev/trigger_fs_error in this kernel"; exit 77; }
	export SB_HOOK_CMD="echo 1 >/sys/fs/ext4/$dev/trigger_fs_error"
}

for at in open:IMG_0280 syncfs:1 syncfs:2; do
	fresh
	case $at in
	open:*)	export SB_HOOK_ON=$at SB_HOOK_NTH=1 ;;
	*)	export SB_HOOK_ON=syncfs SB_HOOK_NTH=${at#syncfs:} ;;
	esac
	hsb import --move --no-progress "$T/card"
	hook_fired
	cat "$T/out" "$T/err"
	expect_rc 1
	findmnt -n -o OPTIONS "$LIB" | grep -qE '(^|,)ro(,|$)|emergency_ro' ||
	    fail "$at: the library did not go read-only: $(findmnt -n -o OPTIONS "$LIB")"
	[ "$(grep -c 'Read-only file system' "$T/err")" = 1 ] ||
	    fail "$at: not one message for the read-only library: $(grep -c 'Read-only file system' "$T/err") lines"
	grep -q "^shoebox: library $LIB: Read-only file system (mounted read-only, or remounted so after disk errors: see dmesg); import stopped, [0-9]* files\{0,1\} not attempted, their sources kept: run it again once the disk is checked and writable$" "$T/err" ||
	    fail "$at: the message: $(cat "$T/err")"
	grep -q " not attempted (the library is read-only)$" "$T/out" ||
	    fail "$at: the summary: $(cat "$T/out")"
	# No source gone whose content is not in the library.
	(cd "$LIB" && find . -type f -not -path './.shoebox/*' -exec sha256sum {} + |
	    cut -d' ' -f1 | sort -u) >"$T/lib.sha"
	for f in $(cd "$T/orig" && ls); do
		[ -e "$T/card/$f" ] && continue
		grep -q "$(grep " $f\$" "$T/orig.sums" | cut -d' ' -f1)" "$T/lib.sha" ||
		    fail "$at: $f was removed from the card but is not in the library"
	done
	# Every catalogued file is in the library, whole.
	q "SELECT lower(hex(sha256)) || ' ' || path FROM files" |
	while read -r s p; do
		[ "$(sha256sum <"$LIB/$p" | cut -d' ' -f1)" = "$s" ] ||
		    fail "$at: catalogued $p is not in the library"
	done || exit 1
	# Repaired and writable: the re-run files the rest.
	umount "$LIB"
	e2fsck -fy "$img" >/dev/null 2>&1
	mount -o loop "$img" "$LIB" || fail "$at: cannot mount the repaired library"
	csb import --move --no-progress "$T/card"
	expect_rc 0
	[ -z "$(ls "$T/card")" ] || fail "$at: the re-run left sources: $(ls "$T/card")"
	csb verify --no-progress
	expect_rc 0
	grep -q '^300 files verified: 300 intact' "$T/out" ||
	    fail "$at: verify after the re-run: $(cat "$T/out")"
done

# Mounted read-only from the start: what writes the catalogue (import,
# sync, verify) says why and exits 2; what only reads it (find, status)
# works.
umount "$LIB"
mount -o loop,ro "$img" "$LIB" || fail "cannot mount the library read-only"
cp -a "$T/orig" "$T/card2"
mkdir -p "$T/usb"
printf '[remote usb]\ntype = dir\npath = %s\n' "$T/usb" >>"$CFG"
for cmd in "import --no-progress $T/card2" "sync --no-progress" "verify --no-progress"; do
	csb $cmd
	expect_rc 2
	grep -q "^shoebox: library $LIB: Read-only file system (mounted read-only, or remounted so after disk errors: see dmesg); its catalogue is written to: check the disk and mount it writable$" "$T/err" ||
	    fail "$cmd on a read-only library: $(cat "$T/err")"
done
csb find --date 2015-01-01
expect_rc 0
grep -q 'IMG_0001.JPG$' "$T/out" || fail "find on a read-only library: $(cat "$T/out" "$T/err")"
csb status
expect_rc 0
exit 0
