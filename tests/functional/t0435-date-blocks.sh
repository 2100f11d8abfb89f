#!/bin/sh
# Dates from the blocks beside Exif, built here from a fixture photo and by
# hand, as editors and other cameras write them:
#  - a JPEG keeps its Exif DateTimeOriginal whether an XMP or IPTC block
#    with another date comes before or after the Exif block;
#  - in XMP, a date with a time of day beats a day alone (Photoshop's
#    DateCreated "2021-05-12"); a day alone is taken as xmp-day;
#  - XMP's creation date beats Exif's DateTime (a change time) in PNG as
#    in JPEG; XMP is read in TIFF (tag 700) and WebP ("XMP " chunk);
#  - a PNG "Creation Time" in RFC 1123's form, which the PNG specification
#    suggests, is read with its zone;
#  - AVI's IDIT as Casio and Konica write it ("2005/ 8/17/ 11:42 P",
#    "2002-12-16  15:35:01") is read;
#  - an MP4 whose mvhd holds an absurd 64-bit time is not dated by it;
#  - probe -v lists the dates of every block, taken or not.
# And a HEIC photo is image/heif, shared-mime-info's name (image/heic is an
# alias there); a catalogue of schema 11 that has it as image/heic is moved
# to image/heif, and find --mime image/heic finds it.
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

def xmp(attrs):
    return (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf='
            b'"http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description'
            b' xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:photoshop='
            b'"http://ns.adobe.com/photoshop/1.0/" ' + attrs +
            b'/></rdf:RDF></x:xmpmeta>')

def app1_xmp(attrs):
    return seg(0xe1, b"http://ns.adobe.com/xap/1.0/\0" + xmp(attrs))

def app13_iptc(date, time):
    def ds(t, v):
        return bytes([0x1c, 2, t]) + struct.pack(">H", len(v)) + v
    iptc = ds(55, date) + ds(60, time)
    body = (b"Photoshop 3.0\0" + b"8BIM\x04\x04\0\0" +
            struct.pack(">I", len(iptc)) + iptc + b"\0" * (len(iptc) % 2))
    return seg(0xed, body)

def write(name, data):
    open(os.path.join(out, name), "wb").write(data)

segs, rest = segments(jpg)
exif = [s for s in segs if s[4:10] == b"Exif\0\0"][0]
others = [s for s in segs if s is not exif]
other = app1_xmp(b'xmp:CreateDate="2020-01-01T00:00:00"')
write("xmp-first.jpg", jpg[:2] + other + exif + b"".join(others) + rest)
write("xmp-after.jpg", jpg[:2] + exif + other + b"".join(others) + rest)
write("iptc-first.jpg", jpg[:2] + app13_iptc(b"20200101", b"000000+0000") +
      exif + b"".join(others) + rest)
bare = jpg[:2] + b"".join(others)
write("xmp-day-and-time.jpg", bare[:2] + app1_xmp(
    b'photoshop:DateCreated="2021-05-12" '
    b'xmp:CreateDate="2021-05-12T23:21:21+02:00"') + bare[2:] + rest)
write("xmp-day.jpg", bare[:2] + app1_xmp(
    b'photoshop:DateCreated="2021-05-12"') + bare[2:] + rest)

def tiff_le(entries, extra_at):
    """A little-endian TIFF: IFD0 of (tag, type, count, value bytes)
    entries, values longer than 4 bytes put after the IFD."""
    n = len(entries)
    ifd_end = 8 + 2 + 12 * n + 4
    head, tail = b"II*\0" + struct.pack("<I", 8) + struct.pack("<H", n), b""
    for tag, typ, count, val in entries:
        if len(val) <= 4:
            head += struct.pack("<HHI", tag, typ, count) + val.ljust(4, b"\0")
        else:
            head += struct.pack("<HHII", tag, typ, count,
                                ifd_end + len(tail))
            tail += val + b"\0" * (len(val) % 2)
    return head + struct.pack("<I", 0) + tail

# PNG: eXIf with only DateTime (a change time), XMP with the creation date.
import zlib
def chunk(t, d):
    return (struct.pack(">I", len(d)) + t + d +
            struct.pack(">I", zlib.crc32(t + d)))
raw = b"".join(b"\0" + b"\x80" * 4 for _ in range(4))
ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0))
idat = chunk(b"IDAT", zlib.compress(raw))
changed = tiff_le([(0x0132, 2, 20, b"2022:01:01 00:00:00\0")], 0)
write("exif-changed-xmp.png", b"\x89PNG\r\n\x1a\n" + ihdr +
      chunk(b"eXIf", changed) +
      chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0" +
            xmp(b'xmp:CreateDate="2021-05-12T12:21:21+02:00"')) +
      idat + chunk(b"IEND", b""))
write("creation-rfc1123.png", b"\x89PNG\r\n\x1a\n" + ihdr +
      chunk(b"tEXt", b"Creation Time\0Wed, 12 May 2021 12:21:21 +0545") +
      idat + chunk(b"IEND", b""))

# TIFF: a 1x1 grey image whose date is only in IFD0's XMP packet.
packet = xmp(b'xmp:CreateDate="2019-01-02T03:04:05+05:45"')
pixels_at = 8 + 2 + 12 * 9 + 4 + len(packet) + len(packet) % 2
write("xmp.tiff", tiff_le([
    (0x0100, 3, 1, struct.pack("<H", 1)), (0x0101, 3, 1,
     struct.pack("<H", 1)), (0x0102, 3, 1, struct.pack("<H", 8)),
    (0x0103, 3, 1, struct.pack("<H", 1)), (0x0106, 3, 1,
     struct.pack("<H", 1)), (0x0111, 4, 1, struct.pack("<I", pixels_at)),
    (0x0115, 3, 1, struct.pack("<H", 1)), (0x0117, 4, 1,
     struct.pack("<I", 1)), (0x02bc, 1, len(packet), packet)], 0) + b"\x80")

# WebP: VP8X with the XMP flag, a lossless 1x1 image, an "XMP " chunk.
def riff_chunk(cid, d):
    return cid + struct.pack("<I", len(d)) + d + b"\0" * (len(d) % 2)
vp8x = riff_chunk(b"VP8X", bytes([0x04, 0, 0, 0]) + b"\0\0\0" + b"\0\0\0")
vp8l = riff_chunk(b"VP8L", bytes([0x2f, 0, 0, 0, 0x10, 0x07, 0x10, 0x11,
                                  0x11, 0x88, 0x88, 0xfe, 0x07, 0]))
body = b"WEBP" + vp8x + vp8l + riff_chunk(b"XMP ", xmp(
    b'xmp:CreateDate="2021-05-12T12:21:21+05:45"'))
write("xmp.webp", b"RIFF" + struct.pack("<I", len(body)) + body)

# AVI: hdrl with an avih and the IDIT of a Casio or a Konica camera.
for name, idit in (("casio.avi", b"2005/ 8/17/ 11:42 P\0"),
                   ("casio-pm.avi", b"2001/ 1/27  1:42PM\0"),
                   ("konica.avi", b"2002-12-16  15:35:01\0\0")):
    avih = riff_chunk(b"avih", b"\0" * 56)
    hdrl = b"hdrl" + avih + riff_chunk(b"IDIT", idit)
    body = b"AVI " + riff_chunk(b"LIST", hdrl) + riff_chunk(b"LIST",
                                                            b"movi")
    write(name, b"RIFF" + struct.pack("<I", len(body)) + body)

# MP4: a version 1 mvhd whose creation time is 2^32 s past 2020.
def box(t, d):
    return struct.pack(">I", 8 + len(d)) + t + d
mvhd = box(b"mvhd", b"\x01\0\0\0" + struct.pack(">QQIQ",
           3676752000 + (1 << 32) * (1 << 25), 3676752000, 1000, 0) +
           b"\0" * 80)
write("absurd.mp4", box(b"ftyp", b"isom\0\0\0\0isommp41") +
      box(b"moov", mvhd))
PY
touch -d '2001-02-03 04:05:06 UTC' "$D"/*

probe() {
	sb -c "$T/empty.conf" probe "$D/$1"
	expect_rc 0
	got=$(cut -f4,5 "$T/out")
	[ "$got" = "$2" ] || { cat "$T/out" "$T/err" >&2
	    fail "$1: dated '$got', expected '$2'"; }
}
: >"$T/empty.conf"
exif=$(printf '2006-08-02T21:53:01\texif')
probe xmp-first.jpg "$exif"
probe xmp-after.jpg "$exif"
probe iptc-first.jpg "$exif"
probe xmp-day-and-time.jpg "$(printf '2021-05-12T23:21:21+02:00\txmp')"
probe xmp-day.jpg "$(printf '2021-05-12T00:00:00\txmp-day')"
probe exif-changed-xmp.png "$(printf '2021-05-12T12:21:21+02:00\tpng-xmp')"
probe creation-rfc1123.png "$(printf '2021-05-12T12:21:21+05:45\tpng-text')"
probe xmp.tiff "$(printf '2019-01-02T03:04:05+05:45\txmp')"
probe xmp.webp "$(printf '2021-05-12T12:21:21+05:45\twebp-xmp')"
probe casio.avi "$(printf '2005-08-17T23:42:00\triff-idit')"
probe casio-pm.avi "$(printf '2001-01-27T13:42:00\triff-idit')"
probe konica.avi "$(printf '2002-12-16T15:35:01\triff-idit')"
probe absurd.mp4 "$(printf '2001-02-03T04:05:06+00:00\tmtime')"

# probe -v: the XMP date that did not win is still listed.
sb -c "$T/empty.conf" probe -v "$D/xmp-first.jpg"
grep -q 'candidates: exif 2006-08-02T21:53:01, xmp 2020-01-01T00:00:00' \
    "$T/out" || { cat "$T/out" >&2; fail "probe -v: XMP's date not listed"; }
sb -c "$T/empty.conf" probe -v "$D/exif-changed-xmp.png"
grep -q 'png-exif-datetime 2022-01-01T00:00:00' "$T/out" ||
    { cat "$T/out" >&2; fail "probe -v: Exif's DateTime not listed"; }

# Imported, each lands on its day.
sb -c "$T/empty.conf" -L "$LIB" import --settle 0 --no-progress "$D"
expect_rc 0
for p in 2006/08/02/xmp-first.jpg 2021/05/12/xmp-day.jpg \
    2019/01/02/xmp.tiff 2005/08/17/casio.avi 2001/02/03/absurd.mp4; do
	[ -f "$LIB/$p" ] || { libfiles >&2; fail "not filed as $p"; }
done
[ "$(q "SELECT date_source FROM files WHERE path = '2021/05/12/xmp-day.jpg'")" = xmp-day ] ||
    fail "catalogue: xmp-day not recorded"

mkdir "$T/heic"
cp "$TOP/tests/sample-card/DCIM/101CANON/IMG_3578.HEIC" "$T/heic/"
sb -c "$T/empty.conf" probe "$T/heic/IMG_3578.HEIC"
[ "$(cut -f3 "$T/out")" = image/heif ] || fail "HEIC: $(cat "$T/out")"
sb -c "$T/empty.conf" -L "$LIB" import --settle 0 --no-progress "$T/heic"
expect_rc 0
q "INSERT INTO types (mime, kind) VALUES ('image/heic', 'image');
   UPDATE files SET type_id = (SELECT id FROM types WHERE mime = 'image/heic')
   WHERE path LIKE '%.HEIC';
   DELETE FROM types WHERE mime = 'image/heif'; PRAGMA user_version = 11;"
sb -c "$T/empty.conf" -L "$LIB" find --mime image/heif
expect_rc 0
grep -q 'IMG_3578.HEIC$' "$T/out" || { cat "$T/out" "$T/err" >&2
    fail "schema 11's image/heic not found as image/heif"; }
sb -c "$T/empty.conf" -L "$LIB" import --settle 0 --no-progress "$T/heic"
expect_rc 0
[ "$(q "SELECT group_concat(mime) FROM types WHERE mime LIKE 'image/hei%'")" = \
    image/heif ] || fail "types after migration: $(q "SELECT mime FROM types")"
for m in image/heif image/heic; do
	sb -c "$T/empty.conf" -L "$LIB" find --mime $m
	grep -q 'IMG_3578.HEIC$' "$T/out" || fail "find --mime $m"
done
echo "ok"
