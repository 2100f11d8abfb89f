#!/bin/sh
# A sidecar that arrives after its main file was imported and moved away
# (an edit saved later, an .AAE a phone sent after its photo, a Sony clip's
# XML copied on its own): it is filed beside the main file's library copy,
# under the name the main file was filed as, catalogued as that file's
# sidecar with its date, and with --move removed from the drop folder. This holds for
# each way a sidecar pairs (IMG_0003.xmp beside IMG_0003.CR3, in another
# letter case too, mixed case included: IMG_0008.XMP for Img_0008.JPG;
# IMG_0001.JPG.xmp; C0001M01.XML beside C0001.MP4), and
# for a main file that was a duplicate (its sidecar goes beside the copy
# the library had). A sidecar whose main file never came stays where it
# is, skipped, as before; the dry run says what would be filed; a re-run
# finds the sidecars already imported.
. "$TOP/tests/functional/safety-lib.sh"

S=$T/drop
M4=$TOP/tests/sample-card/PRIVATE/M4ROOT/CLIP
mkdir -p "$S/DCIM" "$S/CLIP"
cp "$CARD/IMG_0001.JPG" "$CARD/IMG_0003.CR3" "$S/DCIM/"
cp "$CARD/IMG_0001.JPG" "$S/DCIM/Z_COPY.JPG"	# a duplicate of IMG_0001
cp "$M4/C0001.MP4" "$S/CLIP/"

csb import --move --no-progress "$S"
cat "$T/out" "$T/err"
expect_rc 0
[ -z "$(find "$S" -type f)" ] || fail "not all moved: $(find "$S" -type f)"
jpg=$(q "SELECT path FROM files WHERE path LIKE '%/IMG_0001.JPG'")
cr3=$(q "SELECT path FROM files WHERE path LIKE '%/IMG_0003.CR3'")
mp4=$(q "SELECT path FROM files WHERE path LIKE '%/C0001.MP4'")
[ -n "$jpg" ] && [ -n "$cr3" ] && [ -n "$mp4" ] || fail "mains: $(libfiles)"

# Later, the sidecars alone.
printf '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>late 1</rdf:RDF></x:xmpmeta>\n' >"$S/DCIM/IMG_0001.JPG.xmp"
printf '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>late 2</rdf:RDF></x:xmpmeta>\n' >"$S/DCIM/img_0003.XMP"
printf '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>late 3</rdf:RDF></x:xmpmeta>\n' >"$S/DCIM/Z_COPY.JPG.xmp"
printf '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>alone</rdf:RDF></x:xmpmeta>\n' >"$S/DCIM/IMG_0009.xmp"
cp "$M4/C0001M01.XML" "$S/CLIP/"
cp -a "$S" "$T/late"

csb import --dry-run --no-progress "$S"
expect_rc 0
cat "$T/out"
[ "$(grep -c '^would: sidecar' "$T/out")" = 4 ] || fail "dry run: four sidecars expected"
[ "$(q "SELECT count(*) FROM files")" = 3 ] || fail "the dry run filed something"

csb import --move --no-progress "$S"
cat "$T/out" "$T/err"
expect_rc 0
grep -q ' 4 sidecars, 0 already imported, 1 skipped' "$T/out" || fail "four sidecars, one skipped expected"
# late_sidecar MAIN SIDECAR-IN-DROP NAME-IN-LIBRARY
late_sidecar() {
	side=$(dirname "$1")/$3
	[ "$(q "SELECT count(*) FROM files s JOIN files m ON m.id = s.main_id WHERE m.path = '$1' AND s.path = '$side'")" = 1 ] ||
	    fail "$2: not filed as $side, $1's sidecar: $(q 'SELECT * FROM files')"
	cmp -s "$LIB/$side" "$T/late/$2" || fail "$2: not its bytes in the library"
	[ "$(q "SELECT count(*) FROM files s JOIN files m ON m.id = s.main_id WHERE s.path = '$side' AND s.taken IS m.taken AND s.taken_utc IS m.taken_utc AND m.taken IS NOT NULL")" = 1 ] ||
	    fail "$2: not dated as its main file: $(q "SELECT path, taken, taken_utc FROM files")"
	[ ! -e "$S/$2" ] || fail "$2 was not moved"
}
late_sidecar "$jpg" DCIM/IMG_0001.JPG.xmp IMG_0001.JPG.xmp
late_sidecar "$cr3" DCIM/img_0003.XMP img_0003.XMP
late_sidecar "$mp4" CLIP/C0001M01.XML C0001M01.XML
# Z_COPY.JPG was a duplicate of IMG_0001.JPG: its sidecar goes beside that
# copy, named after it, and is not taken for IMG_0001.JPG.xmp's duplicate.
side=$(dirname "$jpg")/IMG_0001.JPG.1.xmp
[ "$(q "SELECT count(*) FROM files s JOIN files m ON m.id = s.main_id WHERE m.path = '$jpg' AND s.path = '$side'")" = 1 ] ||
    fail "Z_COPY.JPG.xmp: not filed as $side: $(libfiles)"
cmp -s "$LIB/$side" "$T/late/DCIM/Z_COPY.JPG.xmp" || fail "Z_COPY.JPG.xmp: not its bytes"
[ -f "$S/DCIM/IMG_0009.xmp" ] || fail "the sidecar whose main never came was moved"

# A re-run with the same sidecars again: already imported, nothing filed.
cp -a "$T/late/." "$S/"
before=$(libfiles | wc -l)
csb import --no-progress "$S"
expect_rc 0
[ "$(libfiles | wc -l)" = "$before" ] || fail "the re-run filed more: $(libfiles)"

# A photo filed in mixed case, its sidecar later in upper case.
rm -rf "$T/mixed" && mkdir -p "$T/mixed"
cp "$CARD/IMG_0004.JPG" "$T/mixed/Img_0008.JPG"
csb import --move --no-progress "$T/mixed"
expect_rc 0
cp "$CARD/IMG_0001.JPG.xmp" "$T/mixed/IMG_0008.XMP"
csb import --move --no-progress "$T/mixed"
expect_rc 0
m=$(q "SELECT m.path FROM files f JOIN files m ON m.id = f.main_id WHERE f.path LIKE '%/IMG_0008.XMP'")
case "$m" in */Img_0008.JPG) ;; *) fail "mixed case: paired with '$m'" ;; esac
[ -z "$(ls -A "$T/mixed")" ] || fail "mixed case: left $(ls -A "$T/mixed")"
exit 0
