#!/bin/sh
# A pattern that files into the library's own .shoebox directory (where
# the next run cleans .shoebox/tmp) is a configuration error (issue 9,
# bug 9): exit 2, nothing filed under .shoebox, with --move no source
# deleted, and a message naming the pattern key.
. "$TOP/tests/functional/safety-lib.sh"

S=$T/drop
for pat in .shoebox/tmp .shoebox/%Y ./.shoebox x/../.shoebox .shoebox \
    %Y/../.shoebox/tmp ./.shoebox/./tmp; do
	rm -rf "$S" "$LIB"
	mkdir -p "$S"
	cp "$CARD/IMG_0001.JPG" "$CARD/IMG_0002.JPG" "$S/"
	printf 'settle = 0\npattern = %s\n' "$pat" >"$T/pattern.conf"
	sb -c "$T/pattern.conf" import --move --no-progress "$S"
	cat "$T/out" "$T/err"
	# the source first: the next run would have deleted what was filed
	cmp -s "$S/IMG_0001.JPG" "$CARD/IMG_0001.JPG" && cmp -s "$S/IMG_0002.JPG" "$CARD/IMG_0002.JPG" ||
	    fail "pattern = $pat: a source was moved"
	if [ -d "$LIB/.shoebox" ]; then
		found=$(find "$LIB/.shoebox" -type f ! -name 'catalog.db*' ! -name lock)
		[ -z "$found" ] || fail "pattern = $pat: filed under .shoebox: $found"
	fi
	if [ -f "$LIB/.shoebox/catalog.db" ]; then
		[ "$(q 'SELECT count(*) FROM files')" = 0 ] ||
		    fail "pattern = $pat: catalogued: $(q 'SELECT path FROM files')"
	fi
	expect_rc 2
	grep -q pattern "$T/err" || fail "pattern = $pat: the message does not say what is wrong"
done

# A pattern that only looks like it: filed as usual.
printf 'settle = 0\npattern = shoebox/%%Y\n' >"$T/pattern.conf"
sb -c "$T/pattern.conf" import --no-progress "$S"
expect_rc 0
[ -f "$LIB/shoebox/2006/IMG_0001.JPG" ] || fail "pattern = shoebox/%Y: $(libfiles)"
exit 0
