#!/bin/sh
# Dates from names: a family's share of messenger, phone and screenshot
# files whose Exif was stripped (the sample card's IMG_0001.JPG without its
# APP1 segment, a comment making each one distinct) and a PNG screenshot
# made here with zlib, all with old mtimes:
#  - each lands on the day its name says; the catalogue says filename (or
#    filename-day for names that give only the day);
#  - a file with Exif keeps its Exif date whatever its name says;
#  - names that are no date (month 13, sequence numbers) fall back to mtime;
#  - date_from_name = no: all fall back to mtime;
#  - date_from_folder = yes: a folder named for a day dates what is in it,
#    after the file name;
#  - probe -v and probe --json show every candidate.
. "$TOP/tests/lib/common.sh"
command -v python3 >/dev/null || { echo "python3 is needed"; exit 77; }

S=$T/share
mkdir -p "$S/2015-06-07 Holiday"
python3 - "$TOP/tests/sample-card/DCIM/100CANON/IMG_0001.JPG" "$S" <<'PY' || fail "fixtures"
import os, struct, sys, zlib

src, share = sys.argv[1], sys.argv[2]
jpg = open(src, "rb").read()

def strip_app1(d, note):
    """The JPEG without its APP1 (Exif, XMP) segments, plus a comment."""
    out, i = bytearray(d[:2]), 2
    com = note.encode()
    out += b"\xff\xfe" + struct.pack(">H", len(com) + 2) + com
    while i < len(d):
        assert d[i] == 0xff, "JPEG marker expected"
        m = d[i + 1]
        if m == 0xda:
            return bytes(out + d[i:])
        n = struct.unpack(">H", d[i + 2:i + 4])[0]
        if m != 0xe1:
            out += d[i:i + 2 + n]
        i += 2 + n
    raise SystemExit("no start of scan")

def png(note):
    """A 4x4 grey PNG, no tIME, no text but a comment."""
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + \
            struct.pack(">I", zlib.crc32(t + d))
    raw = b"".join(b"\0" + b"\x80" * 4 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0)) +
            chunk(b"tEXt", b"Comment\0" + note.encode()) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

stripped = ["IMG-20190824-WA0001.jpg", "IMG_20200101_101010.jpg",
            "signal-2021-02-03-040506.jpg", "IMG_0002.jpg",
            "IMG_20191324_121233.jpg", "2015-06-07 Holiday/photo.jpg",
            "2015-06-07 Holiday/IMG_20160708_090909.jpg"]
for name in stripped:
    open(os.path.join(share, name), "wb").write(strip_app1(jpg, name))
assert b"Exif" not in strip_app1(jpg, "x")[:200]
open(os.path.join(share, "Screenshot_20220304-050607.png"), "wb").write(
    png("screenshot"))
# Exif says 2006-08-02; the name says otherwise.
open(os.path.join(share, "IMG_20180101_000000.jpg"), "wb").write(jpg)
PY
set_mtimes "$S"

# The catalogue's path and date_source of every file, sorted.
dates() {
	sqlite3 -batch -noheader -separator ' ' "$1/.shoebox/catalog.db" \
	    "SELECT path, date_source FROM catalog ORDER BY path"
}

sb import --no-progress "$S"
expect_rc 0
dates "$LIB" >"$T/got"
cat >"$T/want" <<'EOF'
2001/02/03/IMG_0002.jpg mtime
2001/02/03/IMG_20191324_121233.jpg mtime
2001/02/03/photo.jpg mtime
2006/08/02/IMG_20180101_000000.jpg exif
2016/07/08/IMG_20160708_090909.jpg filename
2019/08/24/IMG-20190824-WA0001.jpg filename-day
2020/01/01/IMG_20200101_101010.jpg filename
2021/02/03/signal-2021-02-03-040506.jpg filename
2022/03/04/Screenshot_20220304-050607.png filename
EOF
diff -u "$T/want" "$T/got" || fail "names not used as dates"
[ "$(q "SELECT taken FROM catalog WHERE path LIKE '%signal%'")" = \
    "2021-02-03T04:05:06" ] || fail "name time: $(q 'SELECT taken FROM catalog')"
[ -z "$(q "SELECT taken_utc FROM catalog WHERE path LIKE '%signal%'")" ] ||
	fail "a name date has no zone, so no UTC"
[ "$(q "SELECT taken FROM catalog WHERE path LIKE '%WA0001%'")" = \
    "2019-08-24T00:00:00" ] || fail "day-only name"

# probe -v: every candidate, the one taken first.
sb -v probe "$S/IMG_20180101_000000.jpg"
expect_rc 0
grep -q '^  candidates: exif 2006-08-02T21:53:01, filename 2018-01-01T00:00:00, mtime 2001-02-03T04:05:06+00:00$' "$T/out" ||
	fail "probe -v: $(cat "$T/out")"
sb probe --json "$S/IMG-20190824-WA0001.jpg" "$S/IMG_0002.jpg"
expect_rc 0
python3 - "$T/out" <<'PY' || fail "probe --json: $(cat "$T/out")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
wa, seq = lines
assert wa["date_source"] == "filename-day", wa
assert [(c["source"], c["taken"]) for c in wa["candidates"]] == [
    ("filename-day", "2019-08-24T00:00:00"),
    ("mtime", "2001-02-03T04:05:06+00:00")], wa
assert [c["source"] for c in seq["candidates"]] == ["mtime"], seq
PY

# date_from_name = no: the mtime; Exif still wins.
printf 'settle = 0\ndate_from_name = no\n' >"$T/noname.conf"
sb -c "$T/noname.conf" -L "$T/lib2" import --no-progress "$S"
expect_rc 0
dates "$T/lib2" | awk '{ split($1, p, "/"); print p[1] "/" p[2] "/" p[3], $2 }' |
    LC_ALL=C sort | uniq -c | sed 's/^ *//' >"$T/got"
printf '8 2001/02/03 mtime\n1 2006/08/02 exif\n' >"$T/want"
diff -u "$T/want" "$T/got" || fail "date_from_name = no"

# date_from_folder = yes: the folder's day, after the file's own name.
printf 'settle = 0\ndate_from_folder = yes\n' >"$T/folder.conf"
sb -c "$T/folder.conf" -L "$T/lib3" import --no-progress "$S/2015-06-07 Holiday"
expect_rc 0
dates "$T/lib3" >"$T/got"
cat >"$T/want" <<'EOF'
2015/06/07/photo.jpg folder-day
2016/07/08/IMG_20160708_090909.jpg filename
EOF
diff -u "$T/want" "$T/got" || fail "date_from_folder = yes"
# A relative path: the folder is found from the working directory.
(cd "$S/2015-06-07 Holiday" && "$SHOEBOX" -c "$T/folder.conf" probe photo.jpg) >"$T/out" ||
	fail "probe of a relative path"
grep -q '2015-06-07T00:00:00	folder-day' "$T/out" || fail "relative folder: $(cat "$T/out")"
exit 0
