#!/bin/sh
# Naming (issue 14): values from the file (EXIF make and model, the file's
# own name) in the templates can never leave the library, make an empty,
# "." or ".." part, hide in .shoebox, or carry '/', '\', control or bidi
# characters; missing ones are "Unknown". JPEGs with hostile EXIF made by
# exiftool at test time.
. "$TOP/tests/lib/common.sh"

command -v exiftool >/dev/null || { echo "skipped: no exiftool"; exit 77; }
CARD=$TOP/tests/sample-card/DCIM/100CANON
S=$T/src
mkdir -p "$S"
# hostile NAME SOURCE MAKE MODEL: S/NAME from SOURCE, with that make and model
hostile() {
	cp "$CARD/$2" "$S/$1"
	exiftool -q -overwrite_original -Make="$3" -Model="$4" "$S/$1" ||
	    fail "exiftool cannot write $1"
}
hostile a.jpg IMG_0001.JPG '../../etc' '.shoebox'
hostile b.jpg IMG_0002.JPG '..' '/'
hostile c.jpg IMG_0004.JPG "$(printf 'x\\y\001z')" "$(printf '.shoebox\342\200\256/..')"
hostile d.jpg IMG_0001.JPG '   ' ''
# the same picture as d.jpg but another byte: not a duplicate
printf 'x' >>"$S/d.jpg"
cp "$CARD/IMG_0002.JPG" "$S/$(printf 'EVIL\342\200\256gpj.JPG')"
printf 'x' >>"$S/$(printf 'EVIL\342\200\256gpj.JPG')"
set_mtimes "$S"

printf 'settle = 0\npattern = {make}/{model}/%%Y\nname = {make}_{model}_{name}\n' >"$T/c.conf"
sb -c "$T/c.conf" import --no-progress "$S"
expect_rc 0
libfiles >"$T/out"
expect_out "hostile make and model stay inside the library" <<'EOF2'
NIKON CORPORATION/NIKON D1X/2004/NIKON CORPORATION_NIKON D1X_EVIL_gpj.JPG
Unknown/Unknown/2006/Unknown_Unknown_d.jpg
_./_/2004/_.___b.jpg
_._.._etc/_shoebox/2006/_._.._etc__shoebox_a.jpg
x_y?z/_shoebox__../2003/x_y?z__shoebox__.._c.jpg
EOF2
# (the EXIF reader already made the control byte '?')
# Nothing under .shoebox but the catalogue, nothing outside the library.
found=$(find "$LIB/.shoebox" -type f ! -name 'catalog.db*' ! -name lock)
[ -z "$found" ] || fail "filed under .shoebox: $found"
[ ! -e "$T/etc" ] && [ ! -e "$LIB/../etc" ] || fail "a file left the library"
[ "$(q 'SELECT count(*) FROM files')" = 5 ] || fail "catalogue: $(q 'SELECT path FROM files')"

# The same values as the only part of a name: a dot never starts it.
rm -rf "$LIB"
printf 'settle = 0\npattern = x\nname = {model}\n' >"$T/c.conf"
sb -c "$T/c.conf" import --no-progress "$S"
expect_rc 0
libfiles >"$T/out"
expect_out "a name of the model alone" <<'EOF2'
x/NIKON D1X.JPG
x/Unknown.jpg
x/_.jpg
x/_shoebox.jpg
x/_shoebox__...jpg
EOF2
exit 0
