#!/bin/sh
# t0420-raw-fixtures: RAF, MRW and X3F files built here from the format
# descriptions (the corpus has only damaged RAFs and none of the others):
# "shoebox probe" must find the capture time where each format keeps it,
# and report a truncated one as a per-file error without crashing.
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
PY

fail=0
# check FILE MIME TAKEN SOURCE
check() {
	got=$("$SHOEBOX" probe "$1" 2>"$1.err" | cut -f 2-5)
	want="raw	$2	$3	$4"
	if [ "$got" != "$want" ]; then
		echo "FAIL $1: got '$got', want '$want'"
		cat "$1.err"
		fail=1
	else
		echo "ok   $1: $got"
	fi
}
check a.raf image/x-fuji-raf 2019-06-01T12:34:56 exif
check a.mrw image/x-minolta-mrw 2019-06-01T12:34:56 exif
check a.x3f image/x-sigma-x3f 2008-01-01T12:00:00 exif
for f in bad.raf bad.x3f; do
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
