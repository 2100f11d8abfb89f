#!/bin/sh
# Which photo a sidecar goes with when more than one file could own it:
#  - an iPhone live photo (IMG_0001.HEIC, IMG_0001.MOV, IMG_0001.AAE): the
#    .AAE holds the photo's edits and goes beside the HEIC, in the photo's
#    day, not the clip's; the same when the AAE arrives after both were
#    imported and moved;
#  - a drop folder where IMG_0001.JPG of one week was imported with
#    --move, then another IMG_0001.JPG the next week: an IMG_0001.XMP that
#    arrives after them goes with the photo that just left, not the first
#    one of that name;
#  - a photo whose own name is free in its day but its sidecar's is not
#    (another camera's IMG_0001.XMP) takes the next name, its sidecar too;
#  - two photos whose names differ only in letter case (IMG_1.JPG,
#    img_1.jpg) with a sidecar each: each sidecar goes with the photo of
#    its own case, whatever their order; so does GoPro's gl010001.lrv,
#    with gx010001.mp4 rather than GX010001.MP4.
. "$TOP/tests/lib/common.sh"
command -v python3 >/dev/null || { echo "python3 is needed"; exit 77; }

aae() {
	printf '<?xml version="1.0"?><plist><dict><key>adjustmentFormatIdentifier</key><string>com.apple.photo</string><key>n</key><string>%s</string></dict></plist>\n' "$2" >"$1"
}
C=$T/card/DCIM/100APPLE
mkdir -p "$C"
cp "$TOP/tests/sample-card/DCIM/101CANON/IMG_3578.HEIC" "$C/IMG_0001.HEIC"
cp "$FIX/mov_utc_2019-12-31T235958Z.mov" "$C/IMG_0001.MOV"
aae "$C/IMG_0001.AAE" one
sb import --no-progress "$T/card"
expect_rc 0
[ "$(q "SELECT sidecar_of FROM catalog WHERE path LIKE '%IMG_0001.AAE'")" = \
    2020/04/17/IMG_0001.HEIC ] || { libfiles >&2
    fail "live photo: the AAE is not the HEIC's: $(q "SELECT path, sidecar_of FROM catalog WHERE kind = 'sidecar'")"; }

# Late: the photo and clip moved in first, the AAE on its own after.
D=$T/drop/iphone
mkdir -p "$D"
cp "$TOP/tests/sample-card/DCIM/101CANON/IMG_3578.HEIC" "$D/IMG_0002.HEIC"
echo x >>"$D/IMG_0002.HEIC"
cp "$FIX/mov_utc_2019-12-31T235958Z.mov" "$D/IMG_0002.MOV"
echo x >>"$D/IMG_0002.MOV"
sb import --move --no-progress "$T/drop"
expect_rc 0
aae "$D/IMG_0002.AAE" two
sb import --move --no-progress "$T/drop"
expect_rc 0
[ "$(q "SELECT sidecar_of FROM catalog WHERE path LIKE '%IMG_0002.AAE'")" = \
    2020/04/17/IMG_0002.HEIC ] || fail "late AAE: $(q "SELECT path, sidecar_of FROM catalog WHERE path LIKE '%0002%'")"

# Two weeks' IMG_0001.JPG through one drop folder, then a late XMP.
W=$T/drop/week
distinct_jpegs "$T/w1" 1 1 week1 1
distinct_jpegs "$T/w2" 1 1 week2 1
python3 - "$T/w2/IMG_0001.JPG" <<'PY' || fail "redate"
import re, sys
p = sys.argv[1]
d = open(p, "rb").read()
d = re.sub(rb"20\d\d:[01]\d:[0-3]\d ", b"2016:06:06 ", d)
open(p, "wb").write(d)
PY
mkdir -p "$W"
mv "$T/w1/IMG_0001.JPG" "$W/"
sb import --move --no-progress "$T/drop"
expect_rc 0
mv "$T/w2/IMG_0001.JPG" "$W/"
sb import --move --no-progress "$T/drop"
expect_rc 0
printf '<x:xmpmeta xmlns:x="adobe:ns:meta/"/>\n' >"$W/IMG_0001.XMP"
sb import --move --no-progress "$T/drop"
expect_rc 0
[ "$(q "SELECT sidecar_of FROM catalog WHERE path LIKE '%IMG_0001.XMP'")" = \
    2016/06/06/IMG_0001.JPG ] || fail "late XMP: $(q "SELECT path, sidecar_of FROM catalog WHERE path LIKE '%IMG_0001.%'")"

# Two cameras' IMG_0001 of the same day, one a .JPG with IMG_0001.XMP, the
# other a .jpeg with its own IMG_0001.XMP: the second photo's name is free
# but its sidecar's is not, so both go as IMG_0001-1 (the .XMP beside its
# photo by name, for every program that pairs them so); --dry-run says so.
D=$T/day
mkdir -p "$D/a" "$D/b"
cp "$FIX/exiv2-canon-eos-20d.jpg" "$D/a/IMG_0001.JPG"
printf '<x:xmpmeta>a</x:xmpmeta>\n' >"$D/a/IMG_0001.XMP"
cp "$FIX/exiv2-canon-eos-20d.jpg" "$D/b/IMG_0001.jpeg"
printf 'b' >>"$D/b/IMG_0001.jpeg"
printf '<x:xmpmeta>b</x:xmpmeta>\n' >"$D/b/IMG_0001.XMP"
sb import --no-progress "$D/a"
expect_rc 0
sb import --no-progress --dry-run "$D/b"
expect_rc 0
grep -q "IMG_0001.jpeg -> 2006/08/02/IMG_0001-1.jpeg" "$T/out" &&
grep -q "IMG_0001.XMP -> 2006/08/02/IMG_0001-1.XMP" "$T/out" ||
    fail "dry run: $(cat "$T/out")"
sb import --no-progress "$D/b"
expect_rc 0
[ "$(cat "$LIB/2006/08/02/IMG_0001-1.XMP")" = "<x:xmpmeta>b</x:xmpmeta>" ] &&
    [ "$(cat "$LIB/2006/08/02/IMG_0001.XMP")" = "<x:xmpmeta>a</x:xmpmeta>" ] &&
    cmp -s "$D/b/IMG_0001.jpeg" "$LIB/2006/08/02/IMG_0001-1.jpeg" ||
    fail "a sidecar by another photo's name: $(libfiles | grep 2006/08/02)"
[ "$(q "SELECT sidecar_of FROM catalog WHERE path = '2006/08/02/IMG_0001-1.XMP'")" = \
    2006/08/02/IMG_0001-1.jpeg ] || fail "catalogued pairing"

# Names that differ in letter case only: each sidecar with its own photo.
D=$T/case
mkdir -p "$D"
cp "$TOP/tests/sample-card/DCIM/100CANON/IMG_0002.JPG" "$D/IMG_1.JPG"
cp "$TOP/tests/sample-card/DCIM/100CANON/IMG_0004.JPG" "$D/img_1.jpg"
echo '<x:xmpmeta>upper</x:xmpmeta>' >"$D/IMG_1.xmp"
echo '<x:xmpmeta>lower</x:xmpmeta>' >"$D/img_1.XMP"
sb import --no-progress "$D"
expect_rc 0
cp "$TOP/tests/fixtures/mp4_utc_2021-07-04T183015Z.mp4" "$D/GX010001.MP4"
cp "$TOP/tests/fixtures/mov_utc_2019-12-31T235958Z.mov" "$D/gx010001.mp4"
printf 'distinct' >>"$D/gx010001.mp4"	# not the live photo's clip
printf 'lrv\n' >"$D/gl010001.lrv"
sb import --no-progress "$D"
expect_rc 0
for s in IMG_1.xmp:IMG_1.JPG img_1.XMP:img_1.jpg gl010001.lrv:gx010001.mp4; do
	m=$(q "SELECT sidecar_of FROM catalog WHERE path GLOB '*/${s%%:*}'")
	[ "${m##*/}" = "${s#*:}" ] || fail "${s%%:*} paired with $m"
	[ "$(dirname "$m")" = "$(dirname "$(q "SELECT path FROM files WHERE path GLOB '*/${s%%:*}'")")" ] ||
	    fail "${s%%:*} is not in its photo's day"
done
echo "ok"
