#!/bin/sh
# Time zones on purpose: a video's UTC creation time is filed by the wall
# clock of, in order, the offset in the file, the camera's zone from the
# config, the library's zone from the config, the machine's zone. EXIF wall
# clock is used as the camera wrote it, whatever the zone. The catalogue
# keeps both the wall clock and UTC.
. "$TOP/tests/lib/common.sh"

mkdir -p "$T/card"
cp "$FIX/mov_utc_2019-12-31T235958Z.mov" "$T/card/MVI_0001.MOV"
cp "$FIX/exiv2-canon-eos-20d.jpg" "$T/card/IMG_0001.JPG"
set_mtimes "$T/card"

# The machine's zone: Los Angeles, still 2019-12-31.
TZ=America/Los_Angeles "$SHOEBOX" -L "$T/l1" import --no-progress "$T/card" >/dev/null || fail "import 1"
[ -f "$T/l1/2019/12/31/MVI_0001.MOV" ] || fail "machine zone not used: $(cd "$T/l1" && find . -name '*.MOV')"
[ "$(sqlite3 "$T/l1/.shoebox/catalog.db" "SELECT taken || ' ' || taken_utc FROM catalog WHERE path LIKE '%MOV'")" = \
    "2019-12-31T15:59:58-08:00 2019-12-31T23:59:58Z" ] || fail "catalogue times"

# The library's zone from the config wins over the machine's: Tokyo, 2020.
printf 'settle = 0\ntimezone = Asia/Tokyo\n' >"$T/tokyo.conf"
TZ=America/Los_Angeles "$SHOEBOX" -c "$T/tokyo.conf" -L "$T/l2" import --no-progress "$T/card" >/dev/null || fail "import 2"
[ -f "$T/l2/2020/01/01/MVI_0001.MOV" ] || fail "library zone not used"
# EXIF wall clock is the camera's, whatever the zone.
[ -f "$T/l2/2006/08/02/IMG_0001.JPG" ] || fail "EXIF date moved by a zone"

# A per-camera zone wins over the library's (the probe shows the camera).
printf 'timezone = Asia/Tokyo\n[camera "Canon EOS 20D"]\ntimezone = America/New_York\n' >"$T/cam.conf"
"$SHOEBOX" -c "$T/cam.conf" probe --json "$T/card/MVI_0001.MOV" >"$T/out"
grep -q '"taken":"2020-01-01T08:59:58+09:00"' "$T/out" || fail "probe with library zone: $(cat "$T/out")"

# After 2038-01-19 too, where a 32-bit time_t ends: a 32-bit build without
# a 64-bit time_t gave Paris its offset of 1901 (+00:09) and filed the
# video a day early.
python3 - "$FIX/mp4_utc_2021-07-04T183015Z.mp4" "$T/VID_2039.MP4" <<'EOF2' ||
import calendar, struct, sys
d = open(sys.argv[1], "rb").read()
was, now = (calendar.timegm(t) + 2082844800 for t in	# 1904's seconds
    ((2021, 7, 4, 18, 30, 15), (2039, 6, 21, 23, 30, 0)))
assert struct.pack(">I", was) in d
open(sys.argv[2], "wb").write(d.replace(struct.pack(">I", was),
    struct.pack(">I", now)))
EOF2
    fail "cannot build a video of 2039"
TZ=Europe/Paris "$SHOEBOX" probe --json "$T/VID_2039.MP4" >"$T/out"
grep -q '"taken":"2039-06-22T01:30:00+02:00"' "$T/out" ||
    fail "a video of 2039 in Paris: $(cat "$T/out")"

# An offset stored in the file wins over every zone: an Apple-style
# com.apple.quicktime.creationdate is covered by the container unit tests;
# here, a JPEG's OffsetTimeOriginal is kept as written.
"$SHOEBOX" -c "$T/cam.conf" probe --json "$TOP/tests/sample-card/DCIM/100CANON/IMG_0003.CR3" >"$T/out"
grep -q '"taken":"2021-05-12T12:21:21+02:00"' "$T/out" || fail "stored offset: $(cat "$T/out")"
exit 0
