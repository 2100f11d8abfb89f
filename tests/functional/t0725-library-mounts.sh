#!/bin/sh
# A disk mounted inside the library (a day's folder on a second disk, as
# LIBRARY/2025 would be when the first filled up): the library's syncfs() does not reach it, so each
# copy filed there is fsync'ed on its own (and its folder after its name)
# before it is catalogued and its source removed; copies on the library's
# own disk still go by one syncfs() per batch. badsync.c, failing nothing
# here, logs each fsync() of a copy not yet named.
. "$TOP/tests/lib/common.sh"

[ "$(id -u)" = 0 ] || { echo "skipped: needs root for a loop device"; exit 77; }
command -v mkfs.ext4 >/dev/null || { echo "skipped: no mkfs.ext4"; exit 77; }
release() { umount "$LIB/2015/01/02" 2>/dev/null; [ -n "${loop:-}" ] && losetup -d "$loop" 2>/dev/null; }
cleanup_hooks="release"
shim badsync

truncate -s 32M "$T/disk.img"
loop=$(losetup -f --show "$T/disk.img" 2>/dev/null) ||
    { echo "skipped: no loop device"; exit 77; }
mkfs.ext4 -q "$loop" || fail "mkfs.ext4"
mkdir -p "$LIB/2015/01/02"
mount -t ext4 "$loop" "$LIB/2015/01/02" || { echo "skipped: cannot mount ext4"; exit 77; }

# 40 photos of 2015-01-01 to 04, ten a day, in one folder: one batch.
distinct_jpegs "$T/card/DCIM/100CANON" 0 40 t0725 10
set_mtimes "$T/card"
cp -a "$T/card/DCIM/100CANON" "$T/orig"
rc=0
BADSYNC_NTH=1000000 BADSYNC_LOG="$T/synclog" LD_PRELOAD="$T/badsync.so" \
    "$SHOEBOX" import --no-progress --move "$T/card" >"$T/out" 2>"$T/err" || rc=$?
[ $rc = 0 ] || fail "exit $rc: $(cat "$T/out" "$T/err")"
grep -q '^40 files seen: 40 imported' "$T/out" ||
    fail "summary: $(cat "$T/out" "$T/err")"
[ "$(stat -c %d "$LIB/2015/01/02/IMG_0010.JPG")" != "$(stat -c %d "$LIB/2015/01/01")" ] ||
    fail "the copy is not on the mounted disk"
for i in 0010 0015 0019; do
	cmp "$T/orig/IMG_$i.JPG" "$LIB/2015/01/02/IMG_$i.JPG" ||
	    fail "IMG_$i on the mounted disk differs"
done
[ -z "$(ls "$T/card/DCIM/100CANON")" ] || fail "sources left: $(ls "$T/card/DCIM/100CANON")"
# Ten copies are filed on the mounted disk: each is fsync'ed; the thirty
# others, on the library's disk, are not (the batch's syncfs() covers them).
n=$(grep -c '^fsync' "$T/synclog" 2>/dev/null || true)
[ "$n" = 10 ] || fail "$n copies fsync'ed, expected the 10 on the mounted disk"
sb verify
expect_rc 0
exit 0
