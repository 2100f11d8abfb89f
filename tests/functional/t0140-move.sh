#!/bin/sh
# --move deletes a source only after its copy is verified and catalogued;
# a source whose copy failed stays where it was.
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
exit 0
