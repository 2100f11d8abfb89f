#!/bin/sh
# Naming (issue 14): {seq} numbers the files of a folder; sidecars
# (XMP, XML) follow their main file's numbered name; a later run goes on
# from the highest number in the folder; a name already taken (by a file
# shoebox does not know) is never overwritten: the next number is taken.
. "$TOP/tests/lib/common.sh"

cp -r "$TOP/tests/sample-card" "$T/card"
set_mtimes "$T/card"
printf 'settle = 0\npattern = all\nname = pic_{seq:3}\n' >"$T/c.conf"
sb -c "$T/c.conf" import --dry-run --no-progress "$T/card"
expect_rc 0
sed -n 's/^would: [a-z]* *[^ ].* -> \(.*\) (.*$/\1/p' "$T/out" | LC_ALL=C sort >"$T/planned"
sb -c "$T/c.conf" import --no-progress "$T/card"
expect_rc 0
libfiles >"$T/out"
diff -u "$T/planned" "$T/out" >&2 || fail "the dry run said otherwise"
# IMG_0002 copy.JPG (a duplicate, found once copied) took a number: a gap
expect_out "numbered in scan order, sidecars with their main file" <<'EOF2'
all/pic_001.JPG
all/pic_001.JPG.xmp
all/pic_002.JPG
all/pic_003.CR3
all/pic_003.xmp
all/pic_004.JPG
all/pic_005.MOV
all/pic_007.HEIC
all/pic_008.MP4
all/pic_008M01.XML
EOF2
cmp "$LIB/all/pic_001.JPG.xmp" "$T/card/DCIM/100CANON/IMG_0001.JPG.xmp" || fail "xmp content"
cmp "$LIB/all/pic_003.xmp" "$T/card/DCIM/100CANON/IMG_0003.xmp" || fail "xmp content"

# A later run goes on from the highest number; a file shoebox did not put
# there (pic_009.JPG) is never overwritten.
printf 'not a picture of ours\n' >"$LIB/all/pic_009.JPG"
cp "$LIB/all/pic_009.JPG" "$T/foreign"
dated_jpegs "$T/more" 3
sb -c "$T/c.conf" import --no-progress "$T/more"
expect_rc 0
cmp "$LIB/all/pic_009.JPG" "$T/foreign" || fail "pic_009.JPG was overwritten"
libfiles | grep -E 'pic_0(09|1)' >"$T/out"
expect_out "numbers go on after the highest" <<'EOF2'
all/pic_009.JPG
all/pic_010.JPG
all/pic_011.JPG
all/pic_012.JPG
EOF2
for i in 1 2 3; do
	cmp "$T/more/IMG_000$i.JPG" "$LIB/all/pic_01$((i - 1)).JPG" || fail "pic_01$((i - 1)).JPG"
done
[ "$(q "SELECT count(*) FROM files WHERE path LIKE 'all/pic_%'")" = 13 ] ||
    fail "catalogue: $(q 'SELECT path FROM files')"

# Numbered per text before {seq}: each day its own 1, 2 ...
rm -rf "$LIB"
dated_jpegs "$T/days" 2
cp "$T/days/IMG_0001.JPG" "$T/days/IMG_0003.JPG"
printf 'x' >>"$T/days/IMG_0003.JPG"
printf 'settle = 0\npattern = %%Y\nname = %%Y%%m%%d_{seq}.{ext:lower}\n' >"$T/c.conf"
sb -c "$T/c.conf" import --no-progress "$T/days"
expect_rc 0
libfiles >"$T/out"
expect_out "numbered per day" <<'EOF2'
2015/20150101_1.jpg
2015/20150101_2.jpg
2015/20150102_1.jpg
EOF2
exit 0
