#!/bin/sh
# Sources as a shell gives them, and files' times at the ends of the range:
#  - import --move DROP/*.JPG of 600 photos under a soft limit of 200 open
#    files: all filed, none "Too many open files" (the files of one folder
#    share its descriptor);
#  - a photo whose mtime is in 2446 (ext4 keeps times up to then) and one
#    from 1969 with a fraction of a second: imported (no overflow: the ASan
#    pass runs this too), the catalogue holds the nearest time it can, a
#    second run calls them already imported, and both go to a dir remote
#    and verify there.
. "$TOP/tests/lib/common.sh"
command -v python3 >/dev/null || { echo "python3 is needed"; exit 77; }

distinct_jpegs "$T/drop" 1 600 args
(
	ulimit -Sn 200 || exit 77
	cd "$T" && "$SHOEBOX" import --move --settle 0 --no-progress \
	    drop/*.JPG >"$T/out" 2>"$T/err"
) || { cat "$T/out" "$T/err" >&2; fail "import of 600 arguments failed"; }
grep -q "^600 files seen: 600 imported" "$T/out" ||
    { cat "$T/out" "$T/err" >&2; fail "not all 600 imported"; }
[ -z "$(ls "$T/drop")" ] || fail "sources left after --move"
[ "$(q "SELECT count(*) FROM files")" = 600 ] || fail "catalogue count"

mkdir "$T/ends"
distinct_jpegs "$T/ends" 1 2 ends
# Their Exif dates kept out: the mtime is what dates them.
python3 - "$T/ends" <<'PY' || fail "strip"
import os, struct, sys
for n in os.listdir(sys.argv[1]):
    p = os.path.join(sys.argv[1], n)
    d, i, out = open(p, "rb").read(), 2, bytearray(b"\xff\xd8")
    while d[i + 1] != 0xda:
        l = struct.unpack(">H", d[i + 2:i + 4])[0]
        if d[i + 1] != 0xe1:
            out += d[i:i + 2 + l]
        i += 2 + l
    open(p, "wb").write(bytes(out + d[i:]))
PY
touch -d '2446-01-01 12:00:00 UTC' "$T/ends/IMG_0001.JPG"
touch -d '1969-12-31 23:59:59.5 UTC' "$T/ends/IMG_0002.JPG"
[ "$(stat -c %Y "$T/ends/IMG_0001.JPG")" -gt 9000000000 ] ||
    { echo "skipped: this filesystem keeps no time after 2038"; exit 77; }
mkdir "$T/usb"
cat >>"$T/config" <<EOF
[remote usb]
type = dir
path = $T/usb
EOF
sb import --settle 0 --no-progress "$T/ends"
expect_rc 0
[ -f "$LIB/2446/01/01/IMG_0001.JPG" ] || { libfiles >&2; fail "2446 file"; }
[ -f "$LIB/1969/12/31/IMG_0002.JPG" ] || { libfiles >&2; fail "1969 file"; }
[ "$(q "SELECT mtime_ns FROM files WHERE path LIKE '2446/%'")" = \
    9223372036854775807 ] || fail "2446: mtime not held at the end"
[ "$(q "SELECT mtime_ns FROM files WHERE path LIKE '1969/%'")" = \
    -500000000 ] || fail "1969: mtime_ns"
sb import --settle 0 --no-progress "$T/ends"
expect_rc 0
grep -q "2 already imported" "$T/out" || { cat "$T/out" >&2
    fail "second run: not already imported"; }
sb verify
expect_rc 0
sb sync --no-progress usb
expect_rc 0
[ "$(stat -c %Y "$T/usb/1969/12/31/IMG_0002.JPG")" = -1 ] ||
    fail "1969: mtime on the remote"
sb verify --remote usb --download
expect_rc 0
echo "ok"
