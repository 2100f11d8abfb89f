#!/bin/sh
# Which photo a sidecar goes with when more than one file could own it:
#  - an iPhone live photo (IMG_0001.HEIC, IMG_0001.MOV, IMG_0001.AAE): the
#    .AAE holds the photo's edits and goes beside the HEIC, in the photo's
#    day, not the clip's; the same when the AAE arrives after both were
#    imported and moved;
#  - a drop folder where IMG_0001.JPG of one week was imported with
#    --move, then another IMG_0001.JPG the next week: an IMG_0001.XMP that
#    arrives after them goes with the photo that just left, not the first
#    one of that name.
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
echo "ok"
