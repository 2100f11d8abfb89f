#!/bin/sh
# The read-back check of a copy under 16 MB (XXH3-128 of the bytes read,
# computed on the hashing thread, against that of the copy read back) over
# a photo written in several 256 kB slots: tests/lib/badcopy.c flips a byte
# in the first, a middle or the last write. The import says the copy reads
# back different, exits 1, leaves nothing in the library or the catalogue
# and keeps the --move source; a clean re-run files it byte for byte, with
# the catalogue's SHA-256 that of the source.
. "$TOP/tests/lib/common.sh"

shim badcopy

d="$T/card/DCIM/100CANON"
mkdir -p "$d"
# A JPEG of some 900 kB: the photo, then random bytes after its end.
python3 -c 'import os, sys
open(sys.argv[2], "wb").write(open(sys.argv[1], "rb").read() +
    os.urandom(900 * 1024))' "$FIX/Reagan.jpg" "$d/IMG_0001.JPG" ||
    fail "cannot build the photo"
set_mtimes "$T/card"
cp -a "$T/card" "$T/orig"
sum=$(sha256sum <"$d/IMG_0001.JPG" | cut -d' ' -f1)

# Four writes of 256 kB slots at most: the first, one in the middle, the last.
for nth in 1 2 4; do
	rm -rf "$LIB"
	import_badcopy $nth 'reads back different from the source (XXH3-128'
	[ -z "$(libfiles)" ] || fail "nth=$nth: library: $(libfiles)"
	[ "$(q 'SELECT count(*) FROM files')" = 0 ] || fail "nth=$nth: catalogue"
	cmp -s "$d/IMG_0001.JPG" "$T/orig/DCIM/100CANON/IMG_0001.JPG" ||
	    fail "nth=$nth: the source is gone or changed"
done

sb import --no-progress --move "$T/card"
expect_rc 0
p=$(libfiles)
[ -n "$p" ] || fail "the re-run did not file it"
cmp -s "$LIB/$p" "$T/orig/DCIM/100CANON/IMG_0001.JPG" || fail "$p differs"
[ "$(q 'SELECT sha256 FROM catalog')" = "$sum" ] || fail "catalogued SHA-256"
[ ! -e "$d/IMG_0001.JPG" ] || fail "--move kept the source"
echo "ok"
