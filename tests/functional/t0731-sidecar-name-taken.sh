#!/bin/sh
# A sidecar whose name beside its main file is taken by another file must
# not take a name that pairs it with a different photo. The library holds
# IMG_0001.JPG (photo A) with its IMG_0001.XMP, and IMG_0001-1.JPG (photo B,
# another photo of that name). A card brings photo A again with new edits
# in IMG_0001.XMP: A is a duplicate, so its sidecar goes beside the
# library's copy of A, where IMG_0001.XMP is taken. Named IMG_0001-1.XMP,
# it would belong by name to photo B (restore --rebuild, other programs);
# it is filed as IMG_0001.JPG.XMP, catalogued as A's sidecar. The dry run
# names it the same, and a re-run files nothing more.
. "$TOP/tests/functional/safety-lib.sh"

xmp() {
	printf '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>%s</rdf:RDF></x:xmpmeta>\n' "$1"
}

mkdir -p "$T/c1" "$T/c2" "$T/c3"
cp "$CARD/IMG_0001.JPG" "$T/c1/"
xmp "edits 1" >"$T/c1/IMG_0001.XMP"
# Photo B: same name and date, other bytes.
cp "$CARD/IMG_0001.JPG" "$T/c2/"
printf 'another photo' >>"$T/c2/IMG_0001.JPG"
cp "$CARD/IMG_0001.JPG" "$T/c3/"
xmp "edits 2" >"$T/c3/IMG_0001.XMP"

csb import --no-progress "$T/c1"
expect_rc 0
csb import --no-progress "$T/c2"
expect_rc 0
a=$(q "SELECT path FROM files WHERE path LIKE '%/IMG_0001.JPG'")
b=$(q "SELECT path FROM files WHERE path LIKE '%/IMG_0001-1.JPG'")
[ -n "$a" ] && [ -n "$b" ] || fail "setup: $(libfiles)"
dir=$(dirname "$a")
[ "$(dirname "$b")" = "$dir" ] || fail "setup: not one folder: $(libfiles)"
[ -f "$LIB/$dir/IMG_0001.XMP" ] || fail "setup: $(libfiles)"

csb import --dry-run --no-progress "$T/c3"
cat "$T/out"
expect_rc 0
grep -q "^would: sidecar .*$dir/IMG_0001.JPG.XMP" "$T/out" ||
    fail "dry run: not named IMG_0001.JPG.XMP"

csb import --no-progress "$T/c3"
cat "$T/out" "$T/err"
expect_rc 0
[ ! -e "$LIB/$dir/IMG_0001-1.XMP" ] ||
    fail "filed as IMG_0001-1.XMP, photo B's by name: $(libfiles)"
cmp -s "$LIB/$dir/IMG_0001.JPG.XMP" "$T/c3/IMG_0001.XMP" ||
    fail "not filed as IMG_0001.JPG.XMP: $(libfiles)"
[ "$(q "SELECT count(*) FROM files s JOIN files m ON m.id = s.main_id WHERE m.path = '$a' AND s.path = '$dir/IMG_0001.JPG.XMP'")" = 1 ] ||
    fail "not catalogued as A's sidecar: $(q 'SELECT id, path, main_id FROM files')"
cmp -s "$LIB/$dir/IMG_0001.XMP" "$T/c1/IMG_0001.XMP" ||
    fail "the first sidecar changed"

# Again: both already there.
before=$(libfiles | wc -l)
csb import --no-progress "$T/c3"
expect_rc 0
[ "$(libfiles | wc -l)" = "$before" ] || fail "the re-run filed more: $(libfiles)"

# Taken too (a third edit): IMG_0001.JPG.1.XMP, still A's alone by name.
xmp "edits 3" >"$T/c3/IMG_0001.XMP"
csb import --no-progress "$T/c3"
expect_rc 0
cmp -s "$LIB/$dir/IMG_0001.JPG.1.XMP" "$T/c3/IMG_0001.XMP" ||
    fail "third edit not filed as IMG_0001.JPG.1.XMP: $(libfiles)"

# By name too: a library rebuilt from a backup of it pairs all three
# sidecars with photo A, none with B (adopt pairs by name alone).
mkdir -p "$T/usb"
printf '[remote usb]\ntype = dir\npath = %s\n' "$T/usb" >>"$CFG"
csb sync --no-progress
expect_rc 0
csb restore --remote usb --rebuild --to "$T/rebuilt" --no-progress
cat "$T/out"
expect_rc 0
[ "$(sqlite3 "$T/rebuilt/.shoebox/catalog.db" "SELECT s.path || ' ' || m.path FROM files s JOIN files m ON m.id = s.main_id ORDER BY s.path")" = "$dir/IMG_0001.JPG.1.XMP $a
$dir/IMG_0001.JPG.XMP $a
$dir/IMG_0001.XMP $a" ] ||
    fail "rebuilt pairs: $(sqlite3 "$T/rebuilt/.shoebox/catalog.db" "SELECT s.path, m.path FROM files s JOIN files m ON m.id = s.main_id")"

# A photo's name of 252 bytes: its whole name and .XMP would be too long
# a name; the sidecar takes the NAME-1 form (its stem cut to fit), filed.
long=$(printf '%0248d' 0 | tr 0 L)
mkdir -p "$T/c4" "$T/c5"
cp "$CARD/IMG_0002.JPG" "$T/c4/$long.JPG"
xmp "long 1" >"$T/c4/$long.XMP"
cp "$CARD/IMG_0002.JPG" "$T/c5/$long.JPG"
xmp "long 2" >"$T/c5/$long.XMP"
csb import --no-progress "$T/c4"
expect_rc 0
csb import --no-progress "$T/c5"
cat "$T/out" "$T/err"
expect_rc 0
grep -q ' 1 sidecars' "$T/out" || fail "the long-named sidecar was not filed"
[ "$(q "SELECT count(*) FROM files WHERE path LIKE '%.XMP' AND main_id = (SELECT id FROM files WHERE path LIKE '%/$long.JPG')")" = 2 ] ||
    fail "long-named sidecars: $(libfiles)"
exit 0
