#!/bin/sh
# The read-back check (verify = yes, the default) catches a copy that was
# written wrong: tests/lib/badcopy.c, preloaded, flips a byte in one write
# to an unnamed copy. For a photo (read back after the batch's syncfs) and
# for a video big enough for the pipelined copy (read back stretch by
# stretch once written out), at its start, middle and end: the import says
# the copy reads back different, exits 1, leaves nothing in the library or
# the catalogue, and with --move keeps the source. A clean re-run files it.
. "$TOP/tests/lib/common.sh"

shim badcopy

d="$T/card/DCIM/100CANON"
mkdir -p "$d"
cp "$FIX/Reagan.jpg" "$d/IMG_0001.JPG"
# A 40 MB video: a real MP4, then a free box (as scripts/bench does).
padded_video "$FIX/mp4_utc_2021-07-04T183015Z.mp4" "$d/MVI_0002.MP4" 40
set_mtimes "$T/card"
cp -a "$T/card" "$T/orig"

# The photo is written whole (it is smaller than the head read first); the
# video as its 64 kB head (write 2), then 1 MB pieces: 3 is the first,
# then one in the middle and the last.
last=$(python3 -c 'import os, sys; s = os.path.getsize(sys.argv[1])
print(2 + (s - 65536 + 1048575) // 1048576)' "$d/MVI_0002.MP4")
for nth in 1 2 3 20 $last; do
	rm -rf "$LIB"
	import_badcopy $nth 'reads back different'
	# Whatever was filed is whole and catalogued; the failed one is not.
	libfiles >"$T/lib.list"
	[ "$(wc -l <"$T/lib.list")" = 1 ] || fail "nth=$nth: library: $(cat "$T/lib.list")"
	p=$(cat "$T/lib.list")
	cmp -s "$LIB/$p" "$T/orig/DCIM/100CANON/${p##*/}" || fail "nth=$nth: $p differs"
	[ "$(q 'SELECT count(*) FROM files')" = 1 ] || fail "nth=$nth: catalogue"
	# --move deleted the filed source only.
	[ "$(find "$T/card" -type f | wc -l)" = 1 ] || fail "nth=$nth: sources"
	sb import --no-progress --move "$T/card"
	expect_rc 0
	[ "$(libfiles | wc -l)" = 2 ] || fail "nth=$nth: re-run did not file it"
	for f in IMG_0001.JPG MVI_0002.MP4; do
		p=$(libfiles | grep "/$f\$")
		cmp -s "$LIB/$p" "$T/orig/DCIM/100CANON/$f" || fail "nth=$nth: $f differs"
	done
	cp -a "$T/orig/." "$T/card"
done
echo "ok"
