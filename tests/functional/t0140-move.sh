#!/bin/sh
# --move deletes a source only after its copy is verified and catalogued;
# a source whose copy failed stays where it was. A write-protected card
# (read-only) is imported with one message that nothing is removed.
. "$TOP/tests/lib/common.sh"

mkdir -p "$T/card/DCIM/100CANON"
cp "$FIX/exiv2-canon-eos-20d.jpg" "$T/card/DCIM/100CANON/IMG_0001.JPG"
printf 'xmp\n' >"$T/card/DCIM/100CANON/IMG_0001.XMP"
cp "$FIX/Reagan.jpg" "$T/card/DCIM/100CANON/IMG_0002.JPG"
cp "$FIX/exiv2-nikon-d70.jpg" "$T/card/DCIM/100CANON/IMG_0003.JPG"
printf 'notes\n' >"$T/card/DCIM/100CANON/notes.txt"
set_mtimes "$T/card"
cp -r "$T/card" "$T/orig"

# Block 2004/06/21 (IMG_0002's day) with a plain file: its copy must fail.
mkdir -p "$LIB/2004/06"
printf 'in the way\n' >"$LIB/2004/06/21"

sb import --move --no-progress "$T/card"
expect_rc 1
grep -q 'IMG_0002.JPG' "$T/err" || fail "no message naming the failed file"
[ -f "$T/card/DCIM/100CANON/IMG_0002.JPG" ] || fail "source of a failed copy was deleted"
cmp "$T/card/DCIM/100CANON/IMG_0002.JPG" "$T/orig/DCIM/100CANON/IMG_0002.JPG" || fail "failed source changed"
[ ! -e "$T/card/DCIM/100CANON/IMG_0001.JPG" ] || fail "imported source not moved"
[ ! -e "$T/card/DCIM/100CANON/IMG_0001.XMP" ] || fail "sidecar not moved"
[ ! -e "$T/card/DCIM/100CANON/IMG_0003.JPG" ] || fail "imported source not moved"
[ -f "$T/card/DCIM/100CANON/notes.txt" ] || fail "non-media file touched"
cmp "$T/orig/DCIM/100CANON/IMG_0001.JPG" "$LIB/2006/08/02/IMG_0001.JPG" || fail "moved copy differs"
cmp "$T/orig/DCIM/100CANON/IMG_0001.XMP" "$LIB/2006/08/02/IMG_0001.XMP" || fail "moved sidecar differs"

# Clear the way: the re-run moves the rest.
rm "$LIB/2004/06/21"
sb import --move --no-progress "$T/card"
expect_rc 0
[ ! -e "$T/card/DCIM/100CANON/IMG_0002.JPG" ] || fail "second run did not move"
cmp "$T/orig/DCIM/100CANON/IMG_0002.JPG" "$LIB/2004/06/21/IMG_0002.JPG" || fail "copy differs"

# A write-protected card (mounted read-only): --move files everything and
# says once that nothing is removed from it, not once for each file; a
# re-run finds it all imported, and says it again.
if [ "$(id -u)" = 0 ] && mkdir -p "$T/ro" &&
    mount -t tmpfs -o size=8m shoebox-t0140 "$T/ro" 2>/dev/null; then
	unmount_ro() { umount "$T/ro" 2>/dev/null; }
	cleanup_hooks="unmount_ro"
	cp -r "$TOP/tests/sample-card/." "$T/ro/"
	mount -o remount,ro "$T/ro" || fail "cannot make the card read-only"
	for run in 1 2; do
		sb -L "$T/lib-ro" import --move --no-progress "$T/ro"
		expect_rc 0
		[ "$(grep -c . "$T/err")" = 1 ] && grep -q "^shoebox: $T/ro: on a read-only filesystem (a write-protected card?): its files are filed but not removed (--move)$" "$T/err" ||
		    fail "read-only card, run $run: $(cat "$T/err")"
	done
	grep -q '^13 files seen: 0 imported, 0 duplicates, 0 sidecars, 11 already imported' "$T/out" ||
	    fail "read-only card, re-run: $(cat "$T/out")"
	[ "$(find "$T/ro" -type f | wc -l)" = "$(find "$TOP/tests/sample-card" -type f | wc -l)" ] ||
	    fail "read-only card: files went"
fi
exit 0
