#!/bin/sh
# What a walk takes and leaves: dot-files and dot-directories, symlinks that
# leave the source, FIFOs, non-media files, a Sony card's clip thumbnails
# (THMBNL); sidecars of every kind go with their main file (DJI's .LRF and
# .SRT too); mtimes are kept.
. "$TOP/tests/lib/common.sh"

c="$T/card"
mkdir -p "$c/DCIM/100CANON" "$c/.Trashes/501" "$c/.Spotlight-V100" "$c/PRIVATE/M4ROOT/CLIP" "$c/GOPRO" "$T/outside"
cp "$FIX/exiv2-canon-eos-20d.jpg" "$c/DCIM/100CANON/IMG_0001.JPG"
cp "$FIX/IMG_1361.dng" "$c/DCIM/100CANON/IMG_0001.DNG"
printf 'raw edits\n' >"$c/DCIM/100CANON/IMG_0001.XMP"
printf 'jpeg edits\n' >"$c/DCIM/100CANON/IMG_0001.JPG.xmp"
printf 'thumb\n' >"$c/DCIM/100CANON/IMG_0001.THM"
printf 'apple edits\n' >"$c/DCIM/100CANON/IMG_0001.AAE"
cp "$FIX/Reagan.jpg" "$c/DCIM/100CANON/._IMG_0002.JPG"
cp "$FIX/Reagan.jpg" "$c/.Trashes/501/IMG_0009.JPG"
cp "$FIX/Reagan.jpg" "$c/.Spotlight-V100/x.jpg"
cp "$FIX/mp4_utc_2021-07-04T183015Z.mp4" "$c/PRIVATE/M4ROOT/CLIP/C0001.MP4"
printf '<xml/>\n' >"$c/PRIVATE/M4ROOT/CLIP/C0001M01.XML"
cp "$FIX/mp4_utc_2021-07-04T183015Z.mp4" "$c/GOPRO/GX010001.MP4"
printf 'low res\n' >"$c/GOPRO/GL010001.LRV"
mkdir -p "$c/DCIM/100MEDIA" "$c/PRIVATE/M4ROOT/THMBNL"
cp "$FIX/mov_utc_2019-12-31T235958Z.mov" "$c/DCIM/100MEDIA/DJI_0001.MOV"
printf 'low res\n' >"$c/DCIM/100MEDIA/DJI_0001.LRF"
printf '1\n00:00:00,000 --> 00:00:00,033\nF/2.8, SS 100, ISO 100\n' >"$c/DCIM/100MEDIA/DJI_0001.SRT"
cp "$FIX/smiley2.jpg" "$c/PRIVATE/M4ROOT/THMBNL/C0001T01.JPG"	# a clip's thumbnail
printf 'settings\n' >"$c/DCIM/settings.txt"
cp "$FIX/FurnaceCreekInn.jpg" "$T/outside/away.jpg"
ln -s "$T/outside/away.jpg" "$c/DCIM/100CANON/LINKOUT.JPG"
ln -s "$T/outside" "$c/DCIM/linkdir"
mkfifo "$c/DCIM/fifo.jpg"
set_mtimes "$c"
touch -h -d '2001-02-03 04:05:06 UTC' "$c/DCIM/100CANON/LINKOUT.JPG"
touch -d '2010-10-10 10:10:10 UTC' "$c/DCIM/100CANON/IMG_0001.JPG"

sb import --no-progress --json "$c"
expect_rc 0
grep -q 'away.jpg\|LINKOUT' "$T/out" && grep 'LINKOUT' "$T/out" | grep -q '"imported"' && fail "symlink leaving the source followed"
grep -q 'IMG_0009\|x.jpg\|_IMG_0002' "$T/out" && fail "dot-file or dot-directory taken"
grep -q 'C0001T01' "$T/out" && fail "a Sony clip's thumbnail (THMBNL) taken for a photo"
grep '"summary"' "$T/out"
python3 - "$T/out" <<'PY' || exit 1
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
s = rows[-1]["summary"]
assert s["seen"] == sum(s[k] for k in ("imported", "duplicate", "sidecar", "already", "skipped", "failed")), s
assert s["imported"] == 4 and s["duplicate"] == 1, s      # JPG, DNG, MP4, DJI MOV; GoPro MP4 is the same clip
assert s["sidecar"] == 8, s                               # XMP x2, THM, AAE, XML, LRV, LRF, SRT
assert s["failed"] == 0, s
dest = {r["path"].split("/")[-1]: r.get("dest") for r in rows if "path" in r}
d = lambda n: dest[n].rsplit("/", 1)[0]
assert d("IMG_0001.XMP") == d("IMG_0001.DNG"), dest        # a RAW+JPEG pair's XMP goes with the RAW
assert d("IMG_0001.JPG.xmp") == d("IMG_0001.JPG"), dest
assert d("C0001M01.XML") == d("C0001.MP4"), dest
assert d("GL010001.LRV") == d("GX010001.MP4"), dest
assert dest["DJI_0001.LRF"] == dest["DJI_0001.MOV"][:-4] + ".LRF", dest
assert dest["DJI_0001.SRT"] == dest["DJI_0001.MOV"][:-4] + ".SRT", dest
# C0001.MP4 is the same clip as GX010001.MP4 (walked first): its sidecar goes
# beside the kept copy, named after it.
assert dest["C0001M01.XML"] == dest["C0001.MP4"][:-4] + "M01.XML", dest
for n in ("IMG_0001.THM", "IMG_0001.AAE"):
    assert dest[n] is not None, n
PY
# The modification time is kept.
[ "$(stat -c %Y "$LIB/2006/08/02/IMG_0001.JPG")" = "$(stat -c %Y "$c/DCIM/100CANON/IMG_0001.JPG")" ] || fail "mtime not kept"
exit 0
