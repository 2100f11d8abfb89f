#!/bin/sh
# A JPEG's Exif APP1 segment as some cameras and programs write it askew,
# built here from a fixture photo; ExifTool 12.57 reads the camera's date
# and make from each (ExifTool.pm, ProcessJPEG):
#  - "Exif\0" and a byte other than NUL (some Kodak cameras), and a few
#    bytes of garbage before "Exif\0" (a second APP1 header);
#  - a second Exif segment (the camera's) after an app's small one with no
#    capture date: its DateTimeOriginal beats none and the first's
#    DateTime, and its make fills in;
# and an APP1 that only looks like Exif further on is no Exif.
. "$TOP/tests/lib/common.sh"
command -v python3 >/dev/null || { echo "python3 is needed"; exit 77; }

D=$T/files
mkdir -p "$D"
python3 - "$FIX/exiv2-canon-eos-20d.jpg" "$D" <<'PY' || fail "fixtures"
import os, struct, sys

src, out = sys.argv[1], sys.argv[2]
jpg = open(src, "rb").read()

def segments(d):
    """The marker segments before the start of scan, and the rest."""
    segs, i = [], 2
    while d[i + 1] != 0xda:
        n = struct.unpack(">H", d[i + 2:i + 4])[0]
        segs.append(d[i:i + 2 + n])
        i += 2 + n
    return segs, d[i:]

def seg(marker, body):
    return bytes([0xff, marker]) + struct.pack(">H", len(body) + 2) + body

def write(name, data):
    open(os.path.join(out, name), "wb").write(data)

segs, rest = segments(jpg)
exif = [s for s in segs if s[4:10] == b"Exif\0\0"][0]
others = b"".join(s for s in segs if s is not exif)
tiff = exif[10:]
write("kodak.jpg", jpg[:2] + seg(0xe1, b"Exif\0\xff" + tiff) + others + rest)
write("garbage.jpg", jpg[:2] + seg(0xe1, b"\xff\xe1\0\0Exif\0\0" + tiff) +
      others + rest)
write("too-far.jpg", jpg[:2] + seg(0xe1, b"12345Exif\0\0" + tiff) +
      others + rest)

def small(tag, value):
    """An Exif segment whose IFD0 holds one ASCII tag."""
    t = (b"II*\0" + struct.pack("<IH", 8, 1) +
         struct.pack("<HHII", tag, 2, len(value), 26) +
         struct.pack("<I", 0) + value)
    return seg(0xe1, b"Exif\0\0" + t)
app = small(0x0131, b"App\0")
changed = small(0x0132, b"2022:01:01 00:00:00\0")
write("second.jpg", jpg[:2] + app + exif + others + rest)
write("second-after-datetime.jpg", jpg[:2] + changed + exif + others + rest)
write("datetime-only.jpg", jpg[:2] + app + changed + others + rest)
# 100 APP1 segments of another kind (65,000 bytes each) before the Exif
write("many-app1.jpg", jpg[:2] + seg(0xe1, b"Other\0" + b"x" * 64994) * 100 +
      exif + others + rest)
PY
touch -d '2001-02-03 04:05:06 UTC' "$D"/*

probe() {
	sb probe "$D/$1"
	expect_rc 0
	got=$(cut -f4-6 "$T/out")
	[ "$got" = "$2" ] || { cat "$T/out" "$T/err" >&2
	    fail "$1: dated '$got', expected '$2'"; }
}
exif=$(printf '2006-08-02T21:53:01\texif\tCanon')
probe kodak.jpg "$exif"
probe garbage.jpg "$exif"
probe second.jpg "$exif"
probe second-after-datetime.jpg "$exif"
probe datetime-only.jpg "$(printf '2022-01-01T00:00:00\texif-datetime\t-')"
probe too-far.jpg "$(printf '2001-02-03T04:05:06+00:00\tmtime\t-')"
probe many-app1.jpg "$exif"

# Only the segments it reads are read whole: the other APP1s are told by
# their first bytes, not read through (6.5 MB of them here).
if command -v strace >/dev/null 2>&1; then
	strace -e trace=read,pread64 -o "$T/trace" "$SHOEBOX" probe \
	    "$D/many-app1.jpg" >/dev/null 2>&1
	n=$(awk '/(read|pread64)\(/ { sub(/.*= /, ""); s += $0 } END { print s + 0 }' "$T/trace")
	[ "$n" -lt 2000000 ] || fail "many-app1.jpg: $n bytes read of 6.5 MB"
fi
exit 0
