#!/bin/sh
# A library where the filesystem has no O_TMPFILE and no hard links (FAT):
# store.c writes a named temp under LIBRARY/.shoebox/tmp and renames it into
# place with RENAME_NOREPLACE (then, where that is missing too, checks then
# renames). Import, re-run, collisions (NAME-1.EXT) and duplicates all work,
# no partial.* file remains, and a SIGKILL in the middle leaves no partial
# file under a real name and a .shoebox/tmp that the next run cleans.
# The kernel here may have no vfat (t0231 uses the real thing when it can),
# so tests/lib/fatlike.c, preloaded, gives FAT's answers on any filesystem.
. "$TOP/tests/lib/common.sh"

shim fatlike

# fsb ARGS...: sb, with FAT's answers.
fsb() {
	rc=0
	LD_PRELOAD="$T/fatlike.so" "$SHOEBOX" "$@" >"$T/out" 2>"$T/err" || rc=$?
	[ $rc -gt 2 ] && { cat "$T/err" >&2; fail "shoebox $* exited $rc"; }
	return 0
}

# check_whole DIR: every library file equals some file under DIR.
check_whole() {
	sums "$1" >"$T/srcsums"
	lib_whole "$T/srcsums"
}

for norename2 in 0 1; do
	export FATLIKE_NORENAME2=$norename2
	rm -rf "$LIB" "$T/card" "$T/card2"
	d="$T/card/DCIM/100CANON"
	mkdir -p "$d" "$T/card2/DCIM/100CANON"
	cp "$FIX/exiv2-canon-eos-20d.jpg" "$d/IMG_0001.JPG"
	printf 'xmp\n' >"$d/IMG_0001.XMP"
	cp "$FIX/Reagan.jpg" "$d/IMG_0002.JPG"
	cp "$FIX/mp4_utc_2021-07-04T183015Z.mp4" "$d/MVI_0003.MP4"
	# Same name and day, other content: IMG_0001-1.JPG; same content: dup.
	python3 - "$d/IMG_0001.JPG" "$T/card2/DCIM/100CANON/IMG_0001.JPG" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[-3] ^= 0xff		# in the image data, before EOI: same EXIF date
open(sys.argv[2], "wb").write(bytes(b))
PY
	printf 'xmp2\n' >"$T/card2/DCIM/100CANON/IMG_0001.XMP"
	cp "$d/IMG_0002.JPG" "$T/card2/DCIM/100CANON/COPY.JPG"
	set_mtimes "$T/card"
	set_mtimes "$T/card2"

	fsb import --no-progress "$T/card"
	expect_rc 0
	grep -q '^4 files seen: 3 imported, 0 duplicates, 1 sidecars' "$T/out" ||
	    fail "norename2=$norename2: summary: $(cat "$T/out" "$T/err")"
	cmp "$d/IMG_0001.JPG" "$LIB/2006/08/02/IMG_0001.JPG" || fail "copy differs"
	cmp "$d/IMG_0001.XMP" "$LIB/2006/08/02/IMG_0001.XMP" || fail "sidecar differs"
	[ "$(q 'SELECT count(*) FROM files')" = 4 ] || fail "catalogue: $(q 'SELECT path FROM files')"

	fsb import --no-progress "$T/card"
	expect_rc 0
	grep -q '4 already imported' "$T/out" || fail "re-run: $(cat "$T/out")"

	fsb import --no-progress "$T/card2"
	expect_rc 0
	cat "$T/out"
	cmp "$T/card2/DCIM/100CANON/IMG_0001.JPG" "$LIB/2006/08/02/IMG_0001-1.JPG" ||
	    fail "norename2=$norename2: collision not filed as IMG_0001-1.JPG"
	cmp "$T/card2/DCIM/100CANON/IMG_0001.XMP" "$LIB/2006/08/02/IMG_0001-1.XMP" ||
	    fail "collision's sidecar not filed as IMG_0001-1.XMP"
	cmp "$d/IMG_0001.JPG" "$LIB/2006/08/02/IMG_0001.JPG" || fail "original overwritten"
	grep -q '1 duplicates' "$T/out" || fail "duplicate not recognised"
	[ -z "$(ls -A "$LIB/.shoebox/tmp")" ] || fail "left in .shoebox/tmp: $(ls -A "$LIB/.shoebox/tmp")"
	[ "$(q 'SELECT count(*) FROM files')" = "$(libfiles | wc -l)" ] ||
	    fail "catalogue does not match library"
	check_whole "$T"
done

# SIGKILL in the middle of big copies through named temp files.
rm -rf "$LIB" "$T/card"
d="$T/card/DCIM/100CANON"
mkdir -p "$d"
for n in 1 2 3; do
	padded_video "$FIX/mov_utc_2019-12-31T235958Z.mov" "$d/MVI_000$n.MOV" 64
done
set_mtimes "$T/card"
export FATLIKE_NORENAME2=0
LD_PRELOAD="$T/fatlike.so" "$SHOEBOX" import --no-progress "$T/card" >"$T/out1" 2>&1 &
pid=$!
# Kill it once a named temp file holds more than a megabyte of a copy.
n=0
while [ $n -lt 3000 ] && kill -0 $pid 2>/dev/null; do
	[ -n "$(find "$LIB/.shoebox/tmp" -name 'partial.*' -size +1M 2>/dev/null)" ] && break
	sleep 0.01
	n=$((n + 1))
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
echo "killed with $(libfiles | wc -l) files filed, tmp: $(ls "$LIB/.shoebox/tmp" 2>/dev/null)"
check_whole "$T/card"
ls "$LIB/.shoebox/tmp" | grep -q '^partial\.' || echo "note: the kill came between copies"

fsb import --no-progress "$T/card"
expect_rc 0
[ -z "$(ls -A "$LIB/.shoebox/tmp")" ] || fail "next run did not clean .shoebox/tmp"
check_whole "$T/card"
[ "$(libfiles | wc -l)" = 3 ] || fail "library: $(libfiles)"
[ "$(q 'SELECT count(*) FROM files')" = 3 ] || fail "catalogue does not match library"
exit 0
