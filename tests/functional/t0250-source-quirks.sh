#!/bin/sh
# Sources that misbehave: the library (or a part of it) given as a source,
# the same file reached twice (given twice, a hard link), an empty JPEG, a
# file appended to while it is copied, a directory and a file that cannot
# be read, a directory removed in the middle of the run. Each is reported
# by name where it fails, the rest goes on, nothing partial is filed, and
# --move deletes nothing that is not safely in the library.
. "$TOP/tests/lib/common.sh"

d="$T/card/DCIM/100CANON"
mkdir -p "$d"
cp "$FIX/exiv2-canon-eos-20d.jpg" "$d/IMG_0001.JPG"
cp "$FIX/Reagan.jpg" "$d/IMG_0002.JPG"
ln "$d/IMG_0002.JPG" "$d/IMG_0002_LINK.JPG"
: >"$d/EMPTY.JPG"
set_mtimes "$T/card"

# The same file twice on the command line, and a hard link: one copy each.
sb import --no-progress "$T/card" "$T/card" "$d/IMG_0001.JPG"
expect_rc 0
cat "$T/out"
[ "$(libfiles | wc -l)" = 2 ] || fail "library: $(libfiles)"
[ "$(q 'SELECT count(*) FROM files')" = 2 ] || fail "catalogue: $(q 'SELECT path FROM files')"
lib_nonempty
cmp "$d/IMG_0002.JPG" "$LIB/2004/06/21/IMG_0002.JPG" || fail "IMG_0002 differs"

# The library, a directory inside it, a file inside it: refused, with
# --move, and nothing in the library is touched.
before=$(cd "$LIB" && find . -type f -not -path './.shoebox/*' -exec sha256sum {} + | sort)
sb import --move --no-progress "$LIB"
expect_rc 2
grep -q 'is the library or inside it' "$T/err" || fail "library as source: $(cat "$T/err")"
sb import --move --no-progress "$LIB/2004" "$LIB/2004/06/21/IMG_0002.JPG" "$LIB/./2006/../2004"
expect_rc 2
[ "$(grep -c '^shoebox: /[^ ]*: is the library or inside it' "$T/err")" = 3 ] || fail "inside library: $(cat "$T/err")"
# A source directory holding a link into the library.
mkdir -p "$T/card2"
ln -s "$LIB/2004/06/21/IMG_0002.JPG" "$T/card2/LINK.JPG"
sb import --move --no-progress "$T/card2"
after=$(cd "$LIB" && find . -type f -not -path './.shoebox/*' -exec sha256sum {} + | sort)
[ "$before" = "$after" ] || fail "the library changed: $after"

# A library this run makes inside the source it walks (a drop share with
# its archive in it, the first night; photos/ is walked after card/): the walk does not go into the new
# library, so nothing of it is seen again as a duplicate or, with --move,
# offered for deletion.
mkdir -p "$T/share"
cp -r "$TOP/tests/sample-card" "$T/share/card"
SHOEBOX_LIBRARY=$T/share/photos sb import --move --no-progress "$T/share"
expect_rc 0
grep -q '13 files seen: 7 imported, 1 duplicates, 3 sidecars' "$T/out" ||
    fail "the new library was walked: $(cat "$T/out")"
! grep -q "photos/" "$T/err" || fail "the new library was walked: $(cat "$T/err")"
[ "$(find "$T/share/photos" -type f -not -path '*/.shoebox/*' | wc -l)" = 10 ] ||
    fail "photos: $(find "$T/share/photos" -type f)"

# A dir remote's folder inside the share (a backup disk mounted there):
# its copies are not walked, so --move does not delete them as duplicates
# of the library's; given by name it is refused with --move, and read
# (nothing deleted) without.
mkdir -p "$T/share/backup"
cp "$SHOEBOX_CONFIG" "$T/conf-usb"
printf '[remote usb]\ntype = dir\npath = %s\n' "$T/share/backup" >>"$T/conf-usb"
SHOEBOX_LIBRARY=$T/share/photos sb -c "$T/conf-usb" sync
expect_rc 0
[ "$(find "$T/share/backup" -type f | wc -l)" = 10 ] || fail "backup: $(cat "$T/out")"
SHOEBOX_LIBRARY=$T/share/photos sb -c "$T/conf-usb" import --move --no-progress "$T/share"
expect_rc 0
grep -q "share/backup: is remote usb's folder, not scanned" "$T/err" ||
    fail "the backup was walked: $(cat "$T/err")"
SHOEBOX_LIBRARY=$T/share/photos sb -c "$T/conf-usb" import --move --no-progress "$T/share/backup/2019"
expect_rc 2
grep -q "is remote usb's folder or inside it, not a source" "$T/err" ||
    fail "the backup as a source: $(cat "$T/err")"
SHOEBOX_LIBRARY=$T/share/photos sb -c "$T/conf-usb" import --no-progress "$T/share/backup/2019"
expect_rc 0
[ "$(find "$T/share/backup" -type f | wc -l)" = 10 ] || fail "backup copies were deleted"
rm -rf "$T/share"

# --move with the hard link and the file twice: both names go, content stays.
sb import --move --no-progress "$T/card" "$T/card"
expect_rc 0
[ ! -e "$d/IMG_0002.JPG" ] && [ ! -e "$d/IMG_0002_LINK.JPG" ] || fail "linked sources not moved"
cmp "$FIX/Reagan.jpg" "$LIB/2004/06/21/IMG_0002.JPG" || fail "moved copy differs"
[ -e "$d/EMPTY.JPG" ] || fail "the empty file was deleted (nothing of it is filed)"

# A file appended to by another process while it is copied.
rm -rf "$T/card" "$LIB"
mkdir -p "$d"
cp "$FIX/mov_utc_2019-12-31T235958Z.mov" "$d/MVI_0001.MOV"
head -c 200000000 /dev/zero >>"$d/MVI_0001.MOV"
cp "$FIX/Reagan.jpg" "$d/IMG_0002.JPG"
set_mtimes "$T/card"
"$SHOEBOX" import --move --no-progress "$T/card" >"$T/out" 2>"$T/err" &
pid=$!
(while kill -0 $pid 2>/dev/null; do printf 'more' >>"$d/MVI_0001.MOV"; sleep 0.01; done) &
writer=$!
rc=0
wait $pid || rc=$?
wait $writer
cat "$T/out" "$T/err"
# Caught when opened (changed since the scan: left for the next run, exit 0)
# or while copied (exit 1); either way named, kept and not filed.
[ "$rc" = 0 ] || expect_rc 1
grep -q 'MVI_0001.MOV: .*changed \(while being copied\|since the scan\)' "$T/err" ||
    fail "growing file not reported"
[ -f "$d/MVI_0001.MOV" ] || fail "--move deleted a source whose copy failed"
[ ! -e "$d/IMG_0002.JPG" ] || fail "the other file was not moved"
[ -z "$(libfiles | grep MVI)" ] || fail "a copy of the changing file was filed: $(libfiles)"
[ -z "$(ls -A "$LIB/.shoebox/tmp")" ] || fail "partial files left"
# Once it stops changing, it is filed whole.
sb import --move --no-progress "$T/card"
expect_rc 0
[ "$(libfiles | grep -c MVI)" = 1 ] || fail "not filed after it settled: $(libfiles)"

# A directory removed while the run is under way (after the walk).
rm -rf "$T/card" "$LIB"
mkdir -p "$T/card/A" "$T/card/B"
cp "$FIX/mov_utc_2019-12-31T235958Z.mov" "$T/card/A/MVI_0001.MOV"
head -c 300000000 /dev/zero >>"$T/card/A/MVI_0001.MOV"
cp "$FIX/Reagan.jpg" "$T/card/B/IMG_0002.JPG"
cp "$FIX/exiv2-nikon-d70.jpg" "$T/card/B/IMG_0003.JPG"
set_mtimes "$T/card"
"$SHOEBOX" import --move --no-progress "$T/card" >"$T/out" 2>"$T/err" &
pid=$!
n=0
while [ $n -lt 500 ] && [ ! -e "$LIB/.shoebox/catalog.db" ]; do sleep 0.01; n=$((n + 1)); done
rm -rf "$T/card/B"
rc=0
wait $pid || rc=$?
cat "$T/out" "$T/err"
if grep -q 'IMG_0002.JPG' "$T/err"; then
	expect_rc 1
	grep -q 'IMG_0002.JPG: cannot open: No such file or directory' "$T/err" ||
	    fail "vanished file not reported with the reason"
else
	echo "note: the run reached B before it was removed"
fi
[ ! -e "$T/card/A/MVI_0001.MOV" ] || fail "A was not moved"
lib_nonempty
[ -z "$(ls -A "$LIB/.shoebox/tmp")" ] || fail "partial files left"

# Unreadable directory and file: root reads anything, so drop the
# capabilities that let it (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH).
if [ "$(id -u)" = 0 ] && ! command -v setpriv >/dev/null; then
	echo "note: no setpriv; unreadable sources not tested as root"
	exit 0
fi
rm -rf "$T/card" "$LIB"
mkdir -p "$T/card/LOCKED" "$T/card/OPEN"
cp "$FIX/Reagan.jpg" "$T/card/LOCKED/IMG_0002.JPG"
cp "$FIX/exiv2-nikon-d70.jpg" "$T/card/OPEN/IMG_0003.JPG"
cp "$FIX/exiv2-canon-eos-20d.jpg" "$T/card/OPEN/IMG_0001.JPG"
set_mtimes "$T/card"
chmod 000 "$T/card/LOCKED" "$T/card/OPEN/IMG_0001.JPG"
run_as=""
[ "$(id -u)" = 0 ] && run_as="setpriv --bounding-set=-dac_override,-dac_read_search"
rc=0
$run_as "$SHOEBOX" import --move --no-progress "$T/card" >"$T/out" 2>"$T/err" || rc=$?
cat "$T/out" "$T/err"
expect_rc 1
grep -q 'card/LOCKED: Permission denied' "$T/err" || fail "unreadable directory not reported"
grep -q 'IMG_0001.JPG: cannot open: Permission denied' "$T/err" || fail "unreadable file not reported"
[ "$(libfiles)" = "2004/03/30/IMG_0003.JPG" ] || fail "library: $(libfiles)"
chmod 755 "$T/card/LOCKED"
chmod 644 "$T/card/OPEN/IMG_0001.JPG"
[ -f "$T/card/LOCKED/IMG_0002.JPG" ] && [ -f "$T/card/OPEN/IMG_0001.JPG" ] ||
    fail "--move deleted an unread source"
exit 0
