#!/bin/sh
# t0420-raw-fixtures: RAF, MRW, X3F, Kyocera RAW, Sony PMP, WMV, MXF and R3D
# files built here from the format descriptions (the corpus has only
# damaged RAFs and none of the others): "shoebox probe" must name each by
# its bytes, find the capture time where each format keeps it, and report
# a truncated one as a per-file error without crashing.
[ -n "$SHOEBOX" ] && [ -x "$SHOEBOX" ] || { echo "SHOEBOX not set"; exit 2; }
command -v python3 >/dev/null || { echo "python3 is needed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/t0420.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2

python3 - <<'PY' || exit 2
import struct

def tiff():
    """Big-endian TIFF: IFD0 Make, ExifIFD with DateTimeOriginal."""
    make, dto = b"FUJIFILM\0\0", b"2019:06:01 12:34:56\0"
    data = 8 + 2 + 24 + 4
    exif = data + len(make)
    t = b"MM\0\x2a" + struct.pack(">IH", 8, 2)
    t += struct.pack(">HHII", 0x10f, 2, 9, data)
    t += struct.pack(">HHII", 0x8769, 4, 1, exif) + struct.pack(">I", 0)
    t += make + struct.pack(">H", 1)
    t += struct.pack(">HHII", 0x9003, 2, len(dto), exif + 18)
    t += struct.pack(">I", 0) + dto
    return t

t = tiff()
app1 = b"Exif\0\0" + t
jpeg = b"\xff\xd8\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + \
    b"\xff\xd9"
hdr = bytearray(b"FUJIFILMCCD-RAW 0201FF383501" +
    b"FinePix X100".ljust(32, b"\0"))
hdr = hdr.ljust(160, b"\0")
struct.pack_into(">II", hdr, 84, 160, len(jpeg))
open("a.raf", "wb").write(bytes(hdr) + jpeg)
struct.pack_into(">II", hdr, 84, 160, 100000)
open("bad.raf", "wb").write(bytes(hdr) + jpeg)

prd = b"\0PRD" + struct.pack(">I", 24) + b"\0" * 24
ttw = b"\0TTW" + struct.pack(">I", len(t)) + t
body = prd + ttw
open("a.mrw", "wb").write(b"\0MRM" + struct.pack(">I", len(body)) + body)

def u16(s):
    return s.encode("utf-16-le") + b"\0\0"
props = [("CAMMANUF", "SIGMA"), ("CAMMODEL", "SIGMA SD14"),
    ("TIME", "1199188800")]
chars = tab = b""
for k, v in props:
    no = len(chars) // 2; chars += u16(k)
    vo = len(chars) // 2; chars += u16(v)
    tab += struct.pack("<II", no, vo)
prop = b"SECp" + struct.pack("<IIIII", 0x20000, len(props), 0, 0,
    len(chars) // 2) + tab + chars
head = b"FOVb" + struct.pack("<I", 0x20003) + b"\0" * 32
d = b"SECd" + struct.pack("<II", 0x20000, 1) + \
    struct.pack("<II", len(head), len(prop)) + b"PROP"
open("a.x3f", "wb").write(head + prop + d +
    struct.pack("<I", len(head) + len(prop)))
open("bad.x3f", "wb").write(head + prop + d + struct.pack("<I", 999999))

# Kyocera: strings stored back to front in a fixed header.
k = bytearray(0x200)
k[0x0c:0x18] = b"N DIGITAL".rjust(12, b"\0")[::-1]
k[0x19:0x20] = b"KYOCERA"[::-1]
k[0x21:0x35] = b"2005:07:16 18:14:30".rjust(20, b"\0")[::-1]
open("a.raw", "wb").write(bytes(k))

# Sony PMP: 124-byte header, date bytes at 76, then a JPEG.
p = bytearray(124)
p[8:12] = b"\0\0\0\x7c"
p[76:82] = bytes([98, 9, 1, 20, 19, 57])
open("a.pmp", "wb").write(bytes(p) + b"\xff\xd8\xff\xdb" + b"\0" * 200)

# WMV: a 12 kB object before the stream properties, as a picture makes it.
import uuid
def g(s):
    return uuid.UUID(s).bytes_le
def obj(guid, body):
    return g(guid) + struct.pack("<Q", 24 + len(body)) + body
ft = (1098984214 + 11644473600) * 10**7
kids = obj("75B22633-668E-11CF-A6D9-00AA0062CE6C", b"P" * 12000)
kids += obj("8CABDCA1-A947-11CF-8EE4-00C00C205365",
    b"\x11" * 16 + struct.pack("<QQ", 4096, ft) + b"\0" * 56)
kids += obj("B7DC0791-A9B7-11CF-8EE6-00C00C205365",
    g("BC19EFC0-5B4D-11CF-A8FD-00805F5C442B") + b"\0" * 38)
open("a.wmv", "wb").write(g("75B22630-668E-11CF-A6D9-00AA0062CE6C") +
    struct.pack("<QIBB", 30 + len(kids), 3, 1, 2) + kids + b"\x82" * 512)

# MXF: partition, primer, a material package with its creation date.
def klv(k, v):
    return bytes(k) + b"\x83" + len(v).to_bytes(3, "big") + v
ul = [6, 0x0e, 0x2b, 0x34]
created = bytes(ul + [1, 1, 1, 2, 7, 2, 1, 0x10, 1, 3, 0, 0])
stamp = struct.pack(">HBBBBBB", 2010, 12, 20, 0, 14, 40, 56)
m = klv(ul + [2, 5, 1, 1, 0x0d, 1, 2, 1, 1, 2, 4, 0], b"\0" * 88)
m += klv(ul + [2, 5, 1, 1, 0x0d, 1, 2, 1, 1, 5, 1, 0],
    struct.pack(">II", 1, 18) + b"\x80\x01" + created)
m += klv(ul + [2, 0x53, 1, 1, 0x0d, 1, 1, 1, 1, 1, 0x36, 0],
    b"\x80\x01\x00\x08" + stamp)
m += klv(ul + [1, 2, 1, 1, 0x0d, 1, 3, 1, 0x15, 1, 5, 0], b"\xee" * 4096)
open("a.mxf", "wb").write(m)
open("bad.mxf", "wb").write(m[:16] + b"\x89" + m[17:200])

# RED R3D (ExifTool's Red.pm): a RED2 header block with two rdi records,
# then the RED directory: DateTimeOriginal (0x1005), CameraType (0x1019).
def red_entry(tag, v):
    return struct.pack(">HH", 4 + len(v), tag) + v
d = red_entry(0x1000, b"12345678901") + red_entry(0x1005, b"20190824121233")
d += red_entry(0x1019, b"EPIC-W")
while len(d) < 320:
    d += red_entry(0x1056, b"A001_C001_0824AB_001.R3D")
r = struct.pack(">I", 0x1000) + b"RED2"
r += b"\0" * (0x40 - len(r)) + bytes([2, 0, 0, 1])
r += b"".join(b"r" + b"\0" * 0x17 for _ in range(2))
r += struct.pack(">H", len(d)) + d
r += b"\0" * (0x1000 - len(r)) + b"\0" * 8192
open("A001_C001.R3D", "wb").write(r)
open("bad.R3D", "wb").write(r[:0x30])
PY

fail=0
# check FILE KIND MIME TAKEN SOURCE
check() {
	got=$("$SHOEBOX" probe "$1" 2>"$1.err" | cut -f 2-5)
	want="$2	$3	$4	$5"
	if [ "$got" != "$want" ]; then
		echo "FAIL $1: got '$got', want '$want'"
		cat "$1.err"
		fail=1
	else
		echo "ok   $1: $got"
	fi
}
check a.raf raw image/x-fuji-raf 2019-06-01T12:34:56 exif
check a.mrw raw image/x-minolta-mrw 2019-06-01T12:34:56 exif
check a.x3f raw image/x-sigma-x3f 2008-01-01T12:00:00 exif
check a.raw raw image/x-kyocera-raw 2005-07-16T18:14:30 kyocera
check a.pmp image image/x-sony-pmp 1998-09-01T20:19:57 pmp
TZ=UTC0 check a.wmv video video/x-ms-wmv 2004-10-28T17:23:34+00:00 asf
TZ=UTC0 check a.mxf video application/mxf 2010-12-20T00:14:40+00:00 mxf
check A001_C001.R3D video video/x-red-r3d 2019-08-24T12:12:33 r3d
for f in bad.raf bad.x3f bad.mxf bad.R3D; do
	"$SHOEBOX" probe "$f" >/dev/null 2>"$f.err"
	rc=$?
	if [ $rc != 1 ] || [ ! -s "$f.err" ]; then
		echo "FAIL $f: exit $rc, expected 1 with a message"
		fail=1
	else
		echo "ok   $f: $(cat "$f.err")"
	fi
done
exit $fail
