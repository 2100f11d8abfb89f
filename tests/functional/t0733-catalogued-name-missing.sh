#!/bin/sh
# A library file deleted by hand (still catalogued until forget) keeps its
# name: a different photo that would take that name is filed as NAME-1,
# its sidecar with it, instead of failing on every run with "UNIQUE
# constraint failed" (its copy linked, then removed again). A dry run
# names it so too. A sidecar's name the catalogue holds pushes a new photo
# whose sidecar would take it to NAME-1 as well, as one on disk does.
. "$TOP/tests/functional/safety-lib.sh"

S=$T/drop
mkdir -p "$S"
cp "$CARD/IMG_0002.JPG" "$S/A.JPG"
csb import --move --no-progress "$S"
expect_rc 0
old=$(q "SELECT path FROM files")
[ -f "$LIB/$old" ] || fail "not filed: $old"
rm "$LIB/$old"

# A new photo of that name and day, with a sidecar.
cp "$CARD/IMG_0002.JPG" "$S/A.JPG"
printf 'other' >>"$S/A.JPG"
printf '<x:xmpmeta xmlns:x="adobe:ns:meta/"/>\n' >"$S/A.XMP"
csb import --dry-run --no-progress "$S"
grep -q "A.JPG -> ${old%.JPG}-1.JPG" "$T/out" || fail "dry run: $(cat "$T/out")"
csb import --move --no-progress "$S"
cat "$T/out" "$T/err"
expect_rc 0
grep -q UNIQUE "$T/err" && fail "a catalogued name: $(cat "$T/err")"
new=${old%.JPG}-1.JPG
[ -f "$LIB/$new" ] || fail "the new photo is not at $new: $(libfiles)"
[ -f "$LIB/${new%.JPG}.XMP" ] || fail "its sidecar did not follow: $(libfiles)"
[ "$(q "SELECT count(*) FROM files WHERE path = '$new'")" = 1 ] ||
    fail "$new not catalogued"
[ "$(q "SELECT count(*) FROM files WHERE path = '$old'")" = 1 ] ||
    fail "the missing file's row is gone"
[ -z "$(ls -A "$S")" ] || fail "sources left: $(ls "$S")"
# verify names the file deleted by hand.
csb verify
grep -qF "$old" "$T/out" "$T/err" || fail "verify: $(cat "$T/out" "$T/err")"

# A sidecar's name held by the catalogue alone.
rm -rf "$LIB" "$S" "$T/b" && mkdir -p "$S" "$T/b"
cp "$CARD/IMG_0003.CR3" "$S/IMG_0003.JPG"
printf x >>"$S/IMG_0003.JPG"
printf '<x:xmpmeta>A</x:xmpmeta>\n' >"$S/IMG_0003.xmp"
csb import --no-progress "$S"
expect_rc 0
x=$(q "SELECT path FROM files WHERE path LIKE '%IMG_0003.xmp'")
[ -n "$x" ] || fail "the first sidecar was not filed"
rm "$LIB/$x"
cp "$CARD/IMG_0003.CR3" "$T/b/IMG_0003.CR3"
printf '<x:xmpmeta>B</x:xmpmeta>\n' >"$T/b/IMG_0003.xmp"
csb import --no-progress "$T/b"
expect_rc 0
[ "$(q "SELECT count(*) FROM files WHERE path LIKE '%/IMG_0003-1.CR3'")" = 1 ] &&
    [ "$(q "SELECT count(*) FROM files WHERE path LIKE '%/IMG_0003-1.xmp'")" = 1 ] ||
    fail "a catalogued sidecar name: $(q 'SELECT path FROM files')"
exit 0
