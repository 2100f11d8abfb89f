#!/bin/sh
# A sidecar belongs to its main file. Two photos whose XMP sidecars are
# byte for byte alike (a blank XMP, the same preset applied to both): each
# sidecar is filed beside its own photo, and with --move neither is
# removed as a "duplicate" of the other's (which left the second photo in
# the library without its sidecar). The dry run says the same. A sidecar
# is a duplicate only of its own main file's: the same photo and sidecar
# again (a card copied twice) are duplicates, both.
. "$TOP/tests/functional/safety-lib.sh"

S=$T/drop
card() {
	rm -rf "$S"
	mkdir -p "$S"
	cp "$CARD/IMG_0001.JPG" "$CARD/IMG_0002.JPG" "$S/"
	cp "$T/blank.xmp" "$S/IMG_0001.XMP"
	cp "$T/blank.xmp" "$S/IMG_0002.XMP"
}
printf '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>\n' >"$T/blank.xmp"

card
csb import --dry-run --no-progress "$S"
expect_rc 0
[ "$(grep -c '^would: sidecar' "$T/out")" = 2 ] ||
    { cat "$T/out"; fail "dry run: two sidecars expected"; }
grep -q '^would: duplicate' "$T/out" && { cat "$T/out"; fail "dry run: a sidecar called a duplicate"; }

csb import --move --no-progress "$S"
cat "$T/out" "$T/err"
expect_rc 0
grep -q ' 2 sidecars' "$T/out" || fail "two sidecars expected"
for n in 0001 0002; do
	main=$(q "SELECT path FROM files WHERE path LIKE '%IMG_$n.JPG'")
	side=$(q "SELECT s.path FROM files s JOIN files m ON m.id = s.main_id WHERE m.path = '$main'")
	[ "${side%.XMP}" = "${main%.JPG}" ] ||
	    fail "IMG_$n.JPG ($main): its sidecar is '$side'"
	cmp -s "$LIB/$side" "$T/blank.xmp" || fail "$side is not in the library"
	[ ! -e "$S/IMG_$n.XMP" ] || fail "IMG_$n.XMP was not moved"
done
[ "$(libfiles | wc -l)" = 4 ] || fail "library: $(libfiles)"

# The same card again: every file a duplicate, every source removed.
card
csb import --move --no-progress "$S"
cat "$T/out" "$T/err"
expect_rc 0
grep -q ' 4 duplicates' "$T/out" || fail "the same card again: four duplicates expected"
[ "$(libfiles | wc -l)" = 4 ] || fail "library: $(libfiles)"
[ -z "$(find "$S" -type f)" ] || fail "sources left: $(find "$S" -type f)"
exit 0
