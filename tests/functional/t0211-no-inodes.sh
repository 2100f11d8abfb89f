#!/bin/sh
# A disk "full" with megabytes free: its inodes are all used (a small
# filesystem made with few inodes, or one filled with many tiny files).
# import --move stops with one message that says so (not "N MB free, M kB
# needed", which reads as a contradiction), exits 1, files nothing partial,
# the catalogue matches the library, and the sources it did not file are
# still there, unchanged; after room is made a re-run completes. A dir
# remote on such a disk stops with the same reason and keeps the rest
# queued.
. "$TOP/tests/lib/common.sh"

[ "$(id -u)" = 0 ] || { echo "needs root to mount a tmpfs"; exit 77; }
mkdir -p "$LIB" "$T/usb"
mount -t tmpfs -o size=32m,nr_inodes=40 shoebox-t0211 "$LIB" \
    2>"$T/mount.err" ||
    { echo "cannot mount a tmpfs: $(cat "$T/mount.err")"; exit 77; }
unmount_all() { umount "$LIB" 2>/dev/null; umount "$T/usb" 2>/dev/null; }
cleanup_hooks="unmount_all"

d="$T/card/DCIM/100CANON"
dated_jpegs "$d" 60
set_mtimes "$T/card"
cp -a "$T/card" "$T/orig"
sums "$T/orig" | uniq >"$T/allsums"

sb import --move --no-progress "$T/card"
expect_rc 1
cat "$T/out" "$T/err"
[ "$(grep -v '^shoebox: import of .* failed: ' "$T/err" | grep -c 'No space left on device')" = 1 ] ||
    fail "not one message for the disk out of inodes: $(cat "$T/err")"
grep -q "^shoebox: library $LIB: No space left on device: no inodes left (all 40 in use), though [0-9.]* MB is free; [0-9]* files\{0,1\} left; import stopped: delete files there or move the library to a filesystem with more inodes, and run it again$" "$T/err" ||
    fail "the message does not say the inodes ran out: $(cat "$T/err")"
lib_nonempty
lib_whole "$T/allsums"
lib_sums >"$T/lib.sums"
q "SELECT lower(hex(sha256)) || ' *./' || path FROM files" | sort >"$T/cat.sums"
diff "$T/cat.sums" "$T/lib.sums" || fail "catalogue and library differ"
[ "$(libfiles | wc -l)" -gt 0 ] || fail "nothing was filed"
left=$(find "$T/card" -type f | wc -l)
[ "$left" -gt 0 ] || fail "everything fitted: use fewer inodes"
moved_safely "$T/orig" "$T/card"

# More inodes: the re-run files the rest.
mount -o remount,nr_inodes=1000 "$LIB" || fail "cannot give the tmpfs inodes"
sb import --move --no-progress "$T/card"
expect_rc 0
[ -z "$(find "$T/card" -type f)" ] || fail "re-run left sources"
lib_sums | cut -d' ' -f1 >"$T/libsums"
diff "$T/allsums" "$T/libsums" || fail "library is not the card's content once"

# A backup disk out of inodes: the remote stops with the reason, the files
# left stay queued, and once it has inodes again the next sync sends them.
mount -t tmpfs -o size=32m,nr_inodes=30 shoebox-t0211u "$T/usb" ||
    fail "cannot mount the backup tmpfs"
cat >>"$SHOEBOX_CONFIG" <<EOF
[remote usb]
type = dir
path = $T/usb
EOF
sb sync
expect_rc 1
cat "$T/out" "$T/err"
grep -q "^shoebox: remote usb: .*: No space left on device (no inodes left, though bytes are free): make room there; the files left stay queued$" "$T/err" ||
    fail "the backup's message does not say the inodes ran out: $(cat "$T/err")"
grep -q "not attempted (the remote is full)" "$T/out" ||
    fail "the files left are not said to be left: $(cat "$T/out")"
mount -o remount,nr_inodes=1000 "$T/usb" || fail "cannot give the backup inodes"
sb sync
expect_rc 0
(cd "$T/usb" && find . -type f -exec openssl dgst -sha256 -r {} +) |
    cut -d' ' -f1 | sort >"$T/usb.sums"
sort "$T/allsums" | diff - "$T/usb.sums" || fail "the backup is not the library"
exit 0
