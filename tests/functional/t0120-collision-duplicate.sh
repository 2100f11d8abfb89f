#!/bin/sh
# Never overwrite: a different file with the same name on the same day gets
# -1, -2 before its extension; the same content twice is a duplicate, not
# copied again, but its source is remembered. Sidecars follow the rename.
. "$TOP/tests/lib/common.sh"

mkdir -p "$T/a" "$T/b" "$T/c"
cp "$FIX/FurnaceCreekInn.jpg" "$T/a/IMG_0001.JPG"
printf 'sidecar a\n' >"$T/a/IMG_0001.XMP"
cp "$FIX/FurnaceCreekInn2.jpg" "$T/b/IMG_0001.JPG"	# same day
printf 'sidecar b\n' >"$T/b/IMG_0001.XMP"
cp "$FIX/FurnaceCreekInn3.jpg" "$T/c/IMG_0001.JPG"	# same day
cp "$FIX/FurnaceCreekInn.jpg" "$T/c/copy.jpg"		# duplicate
set_mtimes "$T"

sb import --no-progress "$T/a" "$T/b" "$T/c"
expect_rc 0
libfiles >"$T/got"
cat >"$T/want" <<'L'
2008/05/08/IMG_0001-1.JPG
2008/05/08/IMG_0001-1.XMP
2008/05/08/IMG_0001-2.JPG
2008/05/08/IMG_0001.JPG
2008/05/08/IMG_0001.XMP
L
diff -u "$T/want" "$T/got" || fail "library layout"
cmp "$T/a/IMG_0001.JPG" "$LIB/2008/05/08/IMG_0001.JPG" || fail "first file changed"
cmp "$T/b/IMG_0001.JPG" "$LIB/2008/05/08/IMG_0001-1.JPG" || fail "second file"
cmp "$T/b/IMG_0001.XMP" "$LIB/2008/05/08/IMG_0001-1.XMP" || fail "sidecar did not follow its file"
cmp "$T/c/IMG_0001.JPG" "$LIB/2008/05/08/IMG_0001-2.JPG" || fail "third file"
head -n 1 "$T/out" >"$T/summary"
same_text "summary counts the duplicate" "$T/summary" \
    "6 files seen: 3 imported, 1 duplicates, 2 sidecars, 0 already imported, 0 skipped, 0 failed"
[ "$(q "SELECT f.path FROM sources s JOIN files f ON f.id = s.file_id WHERE s.path = '$T/c/copy.jpg' AND s.status = 'duplicate'")" = 2008/05/08/IMG_0001.JPG ] ||
	fail "duplicate's source not remembered"
[ "$(q "SELECT sidecar_of FROM catalog WHERE path = '2008/05/08/IMG_0001-1.XMP'")" = 2008/05/08/IMG_0001-1.JPG ] ||
	fail "sidecar not linked to its main file"

# A run that finds only duplicates files nothing: it says it copied 0 B
# (the copy it made before it knew is not counted), in the runs too.
mkdir -p "$T/e"
cp "$FIX/FurnaceCreekInn.jpg" "$T/e/again.jpg"
set_mtimes "$T/e"
sb import --no-progress "$T/e"
expect_rc 0
grep -q '^0 B copied in ' "$T/out" || fail "a duplicate counted as copied"
[ "$(q "SELECT bytes FROM runs ORDER BY id DESC LIMIT 1")" = 0 ] ||
	fail "the run records a duplicate's bytes"

# A file already sitting in the library (not from shoebox) is not replaced.
mkdir -p "$T/d"
cp "$FIX/exiv2-canon-eos-20d.jpg" "$T/d/X.JPG"
mkdir -p "$LIB/2006/08/02"
printf 'not a photo\n' >"$LIB/2006/08/02/X.JPG"
sb import --no-progress "$T/d"
expect_rc 0
[ "$(cat "$LIB/2006/08/02/X.JPG")" = "not a photo" ] || fail "existing file overwritten"
cmp "$T/d/X.JPG" "$LIB/2006/08/02/X-1.JPG" || fail "X-1.JPG"
exit 0
