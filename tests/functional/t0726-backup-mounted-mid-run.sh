#!/bin/sh
# A backup disk mounted inside the drop share while import --move walks
# it. The dir remote "usb" keeps its copies in share/usb/backup; when the
# run starts, share/usb is an empty folder (the disk is not plugged in)
# and usb/backup does not exist. At the first file the walk opens
# (tests/lib/hook.c), the disk is mounted at share/usb with the backup of
# the library on it. The walk meets that disk after it (usb sorts after
# a-card), finds remote usb's folder there and does not walk it: none of
# the backup's copies is deleted as a duplicate of the library's. The card
# itself is moved as usual.
. "$TOP/tests/functional/safety-lib.sh"

[ "$(id -u)" = 0 ] || { echo "needs root to mount a tmpfs"; exit 77; }
S=$T/share
mkdir -p "$S/a-card" "$S/usb" "$T/disk"
cp "$CARD/IMG_0001.JPG" "$CARD/IMG_0002.JPG" "$CARD/IMG_0004.JPG" \
    "$S/a-card/"
unmount_usb() { umount "$S/usb" 2>/dev/null; }
cleanup_hooks="unmount_usb"
printf '[remote usb]\ntype = dir\npath = %s\n' "$S/usb/backup" >>"$CFG"

# The library and its backup, made beforehand from the same photos (the
# backup in $T/disk/backup, what the disk will hold when plugged in).
cp -r "$CARD" "$T/old"
csb import --no-progress "$T/old"
expect_rc 0
mkdir -p "$T/disk/backup"
sed "s|$S/usb/backup|$T/disk/backup|" "$CFG" >"$T/cfg-disk"
sb -c "$T/cfg-disk" sync
expect_rc 0
n=$(find "$T/disk/backup" -type f | wc -l)
[ "$n" -gt 3 ] || fail "the backup holds $n files: $(cat "$T/out" "$T/err")"
(cd "$T/disk" && find . -type f -exec sha256sum {} + | sort) >"$T/backup.sums"

# Plug the disk in at share/usb when the walk opens its first photo.
export SB_HOOK_ON=open:IMG_000
export SB_HOOK_CMD="mount -t tmpfs -o size=16m shoebox-t0726 '$S/usb' &&
    cp -a '$T/disk/.' '$S/usb/'"
hsb import --move --no-progress "$S"
hook_fired
cat "$T/out" "$T/err"
expect_rc 0
mountpoint -q "$S/usb" || fail "the disk was not mounted mid-run"
(cd "$S/usb" && find . -type f -exec sha256sum {} + | sort) >"$T/after.sums"
diff "$T/backup.sums" "$T/after.sums" >&2 ||
    fail "the backup disk mounted mid-run lost copies to --move"
grep -q "share/usb/backup: is remote usb's folder, not scanned" "$T/err" ||
    fail "the backup's folder is not said fenced: $(cat "$T/err")"
[ -z "$(ls -A "$S/a-card")" ] || fail "the card was not moved: $(ls "$S/a-card")"
exit 0
